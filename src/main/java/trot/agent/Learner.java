package trot.agent;

import org.jblas.FloatMatrix;
import trot.blas.BlasBackend;
import trot.nn.Adam;
import trot.nn.MaskSource;
import trot.nn.Mlp;
import trot.nn.Param;
import trot.nn.TanhGaussianPolicy;
import trot.replay.Batch;
import trot.replay.BatchSource;
import trot.util.Rng;
import trot.util.StateReader;
import trot.util.StateWriter;

import java.util.List;

/**
 * The SAC family as one learner: SAC, REDQ and DroQ are {@link LearnerConfig} presets of it. Built once for an
 * observation and action size; every buffer is allocated in the constructor, and {@link #update} and
 * {@link #act} allocate nothing.
 *
 * <p>{@link #update} is Algorithm 1 (REDQ) / Algorithm 2 (DroQ) of the paper for one environment step, with the
 * schedule of the reference code: G critic updates, each on its own mini-batch and each followed by the soft
 * target update; then one actor update and one temperature update on the last mini-batch. See
 * {@code docs/algorithms.md} for each line and where it is computed.
 *
 * <p>Critic members run on a fixed set of worker threads ({@link LearnerConfig#threads()}), each with its own
 * buffers and dropout generators, so the results are bitwise identical to a single thread for the same seed.
 * Actions are in [-1, 1]; the caller maps them to its actuators.
 */
public final class Learner implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("trot.agent");

    private final LearnerConfig config;
    private final int observationSize;
    private final int actionSize;
    private final int batchSize;
    private final float targetEntropy;
    private final Critic[] critics;
    private final TanhGaussianPolicy policy;          // batch B: the actor update
    private final TanhGaussianPolicy[] samplers;      // batch B, one per worker: a' ~ pi(.|s') for the targets
    private final TanhGaussianPolicy acting;          // batch 1
    private final Adam actorAdam;
    private final Param logAlpha;
    private final Adam temperatureAdam;
    private final Workers workers;

    private final Batch[] batches;
    private final FloatMatrix[] nextNoise;
    /** The replay rows of each of the G batches, drawn in order on the caller's thread, gathered in parallel. */
    private final int[][] batchRows;
    private BatchSource source;
    private final FloatMatrix[] nextActions;
    private final FloatMatrix[] nextLogProbs;
    private final FloatMatrix y;
    private final FloatMatrix actorNoise;
    private final FloatMatrix dAction;
    private final FloatMatrix dLogProb;
    private final int[] subset;
    /** The subset in the order its target critics are evaluated: each where it can on its critic's own worker. */
    private final int[] targetOrder;
    private final boolean[] targetOrderTaken;
    private final FloatMatrix actingObservation;
    private final Mlp[] probes;                        // batch-1 copies of the online critics, for estimateQ
    private final FloatMatrix probeInput;
    private final TanhGaussianPolicy probePolicy;      // batch-1 sampler with its own noise, for probeAct
    private final FloatMatrix probeObservation;
    private final UpdateReport report = new UpdateReport();

    /** Every generator whose state a snapshot must hold, in a fixed order, and their names. */
    private final Rng[] generators;
    private final String[] generatorNames;
    private final long[] generatorState;
    private final long[] counters = new long[1];
    private final long[] adamSteps = new long[1];

    private NoiseSource noise;
    private SubsetSource subsets;
    private long updates;

    // Work handed to the workers: created once, they read the fields below.
    private final Workers.Task sampleNextActions;
    private final Workers.Task evaluateTargets;
    private final Workers.Task updateCritics;
    private final Workers.Task criticActionGradients;
    private Batch current;

    /**
     * @param seed everything random in the learner (initial weights, dropout masks, policy noise, target subsets,
     *             acting noise) derives from it
     */
    public Learner(LearnerConfig config, int observationSize, int actionSize, long seed) {
        if (observationSize <= 0 || actionSize <= 0) {
            throw new IllegalArgumentException("Learner: observation and action sizes must be positive, got "
                    + observationSize + " and " + actionSize);
        }
        this.config = config;
        this.observationSize = observationSize;
        this.actionSize = actionSize;
        this.batchSize = config.batchSize();
        this.targetEntropy = config.targetEntropy(actionSize);
        final int n = config.critics(), g = config.updatesPerStep(), b = batchSize;

        int threads = config.threads();
        if (threads > 1 && BlasBackend.active() == BlasBackend.Kind.STOCK) {
            LOG.log(System.Logger.Level.WARNING, "jblas's bundled BLAS is not safe to call from several threads at once:"
                    + " the learner runs on 1 thread instead of " + threads + " (build native/ for both cores)");
            threads = 1;
        }
        this.workers = new Workers(threads, "trot-learner");

        // One generator per purpose, split in a fixed order that does not depend on the thread count.
        Rng master = new Rng(seed);
        Rng actorInit = master.split();
        Rng actingNoise = master.split();
        Rng noiseRng = master.split();
        Rng subsetRng = master.split();
        Rng policyNoise = master.split();
        this.policy = new TanhGaussianPolicy(observationSize, actionSize, config.hidden(), b, actorInit, policyNoise);
        if (config.precision().usesOnednn()) {
            trot.blas.Onednn.requireAvailable("precision=" + config.precision().key);
            boolean bf16 = config.precision() == trot.blas.Products.BF16;
            String kernel = trot.blas.Onednn.kernel(bf16);
            LOG.log(kernel.startsWith("ref") ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                    "products: precision=" + config.precision().key + " through " + trot.blas.Onednn.version()
                            + ", kernel " + kernel + " (256 x 256 x 256)" + (kernel.startsWith("ref")
                            ? ": oneDNN's slow reference code, this CPU has no fast " + (bf16 ? "bf16" : "f32")
                            + " kernel; precision=fp32 (OpenBLAS) will be faster" : ""));
        }
        // Who computes the products; the batch copies below inherit it.
        policy.network().setProducts(config.precision());
        java.util.List<Rng> rngs = new java.util.ArrayList<>();
        java.util.List<String> rngNames = new java.util.ArrayList<>();
        rngs.add(actingNoise);
        rngNames.add("acting_noise");
        rngs.add(noiseRng);
        rngNames.add("policy_noise");
        rngs.add(subsetRng);
        rngNames.add("target_subsets");
        rngs.add(policyNoise);
        rngNames.add("actor_own_noise");
        Mlp.Spec criticSpec = new Mlp.Spec(observationSize + actionSize, config.hidden(), 1, config.criticDropout(),
                config.criticLayerNorm(), trot.nn.LayerNorm.DEFAULT_EPS);
        this.critics = new Critic[n];
        for (int i = 0; i < n; i++) {
            Rng init = master.split(), onlineMasks = master.split(), targetMasks = master.split();
            critics[i] = new Critic(criticSpec, b, observationSize, config.criticLearningRate(), init,
                    onlineMasks, targetMasks);
            critics[i].online.setProducts(config.precision());
            critics[i].target.setProducts(config.precision());
            rngs.add(onlineMasks);
            rngNames.add("critic" + i + ".online_masks");
            rngs.add(targetMasks);
            rngNames.add("critic" + i + ".target_masks");
        }
        this.acting = policy.withBatch(1, actingNoise);
        // Diagnostics evaluate the critics through batch-1 copies with their own dropout generator, so that
        // looking at Q never changes the masks (and so the numbers) of training.
        Rng probeMasks = master.split();
        this.probes = new Mlp[n];
        for (int i = 0; i < n; i++) {
            probes[i] = critics[i].online.withBatch(1);
            Rng masks = probeMasks.split();
            probes[i].setMaskSource(MaskSource.geometric(masks));
            rngs.add(masks);
            rngNames.add("probe" + i + ".masks");
        }
        this.probeInput = new FloatMatrix(1, observationSize + actionSize);
        // ... and sample the policy through a batch-1 copy with its own noise, so that rolling out the policy for a
        // diagnostic never shifts training's acting noise.
        Rng probeNoise = master.split();
        this.probePolicy = policy.withBatch(1, probeNoise);
        rngs.add(probeNoise);
        rngNames.add("probe_policy_noise");
        this.probeObservation = new FloatMatrix(1, observationSize);
        this.noise = out -> noiseRng.fillGaussian(out.data, 0, out.length);
        this.subsets = (total, m, out) -> chooseDistinct(subsetRng, total, m, out);
        // The samplers' own noise generators are never used: their noise is drawn by `noise`, in order.
        this.samplers = new TanhGaussianPolicy[threads];
        for (int w = 0; w < threads; w++) {
            Rng unused = new Rng(w);
            samplers[w] = policy.withBatch(b, unused);
        }
        this.generators = rngs.toArray(new Rng[0]);
        this.generatorNames = rngNames.toArray(new String[0]);
        this.generatorState = new long[Rng.STATE_LONGS * generators.length];

        this.actorAdam = new Adam(policy.params(), config.actorLearningRate());
        this.logAlpha = new Param("log_alpha", 1, 1);
        logAlpha.value.data[0] = (float) Math.log(config.initialTemperature());
        this.temperatureAdam = new Adam(List.of(logAlpha), config.temperatureLearningRate());

        this.batches = new Batch[g];
        this.nextNoise = new FloatMatrix[g];
        this.batchRows = new int[g][b];
        this.nextActions = new FloatMatrix[g];
        this.nextLogProbs = new FloatMatrix[g];
        for (int k = 0; k < g; k++) {
            batches[k] = new Batch(b, observationSize, actionSize);
            nextNoise[k] = new FloatMatrix(b, actionSize);
            nextActions[k] = new FloatMatrix(b, actionSize);
            nextLogProbs[k] = new FloatMatrix(b, 1);
        }
        this.y = new FloatMatrix(b, 1);
        this.actorNoise = new FloatMatrix(b, actionSize);
        this.dAction = new FloatMatrix(b, actionSize);
        this.dLogProb = new FloatMatrix(b, 1);
        this.subset = new int[config.targetCritics()];
        this.targetOrder = new int[config.targetCritics()];
        this.targetOrderTaken = new boolean[config.targetCritics()];
        this.actingObservation = new FloatMatrix(1, observationSize);

        final int workerCount = threads;
        this.sampleNextActions = k -> {
            if (k == config.updatesPerStep()) {            // the actor's own forward, when it runs early
                policy.sample(batches[k - 1].observations, actorNoise);
                return;
            }
            TanhGaussianPolicy pi = samplers[k % workerCount];
            if (source != null && !(actorEarly && k == config.updatesPerStep() - 1)) {
                source.gather(batchRows[k], batches[k]);
            }
            pi.sample(batches[k].nextObservations, nextNoise[k]);
            System.arraycopy(pi.action().data, 0, nextActions[k].data, 0, nextActions[k].length);
            System.arraycopy(pi.logProb().data, 0, nextLogProbs[k].data, 0, nextLogProbs[k].length);
        };
        this.evaluateTargets = j -> critics[targetOrder[j]].evaluateTarget(current.nextObservations, currentNextActions);
        this.updateCritics = i -> critics[i].update(current.observations, current.actions, y, config.polyakRate());
        this.criticActionGradients = i -> critics[i].actionGradient(current.observations, policy.action());
        this.forkTask = i -> (i == 0 ? forkFirst : forkSecond).run();
        this.fork = (first, second) -> {
            forkFirst = first;
            forkSecond = second;
            try {
                workers.run(2, forkTask);
            } finally {
                forkFirst = null;
                forkSecond = null;
            }
        };
    }

    /** Two jobs of the actor's backward at once, on two workers (trot.nn.Mlp.Fork over {@link #workers}). */
    private final trot.nn.Mlp.Fork fork;
    private final Workers.Task forkTask;
    private Runnable forkFirst, forkSecond;
    /** This update runs the actor's forward in the sampling phase (see update). */
    private boolean actorEarly;

    private FloatMatrix currentNextActions;

    /**
     * One environment step's worth of learning (Algorithm 2, lines 4-10): G critic updates, then one actor and
     * one temperature update. Draws G mini-batches from {@code data}.
     *
     * @return this learner's report, overwritten by the next call
     */
    public UpdateReport update(BatchSource data) {
        final long t0 = System.nanoTime();
        final int g = config.updatesPerStep(), n = config.critics(), m = config.targetCritics();
        final float gamma = config.discount();
        final float alpha = alpha();

        // Line 5, G times: a mini-batch each. And a' ~ pi(.|s') for every one of them: the actor does not change
        // during the critic updates, so these G samples do not depend on them and are drawn first, in parallel.
        // The random draws run here, in order (rows, then noise, batch by batch: the same sequence whatever the
        // thread count); copying the rows out of the replay buffer runs in the parallel task.
        final boolean split = data.splitsSampling();
        for (int k = 0; k < g; k++) {
            if (split) {
                data.choose(batchRows[k], batchSize);
            } else {
                data.sample(batches[k]);
            }
            noise.fill(nextNoise[k]);
        }
        // The actor's noise for line 10, the next draw of the same generator (so drawn here or after the critic
        // updates, the same numbers). The actor's forward on the last mini-batch does not depend on the critic
        // updates either: when the G sampling tasks leave a worker idle (G not a multiple of the thread count, as
        // SAC's G = 1 on two), it runs there as task G, and that mini-batch is copied out first, here.
        noise.fill(actorNoise);
        actorEarly = g % workers.threads() != 0;
        if (actorEarly && split) {
            data.gather(batchRows[g - 1], batches[g - 1]);
        }
        source = split ? data : null;
        try {
            workers.run(actorEarly ? g + 1 : g, sampleNextActions);
        } finally {
            source = null;
        }
        final long t1 = System.nanoTime();

        double criticLoss = 0, targetTime = 0, criticTime = 0;
        for (int k = 0; k < g; k++) {
            final long ta = System.nanoTime();
            current = batches[k];
            currentNextActions = nextActions[k];
            // Line 6: y = r + gamma * mask * (min_{i in M} Q̄_i(s', a') - alpha log pi(a'|s')), a' ~ pi(.|s').
            // mask is 0 only after a true termination: a time-limit truncation still bootstraps.
            subsets.choose(n, m, subset);
            orderByWorker(subset, workers.threads(), targetOrder, targetOrderTaken);
            workers.run(m, evaluateTargets);
            computeTargets(current, nextLogProbs[k], alpha, gamma);
            final long tb = System.nanoTime();
            // Lines 7-9: each critic one gradient step on (1/B) sum (Q_i(s, a) - y)^2, then
            // Q̄_i <- rho Q̄_i + (1 - rho) Q_i.
            workers.run(n, updateCritics);
            for (Critic c : critics) {
                criticLoss += c.loss;
            }
            criticTime += System.nanoTime() - tb;
            targetTime += tb - ta;
        }
        final long t2 = System.nanoTime();

        // Line 10: the actor, once, on the last mini-batch: minimise mean_b(alpha log pi(a~|s) - mean_i Q_i(s, a~)),
        // a~ = tanh(mu + sigma eps) reparameterised, over ALL N critics (dropout active).
        current = batches[g - 1];
        if (!actorEarly) {
            policy.sample(current.observations, actorNoise);
        }
        workers.run(n, criticActionGradients);
        final float[] logp = policy.logProb().data;
        final float[] da = dAction.data;
        java.util.Arrays.fill(da, 0f);
        double meanQ = 0;
        for (Critic c : critics) {                      // fixed order: the sum does not depend on the threads
            final float[] gq = c.actionGrad.data;
            for (int j = 0; j < da.length; j++) {
                da[j] += gq[j];
            }
            for (float q : c.q().data) {
                meanQ += q;
            }
        }
        final int bs = batchSize;
        final float scale = -1f / (n * bs);             // dL/da = -(1/(N B)) sum_i dQ_i/da
        for (int j = 0; j < da.length; j++) {
            da[j] *= scale;
        }
        java.util.Arrays.fill(dLogProb.data, alpha / bs);   // dL/dlog pi = alpha / B
        double meanLogp = 0;
        for (float lp : logp) {
            meanLogp += lp;
        }
        meanLogp /= bs;
        meanQ /= (double) n * bs;
        actorAdam.zeroGrad();
        policy.backward(dAction, dLogProb, fork);       // each layer's dW beside its dX: two workers
        actorAdam.step();

        // Temperature: minimise alpha (H - H_target) with H = -mean log pi, on log alpha:
        // dL/dlog alpha = alpha (H - H_target). (log pi from the actor's sample above, before its step.)
        final double entropy = -meanLogp;
        logAlpha.grad.data[0] = (float) (alpha * (entropy - targetEntropy));
        temperatureAdam.step();
        final long t3 = System.nanoTime();

        updates++;
        report.criticLoss = criticLoss / ((double) g * n);
        report.actorLoss = alpha * meanLogp - meanQ;
        report.temperatureLoss = alpha * (entropy - targetEntropy);
        report.entropy = entropy;
        report.alpha = alpha();
        report.meanQ = meanQ;
        report.samplingSeconds = (t1 - t0) * 1e-9;
        report.targetSeconds = targetTime * 1e-9;
        report.criticSeconds = criticTime * 1e-9;
        report.actorSeconds = (t3 - t2) * 1e-9;
        report.seconds = (t3 - t0) * 1e-9;
        return report;
    }

    private void computeTargets(Batch batch, FloatMatrix nextLogProb, float alpha, float gamma) {
        final float[] yd = y.data, r = batch.rewards.data, mask = batch.masks.data, lp = nextLogProb.data;
        final int m = subset.length;
        double sum = 0;
        for (int b = 0; b < batchSize; b++) {
            float qmin = Float.POSITIVE_INFINITY;
            for (int j = 0; j < m; j++) {
                qmin = Math.min(qmin, critics[subset[j]].targetQ().data[b]);
            }
            yd[b] = r[b] + gamma * mask[b] * (qmin - alpha * lp[b]);
            sum += yd[b];
        }
        report.meanTarget = sum / batchSize;
    }

    /**
     * Reorders {@code subset} into {@code order} so that slot j (run on worker j % threads) holds, where the subset
     * allows, a critic i with i % threads == j % threads: the worker that updates critic i, whose cache holds its
     * just-averaged target weights. (With the subset's own order, DroQ's [1, 0] half the time, each core would read
     * the other core's freshly written target network.) Only where each target is computed changes: each critic's
     * target pass draws from its own mask generator, and the min over the subset does not depend on its order.
     */
    static void orderByWorker(int[] subset, int threads, int[] order, boolean[] taken) {
        final int m = subset.length;
        java.util.Arrays.fill(taken, false);
        for (int j = 0; j < m; j++) {
            int pick = -1;
            for (int q = 0; q < m && pick < 0; q++) {
                if (!taken[q] && subset[q] % threads == j % threads) {
                    pick = q;
                }
            }
            for (int q = 0; q < m && pick < 0; q++) {
                if (!taken[q]) {
                    pick = q;
                }
            }
            taken[pick] = true;
            order[j] = subset[pick];
        }
    }

    /** M distinct indices from [0, n), uniformly: rejection of repeats (n and m are small). */
    static void chooseDistinct(Rng rng, int n, int m, int[] out) {
        for (int j = 0; j < m; j++) {
            int pick;
            boolean taken;
            do {
                pick = rng.nextInt(n);
                taken = false;
                for (int q = 0; q < j; q++) {
                    taken |= out[q] == pick;
                }
            } while (taken);
            out[j] = pick;
        }
    }

    /**
     * The policy's action for one observation, in [-1, 1]: a sample of pi(.|s) for training, or tanh(mu(s))
     * for evaluation.
     *
     * @return log pi(a|s) of the sampled action, or NaN for a deterministic one
     */
    public float act(float[] observation, float[] action, boolean deterministic) {
        if (observation.length != observationSize || action.length != actionSize) {
            throw new IllegalArgumentException("Learner.act: observation has " + observation.length + " numbers and action "
                    + action.length + ", expected " + observationSize + " and " + actionSize);
        }
        System.arraycopy(observation, 0, actingObservation.data, 0, observationSize);
        if (deterministic) {
            acting.deterministic(actingObservation);
        } else {
            acting.sample(actingObservation);
        }
        System.arraycopy(acting.action().data, 0, action, 0, actionSize);
        return deterministic ? Float.NaN : acting.logProb().data[0];
    }

    /**
     * A sample of pi(.|s) for one observation, in [-1, 1], like {@code act(observation, action, false)} but with
     * noise of its own: for diagnostics that roll out the training policy (the Q bias) without changing the noise,
     * and so the numbers, of training. Allocation-free.
     *
     * @return log pi(a|s) of the sampled action
     */
    public float probeAct(float[] observation, float[] action) {
        if (observation.length != observationSize || action.length != actionSize) {
            throw new IllegalArgumentException("Learner.probeAct: observation has " + observation.length + " numbers and action "
                    + action.length + ", expected " + observationSize + " and " + actionSize);
        }
        System.arraycopy(observation, 0, probeObservation.data, 0, observationSize);
        probePolicy.sample(probeObservation);
        System.arraycopy(probePolicy.action().data, 0, action, 0, actionSize);
        return probePolicy.logProb().data[0];
    }

    /**
     * The ensemble's estimate mean_i Q_i(s, a) for one state and action (in [-1, 1]), as the actor loss sees it
     * (dropout active, with a generator of its own). For diagnostics such as the Q bias; allocation-free.
     */
    public float estimateQ(float[] observation, float[] action) {
        if (observation.length != observationSize || action.length != actionSize) {
            throw new IllegalArgumentException("Learner.estimateQ: observation has " + observation.length
                    + " numbers and action " + action.length + ", expected " + observationSize + " and " + actionSize);
        }
        System.arraycopy(observation, 0, probeInput.data, 0, observationSize);
        System.arraycopy(action, 0, probeInput.data, observationSize, actionSize);
        double sum = 0;
        for (Mlp q : probes) {
            sum += q.forward(probeInput).data[0];
        }
        return (float) (sum / probes.length);
    }

    /** The temperature alpha = exp(log alpha). */
    public float alpha() {
        return (float) Math.exp(logAlpha.value.data[0]);
    }

    public LearnerConfig config() {
        return config;
    }

    public int observationSize() {
        return observationSize;
    }

    public int actionSize() {
        return actionSize;
    }

    /** Environment-step updates done. */
    public long updates() {
        return updates;
    }

    /** The policy network's parameters (what a deployed robot needs). */
    public List<Param> policyParams() {
        return policy.params();
    }

    /** Online critic {@code i}'s parameters. */
    public List<Param> criticParams(int i) {
        return critics[i].params();
    }

    /** Target critic {@code i}'s parameters. */
    public List<Param> targetCriticParams(int i) {
        return critics[i].target.params();
    }

    public Param logAlpha() {
        return logAlpha;
    }

    /**
     * Writes everything a continued run needs to compute bitwise the numbers this learner would have computed:
     * for every critic its online and target parameters and Adam's moments and step count; the actor's
     * parameters and Adam; log alpha and its Adam; the state of every random generator (acting and policy noise,
     * target subsets, every dropout mask generator, the diagnostics' generators); and the update counter.
     *
     * <p>Entries (all under {@code learner.}): {@code critic<i>.online.<param>}, {@code critic<i>.target.<param>},
     * {@code critic<i>.adam.m.<param>}, {@code critic<i>.adam.v.<param>}, {@code critic<i>.adam.steps};
     * {@code actor.<param>}, {@code actor.adam.m|v.<param>}, {@code actor.adam.steps}; {@code log_alpha},
     * {@code temperature.adam.m|v.log_alpha}, {@code temperature.adam.steps}; {@code rng} ({@link Rng#STATE_LONGS}
     * longs per generator, in the order of {@link #generatorNames()}); {@code updates}.
     *
     * <p>Call between updates (not during one). The arrays handed to {@code out} are the learner's own buffers:
     * the writer must copy them before it returns.
     */
    public void saveState(StateWriter out) {
        for (int i = 0; i < critics.length; i++) {
            Critic c = critics[i];
            saveParams(out, "learner.critic" + i + ".online.", c.online.params());
            saveParams(out, "learner.critic" + i + ".target.", c.target.params());
            saveAdam(out, "learner.critic" + i + ".adam.", c.adam, c.online.params());
        }
        saveParams(out, "learner.actor.", policy.params());
        saveAdam(out, "learner.actor.adam.", actorAdam, policy.params());
        out.floats("learner.log_alpha", logAlpha.value.data);
        saveAdam(out, "learner.temperature.adam.", temperatureAdam, List.of(logAlpha));
        for (int k = 0; k < generators.length; k++) {
            generators[k].saveState(generatorState, k * Rng.STATE_LONGS);
        }
        out.longs("learner.rng", generatorState);
        counters[0] = updates;
        out.longs("learner.updates", counters);
    }

    /**
     * Restores what {@link #saveState} wrote, into a learner built with the same configuration, sizes and seed.
     *
     * @throws IllegalArgumentException (from {@code in}) when an entry is missing or has another length: the
     *                                  snapshot was written by a learner of another configuration or size. The
     *                                  learner may then be partly restored and must not be used.
     */
    public void restoreState(StateReader in) {
        for (int i = 0; i < critics.length; i++) {
            Critic c = critics[i];
            restoreParams(in, "learner.critic" + i + ".online.", c.online.params());
            restoreParams(in, "learner.critic" + i + ".target.", c.target.params());
            restoreAdam(in, "learner.critic" + i + ".adam.", c.adam, c.online.params());
        }
        restoreParams(in, "learner.actor.", policy.params());
        restoreAdam(in, "learner.actor.adam.", actorAdam, policy.params());
        in.floats("learner.log_alpha", logAlpha.value.data);
        restoreAdam(in, "learner.temperature.adam.", temperatureAdam, List.of(logAlpha));
        in.longs("learner.rng", generatorState);
        for (int k = 0; k < generators.length; k++) {
            try {
                generators[k].restoreState(generatorState, k * Rng.STATE_LONGS);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("learner.rng, generator " + generatorNames[k] + ": " + e.getMessage(), e);
            }
        }
        in.longs("learner.updates", counters);
        if (counters[0] < 0) {
            throw new IllegalArgumentException("learner.updates: negative update count " + counters[0]);
        }
        updates = counters[0];
    }

    /** The names of the generators in {@code learner.rng}, in order. */
    public List<String> generatorNames() {
        return List.of(generatorNames);
    }

    private static void saveParams(StateWriter out, String prefix, List<Param> params) {
        for (int k = 0, n = params.size(); k < n; k++) {
            Param p = params.get(k);
            out.floats(prefix + p.name, p.value.data);
        }
    }

    private static void restoreParams(StateReader in, String prefix, List<Param> params) {
        for (int k = 0, n = params.size(); k < n; k++) {
            Param p = params.get(k);
            in.floats(prefix + p.name, p.value.data);
        }
    }

    private void saveAdam(StateWriter out, String prefix, Adam adam, List<Param> params) {
        for (int k = 0, n = params.size(); k < n; k++) {
            out.floats(prefix + "m." + params.get(k).name, adam.firstMoment(k));
            out.floats(prefix + "v." + params.get(k).name, adam.secondMoment(k));
        }
        adamSteps[0] = adam.steps();
        out.longs(prefix + "steps", adamSteps);
    }

    private void restoreAdam(StateReader in, String prefix, Adam adam, List<Param> params) {
        for (int k = 0, n = params.size(); k < n; k++) {
            in.floats(prefix + "m." + params.get(k).name, adam.firstMoment(k));
            in.floats(prefix + "v." + params.get(k).name, adam.secondMoment(k));
        }
        in.longs(prefix + "steps", adamSteps);
        try {
            adam.restoreSteps(adamSteps[0]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + "steps: " + e.getMessage(), e);
        }
    }

    /**
     * The first NaN or infinity in any learned number (online and target critics, the actor, log alpha), named
     * as {@code critic1.online.fc0.weight[37] = NaN}, or null when all are finite. Allocation-free when all are.
     */
    public String firstNonFiniteWeight() {
        for (int i = 0; i < critics.length; i++) {
            String bad = firstNonFinite("critic" + i + ".online.", critics[i].online.params());
            if (bad == null) {
                bad = firstNonFinite("critic" + i + ".target.", critics[i].target.params());
            }
            if (bad != null) {
                return bad;
            }
        }
        String bad = firstNonFinite("actor.", policy.params());
        if (bad == null && !Float.isFinite(logAlpha.value.data[0])) {
            bad = "log_alpha = " + logAlpha.value.data[0];
        }
        return bad;
    }

    private static String firstNonFinite(String prefix, List<Param> params) {
        for (int k = 0, n = params.size(); k < n; k++) {
            float[] d = params.get(k).value.data;
            for (int j = 0; j < d.length; j++) {
                if (!Float.isFinite(d[j])) {
                    return prefix + params.get(k).name + "[" + j + "] = " + d[j];
                }
            }
        }
        return null;
    }

    /** Replaces the source of policy noise (tests; the default draws from the learner's seed). */
    public void useNoise(NoiseSource source) {
        this.noise = source;
    }

    /** Replaces the choice of in-target critics (tests). */
    public void useSubsets(SubsetSource source) {
        this.subsets = source;
    }

    /** Replaces the dropout masks of online critic {@code i} and of its target (tests). */
    public void useCriticMasks(int i, MaskSource online, MaskSource target) {
        critics[i].online.setMaskSource(online);
        critics[i].target.setMaskSource(target);
    }

    /** The current source of in-target subsets (tests wrap it to watch the draws). */
    SubsetSource subsetSource() {
        return subsets;
    }

    /** The targets y of the last critic update (tests). */
    FloatMatrix lastTargets() {
        return y;
    }

    /** Critic member {@code i} (tests). */
    Critic critic(int i) {
        return critics[i];
    }

    /** log pi(a'|s') of the last critic update's next actions (tests). */
    FloatMatrix lastNextLogProbs() {
        return nextLogProbs[config.updatesPerStep() - 1];
    }

    /**
     * Who computes the products of each network an update runs, by name: {@code policy}, {@code sampler0..},
     * {@code critic0.online}, {@code critic0.target}, ...; each the {@link trot.blas.Products} of its layers, or
     * "mixed" if they differ. For audits and tests: precision= must reach every one of them.
     */
    java.util.Map<String, String> productsByNetwork() {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        out.put("policy", productsOf(policy.network()));
        for (int w = 0; w < samplers.length; w++) {
            out.put("sampler" + w, productsOf(samplers[w].network()));
        }
        for (int i = 0; i < critics.length; i++) {
            out.put("critic" + i + ".online", productsOf(critics[i].online));
            out.put("critic" + i + ".target", productsOf(critics[i].target));
        }
        return out;
    }

    private static String productsOf(Mlp net) {
        String seen = null;
        for (trot.nn.Layer l : net.layers()) {
            if (l instanceof trot.nn.Linear lin) {
                String k = lin.products().key;
                seen = seen == null || seen.equals(k) ? k : "mixed";
            }
        }
        return seen;
    }

    /** Worker threads in use (may be fewer than configured: see the constructor's warning). */
    public int threads() {
        return workers.threads();
    }

    @Override
    public void close() {
        workers.close();
    }
}

package trot.train;

import trot.agent.Learner;
import trot.agent.LearnerConfig;
import trot.agent.UpdateReport;
import trot.blas.BlasBackend;
import trot.env.EnvSpec;
import trot.env.Environment;
import trot.env.StepResult;
import trot.io.Outputs;
import trot.io.MetricsCsv;
import trot.io.Plots;
import trot.replay.ReplayBuffer;
import trot.util.Rng;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Trains a learner on an environment: collects experience (uniform random actions first, then the stochastic
 * policy), updates the learner after every environment step, evaluates the deterministic policy every so often,
 * and writes what happened to an output directory:
 * <ul>
 *   <li>{@code run.txt}: configuration, settings, backend, versions;</li>
 *   <li>{@code episodes.csv}: one row per training episode; {@code evaluations.csv}: one row per evaluation;
 *       {@code qbias.csv}: one row per Q-bias diagnostic;</li>
 *   <li>{@code learning_curve.png}: evaluation and training returns against environment steps; for environments
 *       with {@link trot.env.Telemetry}, also {@code forward_speed.png} (evaluation forward speed against steps) and
 *       the last evaluation's first episode: {@code eval_trace.csv} (every telemetry value, step by step),
 *       {@code eval_speed.png} and {@code gait.png} (foot contacts over time);</li>
 *   <li>{@code policy.ckpt}: the policy, saved after every evaluation and at the end.</li>
 * </ul>
 * The same settings, configuration and seed give the same numbers in every file but the timings. Without
 * {@code overwrite}, a directory holding any of these files ({@link #OUTPUTS}) is refused before anything is written.
 */
public final class Trainer {
    private static final System.Logger LOG = System.getLogger("trot.train");

    private final TrainingSettings settings;
    private final LearnerConfig config;
    private final Environment env;
    private final Environment evalEnv;
    private final EnvSpec spec;
    private final Path outDir;
    private final boolean overwrite;
    private final Map<String, String> extraRunInfo = new LinkedHashMap<>();
    /** The last run's replay buffer (tests look inside). */
    private ReplayBuffer replay;

    /**
     * @param env     the environment to learn on
     * @param evalEnv a second instance of the same task for evaluations and diagnostics (its episodes never
     *                mix with training's)
     * @param outDir  where the results go (created if missing)
     * @param overwrite replace results already in {@code outDir}; otherwise they are an error
     */
    public Trainer(TrainingSettings settings, LearnerConfig config, Environment env, Environment evalEnv, Path outDir,
                   boolean overwrite) {
        if (!env.spec().equals(evalEnv.spec())) {
            throw new IllegalArgumentException("Trainer: the evaluation environment (" + evalEnv.spec()
                    + ") is not the same task as the training one (" + env.spec() + ")");
        }
        if (env == evalEnv) {
            throw new IllegalArgumentException("Trainer: training and evaluation need two environment instances");
        }
        this.settings = settings;
        this.config = config;
        this.env = env;
        this.evalEnv = evalEnv;
        this.spec = env.spec();
        this.outDir = outDir;
        this.overwrite = overwrite;
    }

    /** Every file a run writes into its output directory. */
    public static final List<String> OUTPUTS = List.of("run.txt", "episodes.csv", "evaluations.csv", "qbias.csv",
            "policy.ckpt", "learning_curve.png", "forward_speed.png", EvaluationPlots.TRACE, EvaluationPlots.SPEED,
            EvaluationPlots.GAIT);

    /** Adds a line to run.txt (for example the command line that started the run). */
    public Trainer describe(String key, String value) {
        extraRunInfo.put(key, value);
        return this;
    }

    /** What a finished run achieved. */
    public record Summary(long steps, long episodes, double finalEvalReturn, double bestEvalReturn, long bestEvalStep,
                          double seconds, double meanUpdateSeconds, long rejectedTransitions, Path outDir) {
    }

    /**
     * Runs the whole training.
     *
     * @param observer called after every environment step with a reused {@link Progress}
     * @throws IOException when the output cannot be written; results written so far stay on disk
     */
    public Summary run(Consumer<Progress> observer) throws IOException {
        if (!overwrite) {
            Outputs.requireAbsent(outDir, OUTPUTS);
        }
        Files.createDirectories(outDir);
        Rng master = new Rng(settings.seed());
        long learnerSeed = master.nextLong(), envSeed = master.nextLong(), evalSeed = master.nextLong();
        long replaySeed = master.nextLong(), qBiasSeed = master.nextLong();
        Rng explore = master.split();

        final int no = spec.observationSize(), na = spec.actionSize();
        final ReplayBuffer replay = new ReplayBuffer(settings.capacity(), no, na, replaySeed);
        this.replay = replay;
        final float[] obs = new float[no], action = new float[na], envAction = new float[na];
        final StepResult result = new StepResult(spec);
        final Progress progress = new Progress();
        progress.totalSteps = settings.steps();

        try (Learner learner = new Learner(config, no, na, learnerSeed);
             MetricsCsv episodes = new MetricsCsv(outDir.resolve("episodes.csv"), List.of("step", "episode", "return",
                     "length", "terminated", "alpha", "critic_loss", "actor_loss", "entropy", "mean_q", "update_ms",
                     "steps_per_second", "elapsed_s"), overwrite);
             MetricsCsv evaluations = new MetricsCsv(outDir.resolve("evaluations.csv"), List.of("step", "mean_return",
                     "std_return", "min_return", "max_return", "mean_length", "falls", "mean_forward_speed_mps",
                     "mean_yaw_drift_rad", "elapsed_s"), overwrite);
             MetricsCsv qbias = new MetricsCsv(outDir.resolve("qbias.csv"), List.of("step", "bias_mean", "bias_std",
                     "mean_q", "mean_return", "pairs", "tail_weight"), overwrite)) {
            writeRunInfo(learner);
            Evaluator evaluator = new Evaluator(evalEnv, settings.evalEpisodes(), evalSeed);
            Evaluator.Controller deterministic = (o, a) -> learner.act(o, a, true);
            QBias qBiasProbe = new QBias(learner, evalEnv, settings.qBiasEpisodes(), qBiasSeed, config.discount());
            List<double[]> curveEval = new ArrayList<>(), curveTrain = new ArrayList<>(), curveSpeed = new ArrayList<>();

            env.seed(envSeed);
            env.reset(obs);
            final long start = System.nanoTime();
            long episode = 0;
            int length = 0;
            double episodeReturn = 0;
            double sumCritic = 0, sumActor = 0, sumEntropy = 0, sumQ = 0, sumUpdate = 0, totalUpdate = 0;
            int updatesInEpisode = 0;
            long updates = 0;
            double best = Double.NEGATIVE_INFINITY, lastEval = Double.NaN;
            long bestStep = -1;

            for (long step = 1; step <= settings.steps(); step++) {
                final boolean warmingUp = step <= settings.randomSteps();
                if (warmingUp) {
                    explore.fillUniform(action, 0, na, -1f, 1f);
                } else {
                    learner.act(obs, action, false);
                }
                spec.scaleActions(action, envAction);
                env.step(envAction, result);
                episodeReturn += result.reward;
                length++;
                boolean poisoned = false;
                try {
                    // The time-limit trap: only a true termination stops bootstrapping; truncation does not.
                    replay.add(obs, action, result.reward, result.observation, result.terminated);
                } catch (IllegalArgumentException e) {
                    LOG.log(System.Logger.Level.WARNING, "step " + step + ": " + e.getMessage() + "; ending the episode");
                    poisoned = true;
                }
                System.arraycopy(result.observation, 0, obs, 0, no);

                if (!warmingUp && replay.size() > 0) {
                    UpdateReport r = learner.update(replay);
                    sumCritic += r.criticLoss;
                    sumActor += r.actorLoss;
                    sumEntropy += r.entropy;
                    sumQ += r.meanQ;
                    sumUpdate += r.seconds;
                    totalUpdate += r.seconds;
                    updatesInEpisode++;
                    updates++;
                    progress.alpha = r.alpha;
                    progress.criticLoss = r.criticLoss;
                    progress.updateSeconds = r.seconds;
                }

                final double elapsed = (System.nanoTime() - start) * 1e-9;
                if (result.terminated || result.truncated || poisoned) {
                    episode++;
                    double u = updatesInEpisode;
                    episodes.row(step, episode, episodeReturn, length, result.terminated ? 1 : 0, learner.alpha(),
                            sumCritic / u, sumActor / u, sumEntropy / u, sumQ / u, 1e3 * sumUpdate / u, step / elapsed, elapsed);
                    curveTrain.add(new double[]{step, episodeReturn});
                    progress.lastEpisodeReturn = episodeReturn;
                    progress.episodes = episode;
                    episodeReturn = 0;
                    length = 0;
                    sumCritic = sumActor = sumEntropy = sumQ = sumUpdate = 0;
                    updatesInEpisode = 0;
                    env.reset(obs);
                }

                final boolean last = step == settings.steps();
                if ((settings.evalInterval() > 0 && step % settings.evalInterval() == 0) || last) {
                    Evaluator.Result e = evaluator.run(deterministic);
                    evaluations.row(step, e.mean(), e.std(), e.min(), e.max(), e.meanLength(), e.falls(),
                            e.meanForwardSpeed(), e.meanYawDrift(), elapsed);
                    curveEval.add(new double[]{step, e.mean()});
                    curveSpeed.add(new double[]{step, e.meanForwardSpeed()});
                    lastEval = e.mean();
                    if (e.mean() > best) {
                        best = e.mean();
                        bestStep = step;
                    }
                    progress.lastEvalReturn = e.mean();
                    savePolicy(learner, step);
                    plot(curveEval, curveTrain);
                    if (!e.channels().isEmpty()) {
                        EvaluationPlots.write(outDir, spec.name() + ", step " + step, e);
                        Plots.linePlot(outDir.resolve("forward_speed.png"), spec.name() + ": evaluation forward speed",
                                "environment steps", "mean forward speed (m/s)",
                                List.of(new Plots.Series("mean forward speed", column(curveSpeed, 0), column(curveSpeed, 1))));
                    }
                }
                if (settings.qBiasInterval() > 0 && !warmingUp && step % settings.qBiasInterval() == 0) {
                    QBias.Result q = qBiasProbe.run(learner.alpha());
                    qbias.row(step, q.biasMean(), q.biasStd(), q.meanQ(), q.meanReturn(), q.pairs(), q.tailWeight());
                }

                progress.step = step;
                progress.warmingUp = warmingUp;
                progress.elapsedSeconds = elapsed;
                progress.stepsPerSecond = step / Math.max(elapsed, 1e-9);
                observer.accept(progress);
            }
            double seconds = (System.nanoTime() - start) * 1e-9;
            return new Summary(settings.steps(), episode, lastEval, best, bestStep, seconds,
                    updates == 0 ? Double.NaN : totalUpdate / updates, replay.rejected(), outDir);
        }
    }

    ReplayBuffer replay() {
        return replay;
    }

    private void savePolicy(Learner learner, long step) throws IOException {
        PolicyCheckpoint.save(outDir.resolve("policy.ckpt"), learner.policyParams(), config.preset(), spec,
                config.hidden(), step, settings.seed());
    }

    private void plot(List<double[]> eval, List<double[]> train) throws IOException {
        List<Plots.Series> series = new ArrayList<>();
        series.add(new Plots.Series("evaluation (mean of " + settings.evalEpisodes() + ", deterministic)",
                column(eval, 0), column(eval, 1)));
        if (!train.isEmpty()) {
            series.add(new Plots.Series("training episode", column(train, 0), column(train, 1)));
        }
        Plots.linePlot(outDir.resolve("learning_curve.png"), spec.name() + ": " + config.preset() + ", seed " + settings.seed(),
                "environment steps", "return", series);
    }

    private static double[] column(List<double[]> rows, int c) {
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.get(i)[c];
        }
        return out;
    }


    private void writeRunInfo(Learner learner) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("environment: ").append(spec).append('\n');
        sb.append("learner: ").append(config).append('\n');
        sb.append("learner threads in use: ").append(learner.threads()).append('\n');
        sb.append("settings: ").append(settings).append('\n');
        sb.append("blas: ").append(BlasBackend.describe()).append('\n');
        sb.append("java: ").append(System.getProperty("java.runtime.version")).append(" (")
                .append(System.getProperty("java.vm.name")).append(")\n");
        for (Map.Entry<String, String> e : extraRunInfo.entrySet()) {
            sb.append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        Path file = outDir.resolve("run.txt");
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "Trainer(" + spec.name() + ", " + config.preset() + ", " + settings + ", out " + outDir + ", bounds "
                + Arrays.toString(spec.actionLow()) + ".." + Arrays.toString(spec.actionHigh()) + ")";
    }
}

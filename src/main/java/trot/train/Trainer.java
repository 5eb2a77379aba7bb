package trot.train;

import trot.agent.Learner;
import trot.agent.LearnerConfig;
import trot.agent.UpdateReport;
import trot.blas.BlasBackend;
import trot.env.EnvSpec;
import trot.env.Environment;
import trot.env.RealTime;
import trot.env.Resumable;
import trot.env.StepResult;
import trot.io.Outputs;
import trot.io.MetricsCsv;
import trot.io.Plots;
import trot.io.Snapshot;
import trot.replay.ReplayBuffer;
import trot.replay.ReplayLog;
import trot.runtime.PacerStats;
import trot.runtime.RealTimeLoop;
import trot.runtime.Rollout;
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
 *   <li>{@code policy.ckpt}: the policy, saved after every evaluation and at the end;</li>
 *   <li>with {@link #videoEvery}: {@code videos/eval-step-NNNNNN.mp4}, the first episode of every N-th evaluation;</li>
 *   <li>with {@link #snapshotEvery}: {@code state.snap}, the whole run at a step boundary, and {@code replay.log},
 *       every stored transition, from which {@link #resume} continues the run bit-exactly ({@code docs/recovery.md}).</li>
 * </ul>
 * <h2>Two schedules</h2>
 * A simulation is stepped <b>synchronously</b>: step, store, update, in turn, bit-reproducibly. A world that keeps its
 * own time ({@link RealTime}: a robot, {@code PacedPendulum}) runs the <b>real-time</b> schedule of
 * {@link RealTimeLoop}: a control thread paced by the world, learning on other threads, one world instance for
 * training and evaluation, snapshots at episode boundaries without world state, and {@code control.csv}
 * (achieved UTD, jitter, latency, overruns per episode) and {@code jitter.png}; see docs/runtime.md.
 *
 * <p>The same settings, configuration and seed give the same numbers in every file but the timings (synchronous
 * schedule). Without
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
        if (env == evalEnv && !(env instanceof RealTime)) {
            throw new IllegalArgumentException("Trainer: training and evaluation need two environment instances"
                    + " (only a real-time world, a robot, is its own evaluation environment)");
        }
        this.settings = settings;
        this.config = config;
        this.env = env;
        this.evalEnv = evalEnv;
        this.spec = env.spec();
        this.outDir = outDir;
        this.overwrite = overwrite;
    }

    /** The snapshot of a run with snapshots on ({@link #snapshotEvery}), replaced atomically. */
    public static final String SNAPSHOT = "state.snap";
    /** The replay log of a run with snapshots on. */
    public static final String REPLAY_LOG = "replay.log";

    /** Every file a run writes into its output directory. */
    public static final List<String> OUTPUTS = List.of("run.txt", "episodes.csv", "evaluations.csv", "qbias.csv",
            "policy.ckpt", "learning_curve.png", "forward_speed.png", EvaluationPlots.TRACE, EvaluationPlots.SPEED,
            EvaluationPlots.GAIT, SNAPSHOT, REPLAY_LOG, "control.csv", "jitter.png",
            "world.csv", "world.png", "jitter_histogram.csv", "jitter_histogram.png", "videos");
    /** Real-time schedule, a world with {@link trot.env.Telemetry}: its telemetry at the end of every episode. */
    public static final String WORLD_CSV = "world.csv", WORLD_PLOT = "world.png";

    /** control.csv (real-time schedule): one row per training episode, times in ms. */
    static final List<String> CONTROL_COLUMNS = List.of("step", "episode", "length", "update_calls", "critic_updates",
            "utd", "jitter_p50_ms", "jitter_p99_ms", "jitter_max_ms", "latency_p50_ms", "latency_p99_ms",
            "latency_max_ms", "overruns", "dropped", "policy_version", "elapsed_s");

    private static final List<String> EPISODE_COLUMNS = List.of("step", "episode", "return",
            "length", "terminated", "alpha", "critic_loss", "actor_loss", "entropy", "mean_q", "update_ms",
            "steps_per_second", "elapsed_s");
    private static final List<String> EVALUATION_COLUMNS = List.of("step", "mean_return",
            "std_return", "min_return", "max_return", "mean_length", "falls", "mean_forward_speed_mps",
            "mean_yaw_drift_rad", "elapsed_s");
    private static final List<String> QBIAS_COLUMNS = List.of("step", "bias_mean", "bias_std",
            "mean_q", "mean_return", "pairs", "tail_weight");

    private long snapshotEvery;
    private boolean resume;
    private boolean keepLogTail;
    private volatile boolean stopRequested;
    private long lastSnapshotStep = -1;
    private String resumeMessage = "";

    private final Map<String, String> snapshotMeta = new LinkedHashMap<>();

    /** Adds a metadata entry {@code run.<key>} to every snapshot (what a command needs to resume, such as a model file). */
    public Trainer record(String key, String value) {
        snapshotMeta.put("run." + key, value);
        return this;
    }

    /** Adds a line to run.txt (for example the command line that started the run). */
    public Trainer describe(String key, String value) {
        extraRunInfo.put(key, value);
        return this;
    }

    /**
     * Writes a snapshot of the whole run ({@link #SNAPSHOT}) every {@code steps} environment steps, at the end and
     * on {@link #requestStop}, and logs every transition to {@link #REPLAY_LOG}; 0 (the default) turns both off.
     * For an environment that can be captured only at episode boundaries, a due snapshot waits for the next one.
     *
     * @throws IllegalArgumentException for a negative interval, or snapshots of an environment that is not
     *                                  {@link Resumable}
     */
    public Trainer snapshotEvery(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("Trainer: the snapshot interval must not be negative, got " + steps);
        }
        if (steps > 0 && !(env instanceof Resumable) && !(env instanceof RealTime)) {
            throw new IllegalArgumentException("Trainer: " + spec.name() + " cannot be snapshotted (it is not Resumable)");
        }
        this.snapshotEvery = steps;
        return this;
    }

    /**
     * Continue the run in the output directory from its snapshot instead of starting one: the configuration and
     * settings given to this trainer must be the snapshot's (the thread count may differ). Snapshots continue at
     * the interval of {@link #snapshotEvery} (the snapshot's if not set).
     */
    public Trainer resume(boolean resume) {
        this.resume = resume;
        return this;
    }

    /**
     * On resume, keep the valid log records after the snapshot instead of cutting them: for a robot, whose
     * transitions are not collected again. (Off in simulation, where the resumed run collects them again and
     * keeping them would change its numbers.) Not implemented by the loop yet beyond the log: see docs/recovery.md.
     */
    Trainer keepLogTail(boolean keep) {
        this.keepLogTail = keep;
        return this;
    }

    /**
     * Asks the run to stop at the next step boundary where a snapshot can be written, after writing it (or at
     * once, when snapshots are off). Safe to call from any thread (a shutdown hook).
     */
    public void requestStop() {
        stopRequested = true;
    }

    /** Opens the recorder of one evaluation's first episode, writing {@code file} (an MP4). */
    @FunctionalInterface
    public interface RecorderFactory {
        EpisodeRecorder open(Path file) throws IOException;
    }

    /** Where the videos of {@link #videoEvery} go, inside the output directory. */
    public static final String VIDEOS = "videos";

    private int videoEvery;
    private RecorderFactory videos;

    /**
     * Records the first episode of every {@code every}-th evaluation (counted over the whole run, a resumed one
     * included) into {@code videos/eval-step-NNNNNN.mp4} (NNNNNN: the environment step); 0 (the default) records none.
     * Recording changes no number of the run: the evaluation environment is only read.
     *
     * @throws IllegalArgumentException for a negative interval or a missing factory
     */
    public Trainer videoEvery(int every, RecorderFactory factory) {
        if (every < 0 || (every > 0 && factory == null)) {
            throw new IllegalArgumentException("Trainer: the video interval must be >= 0 evaluations (with a recorder),"
                    + " got " + every);
        }
        this.videoEvery = every;
        this.videos = factory;
        return this;
    }

    /** The video file of the evaluation at {@code step}. */
    public static Path videoFile(Path outDir, long step) {
        return outDir.resolve(VIDEOS).resolve(String.format(java.util.Locale.ROOT, "eval-step-%06d.mp4", step));
    }

    private Consumer<Learner> learnerWatcher = l -> { };

    /** Hands the run's learner to {@code watcher} when it is built (tests that poison it). */
    Trainer watchLearner(Consumer<Learner> watcher) {
        this.learnerWatcher = watcher;
        return this;
    }

    /** What {@link #run} said about the resume (the replay log's recovery), empty for a new run. */
    public String resumeMessage() {
        return resumeMessage;
    }

    /** What a finished run achieved. {@code stopped}: it ended early, on {@link #requestStop}. */
    public record Summary(long steps, long episodes, double finalEvalReturn, double bestEvalReturn, long bestEvalStep,
                          double seconds, double meanUpdateSeconds, long rejectedTransitions, Path outDir,
                          boolean stopped) {
    }

    /** The loop's own state: what a snapshot holds besides the learner, the buffer and the environment. */
    private static final class Loop {
        long step, episode, length, updatesInEpisode, updates, bestStep = -1;
        double episodeReturn, sumCritic, sumActor, sumEntropy, sumQ, sumUpdate, totalUpdate;
        double best = Double.NEGATIVE_INFINITY, lastEval = Double.NaN, elapsed;

        long[] counters() {
            return new long[]{step, episode, length, updatesInEpisode, updates, bestStep};
        }

        double[] sums(Progress p) {
            return new double[]{episodeReturn, sumCritic, sumActor, sumEntropy, sumQ, sumUpdate, totalUpdate, best,
                    lastEval, elapsed, p.lastEpisodeReturn, p.lastEvalReturn, p.alpha, p.criticLoss, p.updateSeconds};
        }

        void restore(long[] c, double[] d, Progress p) {
            step = c[0];
            episode = c[1];
            length = c[2];
            updatesInEpisode = c[3];
            updates = c[4];
            bestStep = c[5];
            episodeReturn = d[0];
            sumCritic = d[1];
            sumActor = d[2];
            sumEntropy = d[3];
            sumQ = d[4];
            sumUpdate = d[5];
            totalUpdate = d[6];
            best = d[7];
            lastEval = d[8];
            elapsed = d[9];
            p.lastEpisodeReturn = d[10];
            p.lastEvalReturn = d[11];
            p.alpha = d[12];
            p.criticLoss = d[13];
            p.updateSeconds = d[14];
        }
    }

    /**
     * Runs the whole training (or, with {@link #resume}, the rest of it).
     *
     * @param observer called after every environment step with a reused {@link Progress}; in the real-time schedule
     *                 instead every {@value #PROGRESS_PERIOD_MS} ms from a thread of its own (never the control thread)
     * @throws IOException         when the output cannot be written; results written so far stay on disk. On
     *                             resume: when the snapshot, the log or a metrics file is missing, damaged or of
     *                             another run (the message names the file; nothing is changed)
     * @throws DivergenceException when a loss, a weight or an action became NaN or infinite
     */
    public Summary run(Consumer<Progress> observer) throws IOException {
        Snapshot snap = null;
        Path snapFile = outDir.resolve(SNAPSHOT), logFile = outDir.resolve(REPLAY_LOG);
        if (resume) {
            snap = Snapshot.read(snapFile);
            checkSameRun(snap);
            if (snapshotEvery == 0) {
                snapshotEvery(Long.parseLong(snap.meta().getOrDefault("snapshot_every", "0")));
            }
        } else if (!overwrite) {
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
        final Rollout rollout = new Rollout(env);
        final float[] obs = rollout.observation(), action = rollout.action();
        final StepResult result = rollout.result();
        final Progress progress = new Progress();
        progress.totalSteps = settings.steps();
        final Loop loop = new Loop();
        final boolean snapshots = snapshotEvery > 0;

        try (Learner learner = new Learner(config, no, na, learnerSeed);
             Closer closer = new Closer()) {
            learnerWatcher.accept(learner);
            MetricsCsv episodes, evaluations, qbias;
            ReplayLog log = null;
            List<double[]> curveEval = new ArrayList<>(), curveTrain = new ArrayList<>(), curveSpeed = new ArrayList<>();
            if (snap != null) {
                // Everything is checked before anything on disk changes.
                learner.restoreState(snap);
                long[] c = new long[6];
                double[] d = new double[15];
                snap.longs("trainer.counters", c);
                snap.doubles("trainer.sums", d);
                loop.restore(c, d, progress);
                rollout.restoreEpisode(loop.episodeReturn, loop.length);
                progress.episodes = loop.episode;
                long[] rows = new long[4];
                snap.longs("trainer.rows", rows);
                long[] exploreState = new long[Rng.STATE_LONGS];
                snap.longs("trainer.explore_rng", exploreState);
                explore.restoreState(exploreState, 0);
                final boolean realTime = env instanceof RealTime;
                float[] envObs = new float[no];
                if (!realTime) {
                    ((Resumable) env).restoreState(snap, envObs);
                }
                // A real-time world is not restored: its run continues with a fresh reset.
                snap.floats("trainer.observation", obs);
                if (!realTime && !Arrays.equals(obs, envObs)) {
                    throw new IOException("snapshot " + snapFile + ": the restored environment observes "
                            + Arrays.toString(envObs) + ", the snapshot's loop had " + Arrays.toString(obs)
                            + "; the environment is not the one the run used");
                }
                MetricsCsv.checkResumable(outDir.resolve("episodes.csv"), EPISODE_COLUMNS, rows[0]);
                MetricsCsv.checkResumable(outDir.resolve("evaluations.csv"), EVALUATION_COLUMNS, rows[1]);
                MetricsCsv.checkResumable(outDir.resolve("qbias.csv"), QBIAS_COLUMNS, rows[2]);
                ReplayLog.Recovery rec = ReplayLog.recover(logFile, spec.name(), no, na,
                        keepLogTail || realTime ? Long.MAX_VALUE : rows[3], replay);
                log = closer.add(rec.log());
                if (realTime) {
                    // A robot's transitions after the snapshot are real data, not collected again: keep them.
                    replay.restoreStateKeepingTail(snap);
                    loop.step = Math.max(loop.step, log.lastStep());
                } else {
                    replay.restoreState(snap);
                }
                resumeMessage = rec.message();
                LOG.log(System.Logger.Level.INFO, resumeMessage);
                episodes = closer.add(MetricsCsv.resume(outDir.resolve("episodes.csv"), EPISODE_COLUMNS, rows[0]));
                evaluations = closer.add(MetricsCsv.resume(outDir.resolve("evaluations.csv"), EVALUATION_COLUMNS, rows[1]));
                qbias = closer.add(MetricsCsv.resume(outDir.resolve("qbias.csv"), QBIAS_COLUMNS, rows[2]));
                MetricsCsv.Table et = MetricsCsv.read(episodes.file()), vt = MetricsCsv.read(evaluations.file());
                double[] es = et.column("step"), er = et.column("return");
                for (int i = 0; i < es.length; i++) {
                    curveTrain.add(new double[]{es[i], er[i]});
                }
                double[] vs = vt.column("step"), vr = vt.column("mean_return"), vf = vt.column("mean_forward_speed_mps");
                for (int i = 0; i < vs.length; i++) {
                    curveEval.add(new double[]{vs[i], vr[i]});
                    curveSpeed.add(new double[]{vs[i], vf[i]});
                }
                lastSnapshotStep = loop.step;
                Files.writeString(outDir.resolve("run.txt"), "resumed at step " + loop.step + ": "
                        + extraRunInfo.getOrDefault("command", "(from the API)") + "\n", StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.APPEND);
            } else {
                episodes = closer.add(new MetricsCsv(outDir.resolve("episodes.csv"), EPISODE_COLUMNS, overwrite));
                evaluations = closer.add(new MetricsCsv(outDir.resolve("evaluations.csv"), EVALUATION_COLUMNS, overwrite));
                qbias = closer.add(new MetricsCsv(outDir.resolve("qbias.csv"), QBIAS_COLUMNS, overwrite));
                writeRunInfo(learner);
                if (overwrite) {
                    Files.deleteIfExists(snapFile);   // a snapshot of an earlier run must not be resumed onto this one
                }
                if (snapshots) {
                    log = closer.add(ReplayLog.create(logFile, spec.name(), no, na, overwrite));
                }
                env.seed(envSeed);
                if (!(env instanceof RealTime)) {
                    rollout.reset();   // the real-time schedule resets on its control thread
                }
            }
            Evaluator evaluator = new Evaluator(evalEnv, settings.evalEpisodes(), evalSeed);
            Evaluator.Controller deterministic = (o, a) -> learner.act(o, a, true);
            QBias qBiasProbe = new QBias(learner, evalEnv, settings.qBiasEpisodes(), qBiasSeed, config.discount());

            if (env instanceof RealTime) {
                return runRealTime(learner, replay, log, explore, explore.split(), loop, progress, evaluator, episodes, evaluations,
                        curveEval, curveTrain, curveSpeed, observer, snapFile, closer);
            }
            final long start = System.nanoTime() - (long) (loop.elapsed * 1e9);
            boolean stopped = false;

            for (long step = loop.step + 1; step <= settings.steps(); step++) {
                final boolean warmingUp = step <= settings.randomSteps();
                if (warmingUp) {
                    explore.fillUniform(action, 0, na, -1f, 1f);
                } else {
                    learner.act(obs, action, false);
                    checkFinite(action, "the policy's action", step);
                }
                rollout.step();
                boolean poisoned = false;
                try {
                    // The time-limit trap: only a true termination stops bootstrapping; truncation does not.
                    replay.add(obs, action, result.reward, result.observation, result.terminated);
                    if (log != null) {
                        log.append(step, obs, action, result.reward, result.observation, result.terminated);
                    }
                } catch (IllegalArgumentException e) {
                    LOG.log(System.Logger.Level.WARNING, "step " + step + ": " + e.getMessage() + "; ending the episode");
                    poisoned = true;
                }
                rollout.advance();

                if (!warmingUp && replay.size() > 0) {
                    UpdateReport r = learner.update(replay);
                    checkFinite(r, step);
                    loop.sumCritic += r.criticLoss;
                    loop.sumActor += r.actorLoss;
                    loop.sumEntropy += r.entropy;
                    loop.sumQ += r.meanQ;
                    loop.sumUpdate += r.seconds;
                    loop.totalUpdate += r.seconds;
                    loop.updatesInEpisode++;
                    loop.updates++;
                    progress.alpha = r.alpha;
                    progress.criticLoss = r.criticLoss;
                    progress.updateSeconds = r.seconds;
                }

                final double elapsed = (System.nanoTime() - start) * 1e-9;
                if (result.terminated || result.truncated || poisoned) {
                    loop.episode++;
                    double u = loop.updatesInEpisode;
                    episodes.row(step, loop.episode, rollout.episodeReturn(), rollout.length(), result.terminated ? 1 : 0, learner.alpha(),
                            loop.sumCritic / u, loop.sumActor / u, loop.sumEntropy / u, loop.sumQ / u,
                            1e3 * loop.sumUpdate / u, step / elapsed, elapsed);
                    curveTrain.add(new double[]{step, rollout.episodeReturn()});
                    progress.lastEpisodeReturn = rollout.episodeReturn();
                    progress.episodes = loop.episode;
                    loop.sumCritic = loop.sumActor = loop.sumEntropy = loop.sumQ = loop.sumUpdate = 0;
                    loop.updatesInEpisode = 0;
                    rollout.reset();
                }

                final boolean last = step == settings.steps();
                if ((settings.evalInterval() > 0 && step % settings.evalInterval() == 0) || last) {
                    evaluate(evaluator, deterministic, step, elapsed, evaluations, curveEval, curveTrain, curveSpeed, loop,
                            progress, learner);
                }
                if (settings.qBiasInterval() > 0 && !warmingUp && step % settings.qBiasInterval() == 0) {
                    QBias.Result q = qBiasProbe.run(learner.alpha());
                    qbias.row(step, q.biasMean(), q.biasStd(), q.meanQ(), q.meanReturn(), q.pairs(), q.tailWeight());
                }

                loop.step = step;
                loop.elapsed = elapsed;
                loop.episodeReturn = rollout.episodeReturn();
                loop.length = rollout.length();
                progress.step = step;
                progress.warmingUp = warmingUp;
                progress.elapsedSeconds = elapsed;
                progress.stepsPerSecond = step / Math.max(elapsed, 1e-9);
                observer.accept(progress);

                final boolean stopping = stopRequested;
                if (snapshots && (stopping || last || step - Math.max(lastSnapshotStep, 0) >= snapshotEvery)
                        && ((Resumable) env).canCapture()) {
                    String bad = learner.firstNonFiniteWeight();
                    if (bad != null) {
                        throw diverged("the weight " + bad, step);
                    }
                    writeSnapshot(snapFile, learner, replay, explore, loop, progress, obs, log,
                            new long[]{episodes.rows(), evaluations.rows(), qbias.rows(), log.count()},
                            episodes, evaluations, qbias);
                    lastSnapshotStep = step;
                }
                if (stopping && !last && (!snapshots || lastSnapshotStep == step)) {
                    stopped = true;
                    break;
                }
            }
            double seconds = (System.nanoTime() - start) * 1e-9;
            return new Summary(loop.step, loop.episode, loop.lastEval, loop.best, loop.bestStep, seconds,
                    loop.updates == 0 ? Double.NaN : loop.totalUpdate / loop.updates, replay.rejected(), outDir, stopped);
        }
    }

    private void evaluate(Evaluator evaluator, Evaluator.Controller deterministic, long step, double elapsed,
                          MetricsCsv evaluations, List<double[]> curveEval, List<double[]> curveTrain,
                          List<double[]> curveSpeed, Loop loop, Progress progress, Learner learner) throws IOException {
        long index = evaluations.rows() + 1;   // this evaluation's number in the run, resumes included
        Evaluator.Result e = null;
        if (videoEvery > 0 && index % videoEvery == 0) {
            // A video that cannot be written costs the video, never the run: the evaluation is then run again
            // without it (it re-seeds its environment, so its numbers are the same).
            Path file = videoFile(outDir, step);
            try {
                e = evaluator.run(deterministic, videos.open(file));
            } catch (IOException | java.io.UncheckedIOException | IllegalStateException x) {
                LOG.log(System.Logger.Level.WARNING, "the video " + file + " could not be written (" + x.getMessage()
                        + "); the evaluation at step " + step + " runs again without it");
            }
        }
        if (e == null) {
            e = evaluator.run(deterministic);
        }
        evaluations.row(step, e.mean(), e.std(), e.min(), e.max(), e.meanLength(), e.falls(),
                e.meanForwardSpeed(), e.meanYawDrift(), elapsed);
        curveEval.add(new double[]{step, e.mean()});
        curveSpeed.add(new double[]{step, e.meanForwardSpeed()});
        loop.lastEval = e.mean();
        if (e.mean() > loop.best) {
            loop.best = e.mean();
            loop.bestStep = step;
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

    /**
     * The real-time schedule ({@link RealTimeLoop}): the world keeps the time on a control thread, the learner
     * updates on its own. At every episode boundary (learner paused): the episode's rows in episodes.csv and
     * control.csv, a deterministic evaluation on the same world when one is due (and at the end), a snapshot when
     * due (learner, buffer, counters; no world state). Q-bias diagnostics are not run (they would roll out on the
     * robot). Ends with the world closed.
     */
    private Summary runRealTime(Learner learner, ReplayBuffer replay, ReplayLog log, Rng explore, Rng actingNoise, Loop loop,
                                Progress progress, Evaluator evaluator, MetricsCsv episodes, MetricsCsv evaluations,
                                List<double[]> curveEval, List<double[]> curveTrain, List<double[]> curveSpeed,
                                Consumer<Progress> observer, Path snapFile, Closer closer) throws IOException {
        final RealTimeLoop rt = new RealTimeLoop(env, learner, replay, log, explore, actingNoise, settings.steps(),
                settings.randomSteps(), ringCapacity).fifoPriority(controlFifoPriority);
        final MetricsCsv control = closer.add(resume && Files.exists(outDir.resolve("control.csv"))
                ? MetricsCsv.resume(outDir.resolve("control.csv"), CONTROL_COLUMNS, loop.episode)
                : new MetricsCsv(outDir.resolve("control.csv"), CONTROL_COLUMNS, true));
        final List<double[]> jitter = new ArrayList<>();
        // A robot's own counters (link statistics, resets, interlocks), one row per episode, read on the control
        // thread at the boundary, where the world is between steps.
        final trot.env.Telemetry telemetry = env instanceof trot.env.Telemetry t0 ? t0 : null;
        final List<String> worldColumns = new ArrayList<>(List.of("step", "episode"));
        if (telemetry != null) {
            worldColumns.addAll(telemetry.telemetryNames());
        }
        final MetricsCsv world = telemetry == null ? null : closer.add(resume && Files.exists(outDir.resolve(WORLD_CSV))
                ? MetricsCsv.resume(outDir.resolve(WORLD_CSV), worldColumns, loop.episode)
                : new MetricsCsv(outDir.resolve(WORLD_CSV), worldColumns, true));
        final double[] worldRow = new double[worldColumns.size()], worldValues = new double[worldColumns.size() - 2];
        final List<double[]> worldRows = new ArrayList<>();
        final Evaluator.Controller deterministic = (o, a) -> rt.policy().act(o, a, true);
        final long start = System.nanoTime() - (long) (loop.elapsed * 1e9);
        final boolean snapshots = snapshotEvery > 0;
        final long g = config.updatesPerStep();
        RealTimeLoop.Hooks hooks = new RealTimeLoop.Hooks() {
            long nextEval = settings.evalInterval() > 0 ? (loop.step / settings.evalInterval() + 1) * settings.evalInterval()
                    : Long.MAX_VALUE;

            @Override
            public void checkAction(float[] action, long step) {
                checkFinite(action, "the policy's action", step);
            }

            @Override
            public void checkUpdate(UpdateReport r, long step) {
                checkFinite(r, step);
            }

            @Override
            public void stepped(long step, boolean warmingUp) {
                // Plain writes, no call out: the observer (a progress bar allocates) runs on the progress thread.
                double elapsed = (System.nanoTime() - start) * 1e-9;
                progress.step = step;
                progress.warmingUp = warmingUp;
                progress.elapsedSeconds = elapsed;
                progress.stepsPerSecond = step / Math.max(elapsed, 1e-9);
            }

            @Override
            public void episodeEnded(RealTimeLoop.Episode e) throws IOException {
                double elapsed = (System.nanoTime() - start) * 1e-9;
                double u = e.calls;
                loop.episode = e.number;
                loop.step = e.step;
                loop.elapsed = elapsed;
                loop.updates += e.calls;
                loop.totalUpdate += e.sumUpdate_s;
                episodes.row(e.step, e.number, e.episodeReturn, e.length, e.terminated ? 1 : 0, learner.alpha(),
                        e.sumCritic / u, e.sumActor / u, e.sumEntropy / u, e.sumQ / u, 1e3 * e.sumUpdate_s / u,
                        e.step / elapsed, elapsed);
                PacerStats p = e.pacer;
                control.row(e.step, e.number, e.length, e.calls, e.criticUpdates, e.utd, p.jitterP50_ms, p.jitterP99_ms,
                        p.jitterMax_ms, p.latencyP50_ms, p.latencyP99_ms, p.latencyMax_ms, p.overruns, e.dropped,
                        e.policyVersion, elapsed);
                if (world != null) {
                    telemetry.telemetry(worldValues);
                    worldRow[0] = e.step;
                    worldRow[1] = e.number;
                    System.arraycopy(worldValues, 0, worldRow, 2, worldValues.length);
                    world.row(worldRow);
                    worldRows.add(worldRow.clone());
                }
                curveTrain.add(new double[]{e.step, e.episodeReturn});
                jitter.add(new double[]{e.step, p.jitterP50_ms, p.jitterP99_ms, p.jitterMax_ms, p.latencyP99_ms, e.utd});
                progress.lastEpisodeReturn = e.episodeReturn;
                progress.episodes = e.number;
                progress.alpha = e.alpha;
                progress.criticLoss = e.calls == 0 ? progress.criticLoss : e.sumCritic / u;
                if (e.step >= nextEval && e.step < settings.steps()) {
                    evaluateNow(e.step, elapsed);
                    nextEval = (e.step / settings.evalInterval() + 1) * settings.evalInterval();
                }
                if (snapshots && e.step - Math.max(lastSnapshotStep, 0) >= snapshotEvery) {
                    snapshot(e.step);
                }
            }

            private void evaluateNow(long step, double elapsed) throws IOException {
                rt.policy().refresh();
                evaluate(evaluator, deterministic, step, elapsed, evaluations, curveEval, curveTrain, curveSpeed, loop,
                        progress, learner);
            }

            private void snapshot(long step) throws IOException {
                String bad = learner.firstNonFiniteWeight();
                if (bad != null) {
                    throw diverged("the weight " + bad, step);
                }
                loop.step = step;
                loop.episodeReturn = 0;
                loop.length = 0;
                loop.updatesInEpisode = 0;
                writeSnapshot(snapFile, learner, replay, explore, loop, progress, rt.rollout().observation(), log,
                        new long[]{episodes.rows(), evaluations.rows(), 0, log.count()}, world == null
                        ? new MetricsCsv[]{episodes, evaluations, control} : new MetricsCsv[]{episodes, evaluations, control, world});
                lastSnapshotStep = step;
            }

            @Override
            public void stopping(long step, Throwable cause) throws IOException {
                if (snapshots) {
                    snapshot(step);
                }
            }

            @Override
            public void finished(long step) throws IOException {
                double elapsed = (System.nanoTime() - start) * 1e-9;
                loop.step = step;
                evaluateNow(step, elapsed);
                if (snapshots) {
                    snapshot(step);
                }
            }
        };
        // The observer sees the progress from a thread of its own, PROGRESS_PERIOD_MS apart, so that whatever it does
        // (draw a progress bar, request a stop) never runs on the control thread.
        final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread reporter = new Thread(() -> {
            while (running.get()) {
                observer.accept(progress);
                java.util.concurrent.locks.LockSupport.parkNanos(PROGRESS_PERIOD_MS * 1_000_000L);
            }
        }, "trot-progress");
        reporter.setDaemon(true);
        reporter.start();
        RealTimeLoop.Totals t;
        try {
            t = rt.run(loop.step, loop.episode, () -> stopRequested, hooks);
        } finally {
            running.set(false);
            try {
                reporter.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            writeJitterPlot(jitter);
            writeWorldPlot(worldColumns, worldRows);
            if (rt.pacer() instanceof trot.runtime.PeriodicPacer periodic) {
                writeJitterHistogram(periodic);
            }
        }
        observer.accept(progress);
        this.lastControl = t;
        LOG.log(System.Logger.Level.INFO, "real-time schedule: " + t.steps() + " steps, achieved UTD " + t.utd()
                + " (G = " + g + "), " + t.dropped() + " dropped transitions; " + t.pacer());
        double seconds = (System.nanoTime() - start) * 1e-9;
        return new Summary(t.steps(), loop.episode, loop.lastEval, loop.best, loop.bestStep, seconds,
                loop.updates == 0 ? Double.NaN : loop.totalUpdate / loop.updates, replay.rejected(), outDir, t.stopped());
    }

    private void writeJitterPlot(List<double[]> rows) throws IOException {
        if (rows.isEmpty()) {
            return;
        }
        Plots.linePlot(outDir.resolve("jitter.png"), spec.name() + ": control period start jitter and command latency",
                "environment steps", "ms", List.of(
                        new Plots.Series("jitter p50", column(rows, 0), column(rows, 1)),
                        new Plots.Series("jitter p99", column(rows, 0), column(rows, 2)),
                        new Plots.Series("jitter max", column(rows, 0), column(rows, 3)),
                        new Plots.Series("command latency p99", column(rows, 0), column(rows, 4))));
    }

    /** The bounds of jitter_histogram.csv, ms. */
    private static final double[] HISTOGRAM_BOUNDS_MS = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5,
            10, 20, 50, 100, 200, 500, 1000};

    /**
     * jitter_histogram.csv and jitter_histogram.png: over the whole run, the fraction of control periods whose start
     * was late by at most each bound, and of commands sent within each bound of their period's start (a cumulative
     * histogram: where p99 and the tail lie at a glance).
     */
    private void writeJitterHistogram(trot.runtime.PeriodicPacer pacer) throws IOException {
        trot.runtime.DurationHistogram jitter = new trot.runtime.DurationHistogram(), latency = new trot.runtime.DurationHistogram();
        pacer.totalHistograms(jitter, latency);
        if (jitter.count() == 0) {
            return;
        }
        double[] x = new double[HISTOGRAM_BOUNDS_MS.length], j = new double[x.length], l = new double[x.length];
        try (MetricsCsv csv = new MetricsCsv(outDir.resolve("jitter_histogram.csv"), List.of("at_most_ms",
                "periods", "fraction_of_periods", "commands", "fraction_of_commands"), true)) {
            for (int i = 0; i < x.length; i++) {
                long bound = Math.round(HISTOGRAM_BOUNDS_MS[i] * 1e6);
                long nj = jitter.countAtMost(bound), nl = latency.countAtMost(bound);
                x[i] = Math.log10(HISTOGRAM_BOUNDS_MS[i]);
                j[i] = (double) nj / jitter.count();
                l[i] = latency.count() == 0 ? Double.NaN : (double) nl / latency.count();
                csv.row(HISTOGRAM_BOUNDS_MS[i], nj, j[i], nl, l[i]);
            }
        }
        Plots.linePlot(outDir.resolve("jitter_histogram.png"), spec.name() + ": " + jitter.count()
                        + " control periods (cumulative)", "log10(ms)", "fraction at most",
                List.of(new Plots.Series("period-start jitter", x, j), new Plots.Series("command latency", x, l)));
    }

    /** world.png: the per-episode values among a robot's telemetry that say how the hardware side went. */
    private void writeWorldPlot(List<String> columns, List<double[]> rows) throws IOException {
        if (rows.isEmpty()) {
            return;
        }
        List<Plots.Series> series = new ArrayList<>();
        for (String name : List.of("last_reset_s", "rtt_p99_ms", "max_temp_C")) {
            int c = columns.indexOf(name);
            if (c >= 0) {
                series.add(new Plots.Series(name, column(rows, 0), column(rows, c)));
            }
        }
        if (!series.isEmpty()) {
            Plots.linePlot(outDir.resolve(WORLD_PLOT), spec.name() + ": reset time, link round trip, motor temperature"
                    + " (end of each episode)", "environment steps", "s, ms, deg C", series);
        }
    }

    /** How often the real-time schedule shows the observer its progress. */
    static final long PROGRESS_PERIOD_MS = 100;

    private RealTimeLoop.Totals lastControl;

    /** What the last real-time run's loop did (null after a synchronous run). */
    public RealTimeLoop.Totals controlTotals() {
        return lastControl;
    }

    private int controlFifoPriority;

    /** The real-time schedule's control thread runs under SCHED_FIFO at this priority (0, the default: off). */
    public Trainer controlFifoPriority(int priority) {
        if (priority < 0 || priority > 99) {
            throw new IllegalArgumentException("Trainer: the SCHED_FIFO priority is 0 (off) or 1..99, got " + priority);
        }
        this.controlFifoPriority = priority;
        return this;
    }

    private int ringCapacity = 4096;

    /** Transitions the real-time schedule's ring holds (a power of two; default 4096, 204 s at 20 Hz). */
    public Trainer ringCapacity(int transitions) {
        if (transitions <= 0 || Integer.bitCount(transitions) != 1) {
            throw new IllegalArgumentException("Trainer: the ring capacity must be a power of two, got " + transitions);
        }
        this.ringCapacity = transitions;
        return this;
    }

    /** Closes what it was given, in reverse order, keeping the first failure. */
    private static final class Closer implements AutoCloseable {
        private final List<AutoCloseable> items = new ArrayList<>();

        <T extends AutoCloseable> T add(T item) {
            items.add(item);
            return item;
        }

        @Override
        public void close() throws IOException {
            IOException first = null;
            for (int i = items.size() - 1; i >= 0; i--) {
                try {
                    items.get(i).close();
                } catch (Exception e) {
                    if (first == null) {
                        first = e instanceof IOException io ? io : new IOException(e);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }

    private void checkSameRun(Snapshot snap) {
        String kind = snap.meta().get("kind");
        if (!"run".equals(kind)) {
            throw new IllegalArgumentException("snapshot " + snap.source() + " is not the snapshot of a training run (kind="
                    + kind + ")");
        }
        List<String> problems = new ArrayList<>();
        if (!spec.name().equals(snap.meta("environment"))
                || !Integer.toString(spec.observationSize()).equals(snap.meta("observation_size"))
                || !Integer.toString(spec.actionSize()).equals(snap.meta("action_size"))) {
            problems.add("it is of " + snap.meta("environment") + " (observations " + snap.meta("observation_size")
                    + ", actions " + snap.meta("action_size") + "), this run is " + spec.name() + " ("
                    + spec.observationSize() + ", " + spec.actionSize() + ")");
        }
        Map<String, String> mine = RunSnapshots.withoutThreads(config), theirs = RunSnapshots.withoutThreads(RunSnapshots.config(snap));
        for (Map.Entry<String, String> e : mine.entrySet()) {
            if (!e.getValue().equals(theirs.get(e.getKey()))) {
                problems.add("learner " + e.getKey() + " is " + theirs.get(e.getKey()) + " in the snapshot, " + e.getValue() + " here");
            }
        }
        TrainingSettings recorded = RunSnapshots.settings(snap);
        if (!recorded.equals(settings)) {
            problems.add("settings are " + recorded + " in the snapshot, " + settings + " here");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("snapshot " + snap.source() + " is of another run: "
                    + String.join("; ", problems) + "; nothing was changed");
        }
    }

    private void writeSnapshot(Path file, Learner learner, ReplayBuffer replay, Rng explore, Loop loop, Progress progress,
                               float[] obs, ReplayLog log, long[] rows, MetricsCsv... csvs) throws IOException {
        // What the snapshot counts must be on the disk before the snapshot is: the log records and the CSV rows.
        log.force();
        for (MetricsCsv c : csvs) {
            c.force();
        }
        Snapshot.Builder b = Snapshot.builder()
                .meta("kind", "run")
                .meta("environment", spec.name())
                .meta("observation_size", Integer.toString(spec.observationSize()))
                .meta("action_size", Integer.toString(spec.actionSize()))
                .meta("step", Long.toString(loop.step))
                .meta("snapshot_every", Long.toString(snapshotEvery));
        RunSnapshots.describe(b, config, settings);
        for (Map.Entry<String, String> m : snapshotMeta.entrySet()) {
            b.meta(m.getKey(), m.getValue());
        }
        learner.saveState(b);
        replay.saveState(b);
        if (env instanceof Resumable r) {
            r.saveState(b);
        }
        b.longs("trainer.counters", loop.counters());
        b.doubles("trainer.sums", loop.sums(progress));
        b.longs("trainer.rows", rows);
        long[] e = new long[Rng.STATE_LONGS];
        explore.saveState(e, 0);
        b.longs("trainer.explore_rng", e);
        b.floats("trainer.observation", obs);
        b.write(file);
    }

    private DivergenceException diverged(String what, long step) {
        return new DivergenceException("step " + step + ": " + what + " is not a finite number; learning stopped. "
                + (lastSnapshotStep >= 0 ? "The last good snapshot (step " + lastSnapshotStep + ") is kept in "
                + outDir.resolve(SNAPSHOT) : "No snapshot was written") + ". Lower the learning rates or check the"
                + " environment's rewards and observations.", step);
    }

    private void checkFinite(float[] action, String what, long step) {
        for (int i = 0; i < action.length; i++) {
            if (!Float.isFinite(action[i])) {
                throw diverged(what + "[" + i + "] = " + action[i] + ",", step);
            }
        }
    }

    private void checkFinite(UpdateReport r, long step) {
        if (!Double.isFinite(r.criticLoss)) {
            throw diverged("the critic loss (" + r.criticLoss + ")", step);
        }
        if (!Double.isFinite(r.actorLoss)) {
            throw diverged("the actor loss (" + r.actorLoss + ")", step);
        }
        if (!Double.isFinite(r.temperatureLoss) || !Double.isFinite(r.alpha)) {
            throw diverged("the temperature (loss " + r.temperatureLoss + ", alpha " + r.alpha + ")", step);
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
        if (learner.config().precision().usesOnednn()) {
            boolean bf16 = learner.config().precision() == trot.blas.Products.BF16;
            sb.append("products: ").append(trot.blas.Onednn.version()).append(", kernel ")
                    .append(trot.blas.Onednn.kernel(bf16)).append(" (256 x 256 x 256)\n");
        }
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

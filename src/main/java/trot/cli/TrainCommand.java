package trot.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import trot.agent.LearnerConfig;
import trot.env.Environment;
import trot.io.Outputs;
import trot.train.Trainer;
import trot.train.TrainingSettings;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code trot train}: trains an agent preset on an environment and writes metrics, plots and the policy. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train an agent on an environment. Writes run.txt, episodes.csv, evaluations.csv, qbias.csv,",
                "learning_curve.png and policy.ckpt to the output directory, and state.snap and replay.log from which",
                "--resume continues a killed run bit-exactly. Same seed, same numbers."})
class TrainCommand implements Callable<Integer> {

    @Option(names = {"-a", "--agent"}, defaultValue = "droq", description = "Agent preset: sac, redq or droq (default ${DEFAULT-VALUE}).")
    String agent;

    @Option(names = {"-e", "--env"}, defaultValue = "a1", description = "Environment: a1 (the paper's walking task in MuJoCo) or pendulum (default ${DEFAULT-VALUE}).")
    String env;

    @Option(names = "--robot", paramLabel = "FILE", description = {"Robot file of the a1 task: the quadruped's model,"
            + " joints, sensors, pose, gains and limits (default hardware/a1/a1.robot; docs/robot-file.md)."})
    Path robotFile;

    @Option(names = "--model", description = "MJCF file replacing the robot file's (it must have the names the robot file gives).")
    Path model;

    @Option(names = "--steps", description = "Environment steps (default: the environment's; a1 24000, the paper's 20 minutes; pendulum 6000).")
    Long steps;

    @Option(names = "--random-steps", description = "Initial steps with random actions and no learning (default: the environment's, 1000 for the pendulum).")
    Long randomSteps;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of everything random (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-o", "--out"}, description = "Output directory (default runs/<env>-<agent>-seed<seed>).")
    Path out;

    @Option(names = "--force", description = "Replace results already in the output directory.")
    boolean force;

    @Option(names = "--eval-interval", description = "Steps between evaluations (default: the environment's; a1 2000, pendulum 500; 0: only at the end).")
    Long evalInterval;

    @Option(names = "--eval-episodes", description = "Deterministic episodes per evaluation (default: the environment's, 5 for the pendulum).")
    Integer evalEpisodes;

    @Option(names = "--qbias-interval", description = "Steps between Q-bias diagnostics (default: the environment's; a1 4000, pendulum 1000; 0: never).")
    Long qBiasInterval;

    @Option(names = "--qbias-episodes", defaultValue = "3", description = "Stochastic episodes per Q-bias diagnostic (default ${DEFAULT-VALUE}).")
    int qBiasEpisodes;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = {"Override a learner value or set a task option,"
            + " repeatable. Learner keys: " + LearnerConfig.KEYS + ". Task options (a1; first value the default): "
            + "reward=paper|paper-literal|reference, terrain=mix|flat|reference, action_filter=none|butterworth,"
            + " velocity=true|estimated, angular-term=true|false (docs/estimator.md)."
            + " Example: --set utd=10 --set hidden=64,64 --set terrain=reference"})
    List<String> overrides = new ArrayList<>();

    @Option(names = "--no-progress", description = {"No progress display at all (without it: a bar fitted to the"
            + " terminal's width, or, when standard error is not a terminal, a status line every 10 seconds)."})
    boolean noProgress;

    @Option(names = "--resume", paramLabel = "DIR", description = {"Continue the run in DIR from its snapshot (state.snap)"
            + " and replay log, with the configuration it recorded; a flag that contradicts it is refused"
            + " (--set threads=N may differ). See docs/recovery.md."})
    Path resumeDir;

    @Option(names = "--snapshot-every", paramLabel = "STEPS", description = "Steps between snapshots of the whole run"
            + " (state.snap; also at the end and on Ctrl-C or SIGTERM); 0: none, and no replay log (default: 1000, or on"
            + " --resume the run's).")
    Long snapshotEvery;

    @Option(names = "--realtime", description = {"Run the real-time schedule (docs/runtime.md): a control thread"
            + " paced at --rate-hz, learning on other threads; pendulum only here (a robot is real-time by nature)."
            + " Writes control.csv and jitter.png."})
    boolean realtime;

    @Option(names = "--rate-hz", defaultValue = "20", description = "Control rate of --realtime (default ${DEFAULT-VALUE}).")
    double rateHz;

    @Option(names = "--fifo-priority", defaultValue = "0", description = "With --realtime: run the control thread"
            + " under SCHED_FIFO at this priority (1..99, needs CAP_SYS_NICE and chrt; default ${DEFAULT-VALUE}: off).")
    int fifoPriority;

    @Option(names = "--video-every", paramLabel = "N", defaultValue = "0", description = {"Render the first episode of"
            + " every N-th evaluation into videos/eval-step-NNNNNN.mp4 in the run directory (MuJoCo tasks; needs"
            + " libegl-mesa0 libgl1-mesa-dri and ffmpeg). Changes no number of the run. Default ${DEFAULT-VALUE}: none."})
    int videoEvery;

    @Option(names = "--video-size", paramLabel = "WxH", defaultValue = "640x480", description = "Frame size of"
            + " --video-every (default ${DEFAULT-VALUE}).")
    String videoSize;

    @Option(names = "--video-quality", paramLabel = "high|fast", defaultValue = "fast", description = "Rendering of"
            + " --video-every: fast (default: no shadows or anti-aliasing, about 4 times faster without a GPU) or high.")
    String videoQuality;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;

    /** "trot train" or "trot robot": how messages name the command. */
    String who() {
        return "trot " + (commandSpec != null ? commandSpec.name() : "train");
    }

    /**
     * Opens the robot of the robot task (a {@link trot.env.RealTime} world, its own evaluation world); only
     * {@code trot robot} has one.
     *
     * @throws IllegalArgumentException here: the robot task needs {@code trot robot --port PATH}
     */
    Environment openRobot(java.util.Map<String, String> taskOptions) throws trot.link.PortException {
        throw new IllegalArgumentException("the robot task runs on a robot: use trot robot --port PATH (an emulated one:"
                + " trot emulate)");
    }

    /** Adds what a subcommand needs to resume the run to its snapshots (nothing here). */
    void recordRun(Trainer trainer) {
    }

    /** Damps the robot at once (a stop that did not reach a step boundary in time); nothing without a robot. */
    void emergencyStop(String why) {
    }

    boolean given(String option) {
        return commandSpec != null && commandSpec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** The run's recorded configuration, with every flag given here checked against it. */
    private Integer resume() throws Exception {
        Path dir = resumeDir;
        trot.io.Snapshot snap;
        try {
            snap = trot.io.Snapshot.read(dir.resolve(Trainer.SNAPSHOT));
        } catch (java.nio.file.NoSuchFileException e) {
            System.err.println(who() + ": cannot resume " + dir + ": " + e.getFile() + " does not exist ("
                    + (e.getReason() != null ? e.getReason() : "no snapshot") + ")");
            return 2;
        } catch (java.io.IOException e) {
            System.err.println(who() + ": cannot resume " + dir + ": " + e.getMessage());
            return 2;
        }
        String hz = snap.meta().get("run.realtime_hz");
        if (hz != null) {
            realtime = true;
            rateHz = Double.parseDouble(hz);
        }
        Tasks task;
        LearnerConfig recordedConfig, config;
        TrainingSettings settings;
        List<String> contradictions = new ArrayList<>();
        try {
            task = Tasks.byName(snap.meta("environment"));
            recordedConfig = trot.train.RunSnapshots.config(snap);
            settings = trot.train.RunSnapshots.settings(snap);
            config = recordedConfig.withAll(learnerValues());
            java.util.Map<String, String> recordedTask = recordedTaskOptions(snap), givenTask = taskOptions();
            for (java.util.Map.Entry<String, String> e : givenTask.entrySet()) {
                String recorded = recordedTask.getOrDefault(e.getKey(), Tasks.OPTIONS.get(e.getKey()).get(0));
                if (!recorded.equals(e.getValue().trim().toLowerCase(Locale.ROOT))) {
                    contradictions.add("--set " + e.getKey() + "=" + e.getValue() + " (the run has " + recorded + ")");
                }
            }
            java.util.Map<String, String> a = recordedConfig.values(), b = config.values();
            for (String k : a.keySet()) {
                if (!k.equals("threads") && !a.get(k).equals(b.get(k))) {
                    contradictions.add("--set " + k + "=" + b.get(k) + " (the run has " + a.get(k) + ")");
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println(who() + ": cannot resume " + dir + ": " + e.getMessage());
            return 2;
        }
        try {
            if (given("--agent") && !LearnerConfig.preset(agent).preset().equals(recordedConfig.preset())) {
                contradictions.add("--agent " + agent + " (the run has " + recordedConfig.preset() + ")");
            }
            if (given("--env") && Tasks.byName(env) != task) {
                contradictions.add("--env " + env + " (the run has " + task.id + ")");
            }
        } catch (IllegalArgumentException e) {
            System.err.println(who() + ": " + e.getMessage());
            return 2;
        }
        check(contradictions, "--steps", steps, settings.steps());
        check(contradictions, "--random-steps", randomSteps, settings.randomSteps());
        check(contradictions, "--seed", given("--seed") ? seed : null, settings.seed());
        check(contradictions, "--eval-interval", evalInterval, settings.evalInterval());
        check(contradictions, "--eval-episodes", evalEpisodes == null ? null : (long) evalEpisodes, settings.evalEpisodes());
        check(contradictions, "--qbias-interval", qBiasInterval, settings.qBiasInterval());
        check(contradictions, "--qbias-episodes", given("--qbias-episodes") ? (long) qBiasEpisodes : null, settings.qBiasEpisodes());
        if (out != null && !out.toAbsolutePath().normalize().equals(dir.toAbsolutePath().normalize())) {
            contradictions.add("--out " + out + " (the run is in " + dir + ")");
        }
        if (force) {
            contradictions.add("--force (a resumed run continues its files; it never replaces them)");
        }
        String recordedModel = snap.meta().get("run.model");
        if (model != null && !model.toString().equals(recordedModel == null ? "" : recordedModel)) {
            contradictions.add("--model " + model + " (the run has " + (recordedModel == null ? "the default model" : recordedModel) + ")");
        }
        String recordedRobot = snap.meta().get("run.robot");
        if (robotFile != null && !robotFile.toString().equals(recordedRobot == null ? "" : recordedRobot)) {
            contradictions.add("--robot " + robotFile + " (the run has " + (recordedRobot == null ? "the default robot file" : recordedRobot) + ")");
        }
        if (!contradictions.isEmpty()) {
            System.err.println(who() + ": --resume " + dir + " continues the run with the configuration it recorded;"
                    + " these flags contradict it: " + String.join(", ", contradictions) + ". Drop them, or start a new run"
                    + " in another directory.");
            return 2;
        }
        System.err.println(who() + ": resuming " + dir.toAbsolutePath() + " at step " + snap.meta("step") + " of "
                + settings.steps() + ": " + config);
        robotFile = recordedRobot == null ? null : Path.of(recordedRobot);
        return train(task, config, settings, dir, recordedModel == null ? null : Path.of(recordedModel),
                recordedTaskOptions(snap), true);
    }

    private static void check(List<String> contradictions, String flag, Long given, long recorded) {
        if (given != null && given != recorded) {
            contradictions.add(flag + " " + given + " (the run has " + recorded + ")");
        }
    }

    @Override
    public Integer call() throws Exception {
        if (resumeDir != null) {
            return resume();
        }
        Tasks task;
        LearnerConfig config;
        TrainingSettings settings;
        java.util.Map<String, String> taskOptions;
        try {
            task = Tasks.byName(env);
            config = LearnerConfig.preset(agent).withAll(learnerValues());
            taskOptions = taskOptions();
            task.checkOptions(taskOptions);
            settings = new TrainingSettings(steps != null ? steps : task.defaultSteps,
                    randomSteps != null ? randomSteps : Math.min(task.defaultRandomSteps, steps != null ? steps : task.defaultSteps),
                    evalInterval != null ? evalInterval : task.defaultEvalInterval,
                    evalEpisodes != null ? evalEpisodes : task.defaultEvalEpisodes,
                    qBiasInterval != null ? qBiasInterval : task.defaultQBiasInterval, qBiasEpisodes, 0, seed);
        } catch (IllegalArgumentException e) {
            System.err.println(who() + ": " + e.getMessage());
            return 2;
        }
        Path dir = out != null ? out : Path.of("runs", task.id + "-" + config.preset() + "-seed" + seed);
        System.err.println(who() + ": " + config);
        System.err.println(who() + ": " + settings + " -> " + dir.toAbsolutePath());

        if (!force) {
            try {
                // Also checked by Trainer.run; here it is said before simulators load and the progress bar starts.
                Outputs.requireAbsent(dir, Trainer.OUTPUTS);
            } catch (FileAlreadyExistsException e) {
                System.err.println(who() + ": " + e.getMessage());
                return 2;
            }
        }
        return train(task, config, settings, dir, model, taskOptions, false);
    }

    private Integer train(Tasks task, LearnerConfig config, TrainingSettings settings, Path dir, Path model,
                          java.util.Map<String, String> taskOptions, boolean resuming) throws Exception {
        long every = snapshotEvery != null ? snapshotEvery : resuming ? 0 : 1000;
        if (every < 0) {
            System.err.println(who() + ": --snapshot-every must not be negative, got " + every);
            return 2;
        }
        final trot.video.EpisodeVideo.Settings videoSettings;
        try {
            if (videoEvery < 0) {
                throw new IllegalArgumentException("--video-every must be >= 0 evaluations, got " + videoEvery);
            }
            if (videoEvery > 0 && (task != Tasks.A1 || realtime)) {
                throw new IllegalArgumentException("--video-every renders the MuJoCo simulation (the a1 task); "
                        + task.id + (realtime ? " under --realtime" : "") + " has none (for the emulated robot: trot"
                        + " emulate --video FILE.mp4)");
            }
            videoSettings = trot.video.EpisodeVideo.Settings.defaults().withSize(videoSize).withQuality(videoQuality);
        } catch (IllegalArgumentException e) {
            System.err.println(who() + ": " + e.getMessage());
            return 2;
        }
        Environment trainEnv0, evalEnv0 = null;
        final boolean robot = task == Tasks.ROBOT;
        if (robot) {
            try {
                trainEnv0 = openRobot(taskOptions);
            } catch (trot.link.PortException | trot.env.robot.RobotStopException | IllegalArgumentException e) {
                System.err.println(who() + ": " + e.getMessage());
                return 2;
            }
            evalEnv0 = trainEnv0;   // one robot: it trains and it is evaluated
        } else if (realtime) {
            if (task != Tasks.PENDULUM) {
                System.err.println(who() + ": --realtime runs the pendulum under a pacer; the " + task.id
                        + " simulation has no clock of its own (a robot's environment is real-time by itself)");
                return 2;
            }
            if (!(rateHz > 0 && rateHz <= 10_000)) {
                System.err.println(who() + ": --rate-hz must be in (0, 10000], got " + rateHz);
                return 2;
            }
            // One world for training and evaluation, as on a robot.
            trainEnv0 = new trot.env.classic.PacedPendulum(new trot.runtime.PeriodicPacer(1.0 / rateHz), 0);
            evalEnv0 = trainEnv0;
        } else try {
            trainEnv0 = task.create(robotFile, model, taskOptions);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println(who() + ": " + e.getMessage());
            return 2;
        }
        if (!realtime && !robot) try {
            evalEnv0 = task.create(robotFile, model, taskOptions);
        } catch (IllegalArgumentException | IllegalStateException e) {
            trainEnv0.close();
            System.err.println(who() + ": " + e.getMessage());
            return 2;
        }
        try (Environment trainEnv = trainEnv0; Environment evalEnv = evalEnv0;
             StatusDisplay display = new StatusDisplay(settings.steps(), settings.randomSteps(), StatusDisplay.mode(noProgress))) {
            Trainer trainer = new Trainer(settings, config, trainEnv, evalEnv, dir, force)
                    .describe("command", "trot " + String.join(" ", Main.arguments()))
                    .snapshotEvery(every).resume(resuming).controlFifoPriority(fifoPriority);
            if (model != null) {
                trainer.record("model", model.toString());
            }
            if (videoEvery > 0) {
                // Fails now, not at the first evaluation minutes later, when no GL context or no ffmpeg is here.
                try {
                    trot.video.EpisodeVideo.check(evalEnv, videoSettings);
                    trot.video.Mp4Writer.requireEncoder();
                } catch (IllegalStateException | IllegalArgumentException | java.io.IOException e) {
                    System.err.println(who() + ": --video-every: " + e.getMessage());
                    return 2;
                }
                trainer.videoEvery(videoEvery, file -> new trot.video.EpisodeVideo(evalEnv, file, null, 0, videoSettings));
                trainer.describe("video", "every " + videoEvery + " evaluations, " + videoSize + ", " + videoQuality
                        + " quality, in " + dir.resolve(Trainer.VIDEOS));
            }
            if (robotFile != null) {
                trainer.record("robot", robotFile.toString());
            }
            if (trainEnv instanceof trot.env.sim.A1Walk walk) {
                trainer.describe("robot", walk.robot().toString());
                System.err.println(who() + ": robot " + walk.robot());
            }
            for (java.util.Map.Entry<String, String> e : taskOptions.entrySet()) {
                trainer.record(TASK_PREFIX + e.getKey(), e.getValue().trim().toLowerCase(Locale.ROOT));
            }
            if (realtime) {
                trainer.record("realtime_hz", Double.toString(rateHz));
            }
            recordRun(trainer);
            // Ctrl-C or SIGTERM: stop at the next step boundary with a snapshot, then let the JVM go.
            java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
            Thread hook = new Thread(() -> {
                trainer.requestStop();
                try {
                    // A robot is damped at once, whatever it is doing (a get-up takes seconds): the e-stop ends the
                    // run at the control thread's next call, with a snapshot. A simulation stops at its next step.
                    if (robot) {
                        emergencyStop("SIGINT or SIGTERM");
                    }
                    if (!finished.await(120, java.util.concurrent.TimeUnit.SECONDS)) {
                        System.err.println(who() + ": the run did not reach a step boundary within 120 s; stopping"
                                + " without a final snapshot (the last one is intact)");
                    }
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }, "trot-train-stop");
            if (robot) {
                // Before jSerialComm closes the port at shutdown, or the stop could not damp through it.
                trot.link.JSerialPort.addShutdownHook(hook);
            } else {
                Runtime.getRuntime().addShutdownHook(hook);
            }
            Trainer.Summary s = null;
            try {
                s = trainer.run(display::update);
            } catch (FileAlreadyExistsException e) {
                System.err.println(who() + ": " + e.getMessage());
                return 2;
            } catch (java.nio.file.NoSuchFileException e) {
                System.err.println(who() + ": cannot resume " + dir + ": " + e.getFile() + " does not exist"
                        + (e.getReason() != null ? " (" + e.getReason() + ")" : "") + "; nothing was changed");
                return 2;
            } catch (java.io.IOException | IllegalArgumentException e) {
                if (!resuming) {
                    throw e;
                }
                System.err.println(who() + ": cannot resume " + dir + ": " + e.getMessage());
                return 2;
            } catch (trot.train.DivergenceException e) {
                display.close();
                System.err.println(who() + ": " + e.getMessage());
                return 3;
            } catch (RuntimeException e) {
                trot.env.robot.RobotStopException stop = robotStop(e);
                if (stop == null) {
                    throw e;
                }
                display.close();
                System.err.println(who() + ": the robot stopped the run (" + stop.reason() + "): " + stop.getMessage());
                System.err.println(who() + ": the robot is damped; the run is saved in " + dir.toAbsolutePath()
                        + (every > 0 ? "; continue with: trot robot --port PATH --resume " + dir : ""));
                return 4;
            } finally {
                if (s == null) {
                    finished.countDown();
                }
            }
            display.close();
            if (!trainer.resumeMessage().isEmpty()) {
                System.err.println(who() + ": " + trainer.resumeMessage());
            }
            if (s.stopped()) {
                System.out.printf(Locale.ROOT, "stopped at step %d of %d with a snapshot; continue with: %s --resume %s%n",
                        s.steps(), settings.steps(), who() + (robot ? " --port PATH" : ""), dir);
                printControl(trainer);
                System.out.flush();
                finished.countDown();   // only now may the shutdown hook let the JVM go
                return 0;
            }
            finished.countDown();
            System.out.printf(Locale.ROOT, "trained %d steps (%d episodes) in %.1f s; final evaluation return %.2f, best %.2f at step %d;"
                            + " mean update %.2f ms%s%nresults in %s%n", s.steps(), s.episodes(), s.seconds(), s.finalEvalReturn(),
                    s.bestEvalReturn(), s.bestEvalStep(), 1e3 * s.meanUpdateSeconds(),
                    s.rejectedTransitions() > 0 ? "; " + s.rejectedTransitions() + " transitions rejected (NaN/inf)" : "",
                    s.outDir().toAbsolutePath());
            printControl(trainer);
            return 0;
        }
    }

    /** The real-time schedule's totals: achieved UTD, jitter, latency, overruns. */
    private static void printControl(Trainer trainer) {
        trot.runtime.RealTimeLoop.Totals t = trainer.controlTotals();
        if (t == null) {
            return;
        }
        trot.runtime.PacerStats p = t.pacer();
        System.out.printf(Locale.ROOT, "real time: achieved UTD %.2f (%d critic updates / %d steps), period-start jitter"
                        + " p50 %.3f / p99 %.3f / max %.3f ms, command latency p50 %.3f / p99 %.3f / max %.3f ms, %d overruns,"
                        + " %d transitions dropped%n", t.utd(), t.criticUpdates(), t.steps(), p.jitterP50_ms, p.jitterP99_ms,
                p.jitterMax_ms, p.latencyP50_ms, p.latencyP99_ms, p.latencyMax_ms, p.overruns, t.dropped());
    }

    /** The robot's stop in {@code e}'s cause chain (the runtime may wrap it), or null. */
    static trot.env.robot.RobotStopException robotStop(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof trot.env.robot.RobotStopException r) {
                return r;
            }
        }
        return null;
    }

    /** Snapshot metadata of a task option: {@code run.task.<key>} (Trainer.record adds "run."). */
    private static final String TASK_PREFIX = "task.";

    /** The task options a run recorded (none recorded: all at their defaults). */
    private static java.util.Map<String, String> recordedTaskOptions(trot.io.Snapshot snap) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        for (java.util.Map.Entry<String, String> e : snap.meta().entrySet()) {
            if (e.getKey().startsWith("run." + TASK_PREFIX)) {
                m.put(e.getKey().substring(("run." + TASK_PREFIX).length()), e.getValue());
            }
        }
        return m;
    }

    /** The {@code --set} overrides of learner values, in the order given. */
    private java.util.Map<String, String> learnerValues() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>(overrideValues());
        m.keySet().removeIf(Tasks::isTaskOption);
        return m;
    }

    /** The {@code --set} task options ({@link Tasks#OPTIONS}), in the order given. */
    private java.util.Map<String, String> taskOptions() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>(overrideValues());
        m.keySet().removeIf(k -> !Tasks.isTaskOption(k));
        return m;
    }

    /** The {@code --set KEY=VALUE} overrides, in the order given. */
    private java.util.Map<String, String> overrideValues() {
        java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set needs KEY=VALUE, got '" + o + "'");
            }
            values.put(o.substring(0, eq).trim(), o.substring(eq + 1));
        }
        return values;
    }
}

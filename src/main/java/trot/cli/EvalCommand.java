package trot.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import trot.env.Environment;
import trot.io.MetricsCsv;
import trot.io.Outputs;
import trot.train.EpisodeTable;
import trot.train.EvaluationPlots;
import trot.train.PolicyCheckpoint;
import trot.train.Evaluator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code trot eval}: runs a saved policy deterministically and reports how it walks. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a saved policy deterministically (tanh of the mean action) and report its return, and for",
                "walking tasks its mean forward speed, yaw drift and falls. Writes evaluation.csv, eval_speed.png and",
                "gait.png to the output directory; --per-episode adds a row per episode (per-episode.csv)."})
final class EvalCommand implements Callable<Integer> {

    @Option(names = {"-p", "--policy"}, required = true, description = "A policy checkpoint written by trot train (policy.ckpt).")
    Path policy;

    @Option(names = "--episodes", defaultValue = "5", description = "Episodes (default ${DEFAULT-VALUE}).")
    int episodes;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the environment's episodes (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-e", "--env"}, description = "Environment (default: the one the policy was trained on).")
    String env;

    @Option(names = "--robot", paramLabel = "FILE", description = {"Robot file of the a1 task (default"
            + " hardware/a1/a1.robot): give the one the policy was trained with (docs/robot-file.md)."})
    Path robotFile;

    @Option(names = "--model", description = "MJCF file replacing the robot file's (it must have the names the robot file gives).")
    Path model;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = {"A task option, repeatable (a1; first value the"
            + " default): reward=paper|paper-literal|reference, terrain=mix|flat|reference, action_filter=none|butterworth."
            + " A policy trained with an action filter should be evaluated with it."})
    List<String> taskOptions = new java.util.ArrayList<>();

    @Option(names = "--port", paramLabel = "PATH", description = {"Evaluate on the robot at this serial port (trot's"
            + " firmware on an A1, or trot emulate) instead of in simulation: the robot resets itself between episodes."
            + " A policy trained in simulation (A1Walk) or on the robot (A1Robot) both fit; --set action_filter=butterworth"
            + " for one trained with the filter."})
    String port;

    @Option(names = "--episode-steps", defaultValue = "400", description = "With --port: episode length in control"
            + " steps (default ${DEFAULT-VALUE}).")
    int episodeSteps;

    @Option(names = "--per-episode", description = {"Report every episode: its conditions (a1: terrain, friction),"
            + " forward and lateral displacement of the trunk in the starting heading frame, distance, direction and yaw"
            + " drift in degrees, mean speed, and why it ended (time-limit, tilt, interlock:<name> on the robot,"
            + " stopped:<reason>), as a table on standard output while the evaluation runs and as per-episode.csv in the"
            + " output directory."})
    boolean perEpisode;

    @Option(names = "--video", paramLabel = "FILE.mp4", description = {"Also render the first episode into this H.264"
            + " MP4 (MuJoCo's renderer, offscreen; 30 frames per second of simulated time; camera following the trunk)."
            + " Needs libegl-mesa0 libgl1-mesa-dri and ffmpeg."})
    Path video;

    @Option(names = "--still", paramLabel = "FILE.png", description = "Also write one frame of the first episode as a"
            + " PNG (at --still-at seconds, or its last frame if it ends earlier).")
    Path still;

    @Option(names = "--still-at", paramLabel = "SECONDS", defaultValue = "2", description = "Simulated time of the"
            + " --still frame (default ${DEFAULT-VALUE} s).")
    double stillAt_s;

    @Option(names = "--video-size", paramLabel = "WxH", defaultValue = "640x480", description = "Frame size of --video"
            + " and --still (default ${DEFAULT-VALUE}; even numbers).")
    String videoSize;

    @Option(names = "--video-quality", paramLabel = "high|fast", defaultValue = "high", description = "high: shadows and"
            + " anti-aliasing (default); fast: neither, about 4 times faster to render without a GPU.")
    String videoQuality;

    @Option(names = {"-o", "--out"}, description = "Output directory (default: eval/ beside the checkpoint).")
    Path out;

    @Option(names = "--force", description = "Replace the results of an earlier evaluation in the output directory.")
    boolean force;

    /**
     * The video settings of --video/--still, checked before anything runs.
     *
     * @throws IllegalArgumentException naming the flag that is wrong and what to give instead
     */
    static trot.video.EpisodeVideo.Settings videoOptions(Path video, Path still, double stillAt_s, String size,
                                                        String port, boolean force) {
        if (port != null) {
            throw new IllegalArgumentException("--video and --still render the simulation; on a robot there is none to"
                    + " render (for the emulated robot: trot emulate --video FILE.mp4)");
        }
        if (video != null && !video.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".mp4")) {
            throw new IllegalArgumentException("--video writes an H.264 MP4 file; name it FILE.mp4, got " + video);
        }
        if (still != null && !still.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new IllegalArgumentException("--still writes a PNG image; name it FILE.png, got " + still);
        }
        if (!(stillAt_s >= 0) || Double.isInfinite(stillAt_s)) {
            throw new IllegalArgumentException("--still-at must be a number of seconds >= 0, got " + stillAt_s);
        }
        for (Path f : new Path[]{video, still}) {
            if (f != null && Files.exists(f) && !force) {
                throw new IllegalArgumentException(f.toAbsolutePath() + " exists; give another name or --force to"
                        + " replace it");
            }
            if (f != null && Files.isDirectory(f)) {
                throw new IllegalArgumentException(f.toAbsolutePath() + " is a directory; give a file name");
            }
        }
        return trot.video.EpisodeVideo.Settings.defaults().withSize(size);
    }

    /** The robot line of the run.txt beside {@code policy} ("Unitree Go1 (hardware/go1/go1.robot: ..."), or null. */
    static String trainedRobot(Path policy) {
        Path runTxt = policy.toAbsolutePath().getParent().resolve("run.txt");
        try {
            for (String line : Files.readAllLines(runTxt)) {
                if (line.startsWith("robot: ")) {
                    return line.substring("robot: ".length());
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // no run.txt (a policy copied elsewhere): nothing to compare
        }
        return null;
    }

    @Override
    public Integer call() throws IOException {
        PolicyCheckpoint.Loaded loaded;
        Tasks task;
        try {
            loaded = PolicyCheckpoint.load(policy);
            task = Tasks.byName(env != null ? env : loaded.environment());
        } catch (NoSuchFileException e) {
            System.err.println("trot eval: no checkpoint at " + policy.toAbsolutePath());
            return 2;
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("trot eval: " + e.getMessage());
            return 2;
        }
        int observations = loaded.policy().observationSize(), actions = loaded.policy().actionSize();
        if (episodes < 1) {
            System.err.println("trot eval: --episodes must be at least 1, got " + episodes);
            return 2;
        }
        trot.video.EpisodeVideo.Settings videoSettings = null;
        if (video != null || still != null) {
            try {
                videoSettings = videoOptions(video, still, stillAt_s, videoSize, port, force)
                        .withQuality(videoQuality);
            } catch (IllegalArgumentException x) {
                System.err.println("trot eval: " + x.getMessage());
                return 2;
            }
        }
        Environment environment;
        try {
            java.util.Map<String, String> options = new java.util.LinkedHashMap<>();
            for (String o : taskOptions) {
                int eq = o.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--set needs KEY=VALUE, got '" + o + "'");
                }
                String key = o.substring(0, eq).trim();
                if (!Tasks.isTaskOption(key)) {
                    throw new IllegalArgumentException("--set " + o + ": eval takes task options only; known: "
                            + Tasks.optionsHelp());
                }
                options.put(key, o.substring(eq + 1));
            }
            if (port != null) {
                if (robotFile != null) {
                    throw new IllegalArgumentException("--robot is for evaluating in simulation; on the robot (--port)"
                            + " the host side knows only the A1 (trot.env.robot.A1Robot)");
                }
                if (task != Tasks.A1 && task != Tasks.ROBOT) {
                    throw new IllegalArgumentException("--port evaluates an A1 policy on the robot; this policy is of "
                            + loaded.environment());
                }
                trot.env.robot.RobotConfig rc = Tasks.robotConfig(options, episodeSteps);
                environment = trot.env.robot.A1Robot.open(port, 115200, rc,
                        new trot.runtime.PeriodicPacer(rc.controlPeriod_s()));
            } else {
                environment = task.create(robotFile, model, options);
            }
        } catch (IllegalArgumentException | IllegalStateException | trot.link.PortException
                 | trot.env.robot.RobotStopException e) {
            System.err.println("trot eval: " + e.getMessage());
            return 2;
        }
        try (Environment e = environment) {
            if (e.spec().observationSize() != observations || e.spec().actionSize() != actions) {
                System.err.println("trot eval: the policy takes " + observations + " observations and gives " + actions
                        + " actions; " + e.spec().name() + " has " + e.spec().observationSize() + " and " + e.spec().actionSize());
                return 2;
            }
            Path dir = out != null ? out : policy.toAbsolutePath().getParent().resolve("eval");
            if (!force) {
                try {
                    // Before the evaluation runs: a refusal after minutes of simulation helps no one.
                    List<String> files = new java.util.ArrayList<>(List.of("evaluation.csv", EvaluationPlots.TRACE,
                            EvaluationPlots.SPEED, EvaluationPlots.GAIT));
                    if (perEpisode) {
                        files.add(EpisodeTable.FILE);
                    }
                    Outputs.requireAbsent(dir, files);
                } catch (java.nio.file.FileAlreadyExistsException x) {
                    System.err.println("trot eval: " + x.getMessage());
                    return 2;
                }
            }
            trot.video.EpisodeVideo recorder = null;
            if (videoSettings != null) {
                try {
                    recorder = new trot.video.EpisodeVideo(e, video, still, stillAt_s, videoSettings);
                } catch (IllegalArgumentException | IllegalStateException | IOException x) {
                    System.err.println("trot eval: " + (video != null ? "--video" : "--still") + ": " + x.getMessage());
                    return 2;
                }
            }
            Evaluator evaluator = new Evaluator(e, episodes, seed).stopReasons(x -> {
                trot.env.robot.RobotStopException s = TrainCommand.robotStop(x);
                return s == null ? null : s.reason().name().toLowerCase(Locale.ROOT).replace('_', '-');
            });
            EpisodeTable table = perEpisode ? EpisodeTable.of(evaluator) : null;
            List<Evaluator.Episode> rows = new java.util.ArrayList<>();
            if (table != null) {
                System.out.println(table.header());
            }
            Evaluator.Result r;
            try {
                r = evaluator.run(loaded.deterministic(), table == null ? null : ep -> {
                    rows.add(ep);
                    System.out.println(table.row(ep));
                    System.out.flush();
                }, recorder);
            } catch (IOException x) {
                System.err.println("trot eval: the video could not be written: " + x.getMessage());
                return 3;
            } catch (RuntimeException x) {
                trot.env.robot.RobotStopException stop = TrainCommand.robotStop(x);
                if (stop == null) {
                    if (recorder != null && (x instanceof java.io.UncheckedIOException || x instanceof IllegalStateException)) {
                        System.err.println("trot eval: the video could not be written: " + x.getMessage());
                        return 3;
                    }
                    throw x;
                }
                if (table != null) {
                    // The episodes done, and the one the stop cut short, are kept.
                    table.writeCsv(dir.resolve(EpisodeTable.FILE), rows);
                    System.err.println("trot eval: " + rows.size() + " episodes in " + dir.resolve(EpisodeTable.FILE).toAbsolutePath());
                }
                System.err.println("trot eval: the robot stopped the evaluation (" + stop.reason() + "): " + stop.getMessage());
                return 4;
            }
            Files.createDirectories(dir);
            if (table != null) {
                table.writeCsv(dir.resolve(EpisodeTable.FILE), r.episodes());
            }
            try (MetricsCsv csv = new MetricsCsv(dir.resolve("evaluation.csv"), List.of("episode", "return"), true)) {
                for (int i = 0; i < r.returns().length; i++) {
                    csv.row(i + 1, r.returns()[i]);
                }
            }
            EvaluationPlots.write(dir, e.spec().name() + ", " + policy.getFileName(), r);
            System.out.printf(Locale.ROOT, "%s, %d episodes (seed %d) of the policy from %s (step %s):%n", e.spec().name(),
                    episodes, seed, policy, loaded.step());
            if (e instanceof trot.env.sim.A1Walk walk) {
                System.out.printf(Locale.ROOT, "  robot %s (%s)%n", walk.robot().name(),
                        walk.robot().file() != null ? walk.robot().file() : "built in");
                String trained = trainedRobot(policy);
                if (trained != null && !trained.startsWith(walk.robot().name() + " (")) {
                    System.err.println("trot eval: warning: the policy's run.txt says it was trained on " + trained
                            + "; this evaluation runs " + walk.robot().name() + " (give that run's --robot FILE)");
                }
            }
            System.out.printf(Locale.ROOT, "  return %.2f +- %.2f (min %.2f, max %.2f), mean length %.1f steps%n",
                    r.mean(), r.std(), r.min(), r.max(), r.meanLength());
            if (!Double.isNaN(r.meanForwardSpeed())) {
                System.out.printf(Locale.ROOT, "  mean forward speed %.3f m/s, mean yaw drift %.3f rad, falls %d of %d%n",
                        r.meanForwardSpeed(), r.meanYawDrift(), r.falls(), episodes);
            } else {
                System.out.printf(Locale.ROOT, "  terminated episodes %d of %d%n", r.falls(), episodes);
            }
            if (table != null) {
                System.out.println("  episode ends: " + EpisodeTable.endCounts(r.episodes()) + (r.episodes().isEmpty()
                        || r.episodes().get(0).position() != Evaluator.PositionSource.ODOMETRY ? ""
                        : "; displacements dead-reckoned from the estimated forward speed and the heading"));
            }
            if (video != null) {
                System.out.printf(Locale.ROOT, "  video of episode 1: %s (%d frames, %s, %s quality, %s)%n",
                        video.toAbsolutePath(), recorder.frames(), videoSize, videoQuality, recorder.renderer());
            }
            if (still != null) {
                System.out.println("  still frame of episode 1: " + still.toAbsolutePath());
            }
            System.out.println("  results in " + dir.toAbsolutePath());
            return 0;
        }
    }
}

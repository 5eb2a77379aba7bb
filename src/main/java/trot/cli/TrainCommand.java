package trot.cli;

import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import trot.agent.LearnerConfig;
import trot.env.Environment;
import trot.io.Outputs;
import trot.train.Progress;
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
                "learning_curve.png and policy.ckpt to the output directory. Same seed, same numbers."})
final class TrainCommand implements Callable<Integer> {

    @Option(names = {"-a", "--agent"}, defaultValue = "droq", description = "Agent preset: sac, redq or droq (default ${DEFAULT-VALUE}).")
    String agent;

    @Option(names = {"-e", "--env"}, defaultValue = "a1", description = "Environment: a1 (the paper's walking task in MuJoCo) or pendulum (default ${DEFAULT-VALUE}).")
    String env;

    @Option(names = "--model", description = "MJCF file for a MuJoCo task (default hardware/a1/a1.xml).")
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

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = {"Override a learner value, repeatable. Keys: "
            + LearnerConfig.KEYS + ". Example: --set utd=10 --set hidden=64,64"})
    List<String> overrides = new ArrayList<>();

    @Option(names = "--no-progress", description = "No progress bar; a status line every 10 seconds instead.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        Tasks task;
        LearnerConfig config;
        TrainingSettings settings;
        try {
            task = Tasks.byName(env);
            java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
            for (String o : overrides) {
                int eq = o.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--set needs KEY=VALUE, got '" + o + "'");
                }
                values.put(o.substring(0, eq).trim(), o.substring(eq + 1));
            }
            config = LearnerConfig.preset(agent).withAll(values);
            settings = new TrainingSettings(steps != null ? steps : task.defaultSteps,
                    randomSteps != null ? randomSteps : Math.min(task.defaultRandomSteps, steps != null ? steps : task.defaultSteps),
                    evalInterval != null ? evalInterval : task.defaultEvalInterval,
                    evalEpisodes != null ? evalEpisodes : task.defaultEvalEpisodes,
                    qBiasInterval != null ? qBiasInterval : task.defaultQBiasInterval, qBiasEpisodes, 0, seed);
        } catch (IllegalArgumentException e) {
            System.err.println("trot train: " + e.getMessage());
            return 2;
        }
        Path dir = out != null ? out : Path.of("runs", task.id + "-" + config.preset() + "-seed" + seed);
        System.err.println("trot train: " + config);
        System.err.println("trot train: " + settings + " -> " + dir.toAbsolutePath());

        if (!force) {
            try {
                // Also checked by Trainer.run; here it is said before simulators load and the progress bar starts.
                Outputs.requireAbsent(dir, Trainer.OUTPUTS);
            } catch (FileAlreadyExistsException e) {
                System.err.println("trot train: " + e.getMessage());
                return 2;
            }
        }
        Environment trainEnv0, evalEnv0;
        try {
            trainEnv0 = task.create(model);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("trot train: " + e.getMessage());
            return 2;
        }
        try {
            evalEnv0 = task.create(model);
        } catch (IllegalArgumentException | IllegalStateException e) {
            trainEnv0.close();
            System.err.println("trot train: " + e.getMessage());
            return 2;
        }
        try (Environment trainEnv = trainEnv0; Environment evalEnv = evalEnv0;
             StatusDisplay display = new StatusDisplay(settings.steps(), noProgress || System.console() == null)) {
            Trainer trainer = new Trainer(settings, config, trainEnv, evalEnv, dir, force)
                    .describe("command", "trot " + String.join(" ", Main.arguments()));
            Trainer.Summary s;
            try {
                s = trainer.run(display::update);
            } catch (FileAlreadyExistsException e) {
                System.err.println("trot train: " + e.getMessage());
                return 2;
            }
            display.close();
            System.out.printf(Locale.ROOT, "trained %d steps (%d episodes) in %.1f s; final evaluation return %.2f, best %.2f at step %d;"
                            + " mean update %.2f ms%s%nresults in %s%n", s.steps(), s.episodes(), s.seconds(), s.finalEvalReturn(),
                    s.bestEvalReturn(), s.bestEvalStep(), 1e3 * s.meanUpdateSeconds(),
                    s.rejectedTransitions() > 0 ? "; " + s.rejectedTransitions() + " transitions rejected (NaN/inf)" : "",
                    s.outDir().toAbsolutePath());
            return 0;
        }
    }

    /** The progress bar on a terminal; a plain status line every 10 s elsewhere (logs, CI). */
    static final class StatusDisplay implements AutoCloseable {
        private final ProgressBar bar;
        private boolean closed;
        private long lastEpisodes = -1;
        private long lastMessage;

        StatusDisplay(long total, boolean plain) {
            ProgressBarBuilder b = new ProgressBarBuilder().setTaskName("train").setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII).showSpeed().setUnit(" steps", 1).setMaxRenderedLength(160);
            if (plain) {
                b.setUpdateIntervalMillis(10_000).setConsumer(new DelegatingProgressBarConsumer(System.err::println));
            } else {
                b.setUpdateIntervalMillis(250);
            }
            this.bar = b.build();
        }

        void update(Progress p) {
            bar.stepTo(p.step);
            long now = System.nanoTime();
            if (p.episodes != lastEpisodes || now - lastMessage > 1_000_000_000L) {
                lastEpisodes = p.episodes;
                lastMessage = now;
                bar.setExtraMessage(p.warmingUp ? String.format(Locale.ROOT, " random actions | return %.1f", p.lastEpisodeReturn)
                        : String.format(Locale.ROOT, " return %.1f | eval %.1f | alpha %.3f | critic loss %.3g | update %.1f ms",
                        p.lastEpisodeReturn, p.lastEvalReturn, p.alpha, p.criticLoss, 1e3 * p.updateSeconds));
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                bar.close();
            }
        }
    }
}

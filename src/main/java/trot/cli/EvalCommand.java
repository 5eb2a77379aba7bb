package trot.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import trot.env.Environment;
import trot.io.MetricsCsv;
import trot.io.Outputs;
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
                "gait.png to the output directory."})
final class EvalCommand implements Callable<Integer> {

    @Option(names = {"-p", "--policy"}, required = true, description = "A policy checkpoint written by trot train (policy.ckpt).")
    Path policy;

    @Option(names = "--episodes", defaultValue = "5", description = "Episodes (default ${DEFAULT-VALUE}).")
    int episodes;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the environment's episodes (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-e", "--env"}, description = "Environment (default: the one the policy was trained on).")
    String env;

    @Option(names = "--model", description = "MJCF file for a MuJoCo task (default hardware/a1/a1.xml).")
    Path model;

    @Option(names = {"-o", "--out"}, description = "Output directory (default: eval/ beside the checkpoint).")
    Path out;

    @Option(names = "--force", description = "Replace the results of an earlier evaluation in the output directory.")
    boolean force;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = {"A task option, as the policy was trained with"
            + " (e.g. velocity=estimated for a policy trained on the A1's velocity estimator; see the run's run.txt)."})
    java.util.List<String> taskOptions = new java.util.ArrayList<>();

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
        Environment environment;
        try {
            environment = task.create(model, TrainCommand.allSetValues(taskOptions));
        } catch (IllegalArgumentException | IllegalStateException e) {
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
                    Outputs.requireAbsent(dir, List.of("evaluation.csv", EvaluationPlots.TRACE, EvaluationPlots.SPEED,
                            EvaluationPlots.GAIT));
                } catch (java.nio.file.FileAlreadyExistsException x) {
                    System.err.println("trot eval: " + x.getMessage());
                    return 2;
                }
            }
            Evaluator.Result r = new Evaluator(e, episodes, seed).run(loaded.deterministic());
            Files.createDirectories(dir);
            try (MetricsCsv csv = new MetricsCsv(dir.resolve("evaluation.csv"), List.of("episode", "return"), true)) {
                for (int i = 0; i < r.returns().length; i++) {
                    csv.row(i + 1, r.returns()[i]);
                }
            }
            EvaluationPlots.write(dir, e.spec().name() + ", " + policy.getFileName(), r);
            System.out.printf(Locale.ROOT, "%s, %d episodes (seed %d) of the policy from %s (step %s):%n", e.spec().name(),
                    episodes, seed, policy, loaded.step());
            System.out.printf(Locale.ROOT, "  return %.2f +- %.2f (min %.2f, max %.2f), mean length %.1f steps%n",
                    r.mean(), r.std(), r.min(), r.max(), r.meanLength());
            if (!Double.isNaN(r.meanForwardSpeed())) {
                System.out.printf(Locale.ROOT, "  mean forward speed %.3f m/s, mean yaw drift %.3f rad, falls %d of %d%n",
                        r.meanForwardSpeed(), r.meanYawDrift(), r.falls(), episodes);
            } else {
                System.out.printf(Locale.ROOT, "  terminated episodes %d of %d%n", r.falls(), episodes);
            }
            System.out.println("  results in " + dir.toAbsolutePath());
            return 0;
        }
    }
}

package trot.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import trot.env.Environment;
import trot.env.StepResult;
import trot.env.Telemetry;
import trot.io.MetricsCsv;
import trot.train.PolicyCheckpoint;
import trot.train.Evaluator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code trot estimator-check}: how well the A1's velocity estimator follows the true forward speed while a saved
 * policy walks (docs/estimator.md). Runs the policy deterministically on the a1 task with {@code velocity=estimated}
 * (the policy and the reward see the estimate) and compares, at every control step, the telemetry's
 * {@code estimated_forward_speed_mps} with the true {@code forward_speed_mps}: error {@code e = v_est - v_true};
 * RMSE {@code sqrt(mean e^2)}, bias {@code mean e}, max {@code |e|}, over all steps and over the walking episodes
 * (not fallen, mean true speed at least {@code --walking-speed}).
 */
@Command(name = "estimator-check", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure the A1 velocity estimator against the simulator's true forward speed while a saved policy",
                "walks: RMSE, bias and largest error of the estimated forward speed, overall and on walking episodes.",
                "Writes estimator_episodes.csv to --out if given."})
final class EstimatorCheckCommand implements Callable<Integer> {
    @Option(names = {"-p", "--policy"}, required = true, description = "A policy checkpoint of the a1 task (policy.ckpt).")
    Path policy;

    @Option(names = "--episodes", defaultValue = "10", description = "Episodes (default ${DEFAULT-VALUE}).")
    int episodes;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the episodes (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--angular-term", arity = "1", defaultValue = "true", description = "Include -omega x r_foot in the leg measurement (default ${DEFAULT-VALUE}).")
    boolean angularTerm;

    @Option(names = "--walking-speed", defaultValue = "0.25", description = "Mean true speed, m/s, from which an episode counts as walking (default ${DEFAULT-VALUE}).")
    double walkingSpeed_mps;

    @Option(names = "--robot", paramLabel = "FILE", description = "Robot file (default hardware/a1/a1.robot): its legs are the estimator's.")
    Path robotFile;

    @Option(names = "--model", description = "MJCF file replacing the robot file's.")
    Path model;

    @Option(names = {"-o", "--out"}, description = "Directory for estimator_episodes.csv (default: none written).")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (episodes < 1) {
            System.err.println("trot estimator-check: --episodes must be at least 1, got " + episodes);
            return 2;
        }
        PolicyCheckpoint.Loaded loaded;
        Environment env;
        try {
            loaded = PolicyCheckpoint.load(policy);
            env = Tasks.A1.create(robotFile, model, java.util.Map.of("velocity", "estimated", "angular-term", Boolean.toString(angularTerm)));
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            System.err.println("trot estimator-check: " + e.getMessage());
            return 2;
        }
        try (Environment e = env) {
            if (e.spec().observationSize() != loaded.policy().observationSize()) {
                System.err.println("trot estimator-check: the policy takes " + loaded.policy().observationSize()
                        + " observations; the a1 task has " + e.spec().observationSize());
                return 2;
            }
            Telemetry t = (Telemetry) e;
            int trueCh = t.telemetryNames().indexOf("forward_speed_mps"), estCh = t.telemetryNames().indexOf("estimated_forward_speed_mps");
            Evaluator.Controller controller = loaded.deterministic();
            // The one stepping of a world (trot.runtime.Rollout); this command only watches the telemetry.
            trot.runtime.Rollout rollout = new trot.runtime.Rollout(e);
            double[] tel = new double[t.telemetryNames().size()];
            List<double[]> rows = new ArrayList<>();
            Stats all = new Stats(), walking = new Stats();
            int falls = 0;
            double speedSum = 0;
            long speedSteps = 0;
            e.seed(seed);
            for (int ep = 0; ep < episodes; ep++) {
                Stats episode = new Stats();
                double[] trueSum = {0};
                StepResult r = rollout.runEpisode(controller, new trot.runtime.Rollout.Observer() {
                    @Override
                    public void step(trot.runtime.Rollout ro) {
                        t.telemetry(tel);
                        episode.add(tel[estCh] - tel[trueCh]);
                        trueSum[0] += tel[trueCh];
                    }
                });
                int n = (int) rollout.length();
                boolean fell = r.terminated;
                falls += fell ? 1 : 0;
                double meanSpeed = trueSum[0] / n;
                speedSum += trueSum[0];
                speedSteps += n;
                all.merge(episode);
                if (!fell && meanSpeed >= walkingSpeed_mps) {
                    walking.merge(episode);
                }
                rows.add(new double[]{ep + 1, n, fell ? 1 : 0, meanSpeed, episode.rmse(), episode.bias(), episode.max});
                System.out.printf(Locale.ROOT, "episode %2d: %3d steps%s, mean true speed %.3f m/s, RMSE %.4f m/s, bias %+.4f, max %.4f%n",
                        ep + 1, n, fell ? " (fell)" : "", meanSpeed, episode.rmse(), episode.bias(), episode.max);
            }
            System.out.printf(Locale.ROOT, "estimator (angular term %s), %d episodes (seed %d) of %s: mean true speed %.3f m/s, falls %d%n",
                    angularTerm, episodes, seed, policy, speedSum / speedSteps, falls);
            System.out.printf(Locale.ROOT, "  all steps:     RMSE %.4f m/s, bias %+.4f m/s, max |error| %.4f m/s (%d steps)%n",
                    all.rmse(), all.bias(), all.max, all.n);
            System.out.printf(Locale.ROOT, "  walking (%d episodes): RMSE %.4f m/s, bias %+.4f m/s, max |error| %.4f m/s (%d steps)%n",
                    walking.episodes, walking.rmse(), walking.bias(), walking.max, walking.n);
            if (out != null) {
                Files.createDirectories(out);
                try (MetricsCsv csv = new MetricsCsv(out.resolve(angularTerm ? "estimator_episodes.csv" : "estimator_episodes_no_angular_term.csv"),
                        List.of("episode", "steps", "fell", "mean_true_speed_mps", "rmse_mps", "bias_mps", "max_error_mps"), true)) {
                    for (double[] row : rows) {
                        csv.row(row);
                    }
                }
            }
            return 0;
        }
    }

    /** Sums of errors for RMSE, bias and the largest magnitude. */
    static final class Stats {
        long n;
        int episodes;
        double sum, sumSq, max;

        void add(double e) {
            n++;
            sum += e;
            sumSq += e * e;
            max = Math.max(max, Math.abs(e));
        }

        void merge(Stats o) {
            n += o.n;
            episodes++;
            sum += o.sum;
            sumSq += o.sumSq;
            max = Math.max(max, o.max);
        }

        double rmse() {
            return n == 0 ? Double.NaN : Math.sqrt(sumSq / n);
        }

        double bias() {
            return n == 0 ? Double.NaN : sum / n;
        }
    }
}

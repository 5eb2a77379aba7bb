package trot.train;

import trot.env.EnvSpec;
import trot.env.Environment;
import trot.env.StepResult;
import trot.env.Telemetry;
import trot.runtime.Rollout;

import java.util.List;

/**
 * Runs a deterministic controller for a number of episodes and summarises them: returns, falls (terminated
 * episodes), and, for environments with {@link Telemetry}, the mean forward speed and yaw drift; it keeps the first
 * episode's telemetry, step by step, for plots. The environment is re-seeded with the same seed before every run,
 * so successive evaluations start from the same states and differ only by the controller.
 */
public final class Evaluator {

    /** Maps an observation to an action in [-1, 1] (for example a trained policy's tanh(mu(s))). */
    @FunctionalInterface
    public interface Controller extends trot.runtime.Controller {
    }

    /**
     * @param returns          return of every episode
     * @param falls            episodes that ended by termination
     * @param meanForwardSpeed mean over all steps of forward_speed_mps (NaN without telemetry)
     * @param meanYawDrift     mean over episodes of |yaw at the end - yaw at the start| (unwrapped), rad (NaN without)
     * @param trace            telemetry of the first episode: one row per step, time in seconds first (empty without)
     * @param channels         names of the trace's columns after time
     */
    public record Result(double[] returns, double meanLength, int falls, double meanForwardSpeed, double meanYawDrift,
                         double[][] trace, List<String> channels) {
        public double mean() {
            double s = 0;
            for (double r : returns) {
                s += r;
            }
            return s / returns.length;
        }

        public double std() {
            double m = mean(), s = 0;
            for (double r : returns) {
                s += (r - m) * (r - m);
            }
            return Math.sqrt(s / returns.length);
        }

        public double min() {
            double v = Double.POSITIVE_INFINITY;
            for (double r : returns) {
                v = Math.min(v, r);
            }
            return v;
        }

        public double max() {
            double v = Double.NEGATIVE_INFINITY;
            for (double r : returns) {
                v = Math.max(v, r);
            }
            return v;
        }
    }

    private final Rollout rollout;
    private final EnvSpec spec;
    private final int episodes;
    private final long seed;
    private final Telemetry telemetry;
    private final double[] values;
    private final int speedChannel, yawChannel;

    public Evaluator(Environment env, int episodes, long seed) {
        if (episodes < 1) {
            throw new IllegalArgumentException("Evaluator: need at least one episode, got " + episodes);
        }
        this.rollout = new Rollout(env);
        this.spec = env.spec();
        this.episodes = episodes;
        this.seed = seed;
        this.telemetry = env instanceof Telemetry ? (Telemetry) env : null;
        List<String> names = telemetry == null ? List.of() : telemetry.telemetryNames();
        this.values = new double[names.size()];
        this.speedChannel = names.indexOf("forward_speed_mps");
        this.yawChannel = names.indexOf("yaw_rad");
    }

    /** The telemetry statistics of one run, booked step by step. */
    private final class Book implements Rollout.Observer {
        final double[][] trace = new double[telemetry == null ? 0 : spec.maxEpisodeSteps()][];
        int episode, traced;
        double speedSum, yaw0, yawPrev, yawUnwrapped;

        @Override
        public void reset(Rollout r) {
            if (telemetry != null && yawChannel >= 0) {
                // Drift is measured from the heading at reset, so the first step's turn counts too.
                telemetry.telemetry(values);
                yaw0 = yawPrev = yawUnwrapped = values[yawChannel];
            }
        }

        @Override
        public void step(Rollout r) {
            if (telemetry == null) {
                return;
            }
            telemetry.telemetry(values);
            if (speedChannel >= 0) {
                speedSum += values[speedChannel];
            }
            if (yawChannel >= 0) {
                double yaw = values[yawChannel];
                yawUnwrapped += Math.IEEEremainder(yaw - yawPrev, 2 * Math.PI);
                yawPrev = yaw;
            }
            if (episode == 0) {
                double[] row = new double[values.length + 1];
                row[0] = r.length() * spec.controlPeriodSeconds();
                System.arraycopy(values, 0, row, 1, values.length);
                trace[traced++] = row;
            }
        }
    }

    public Result run(Controller controller) {
        try {
            return run(controller, null);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);   // not reached: no recorder, nothing to write
        }
    }

    /**
     * {@link #run(Controller)}, with {@code firstEpisode} (null: none) watching the first episode and closed after it.
     *
     * @throws IOException when the recorder cannot write its recording (the evaluation's numbers are then lost too:
     *                     the caller asked for both)
     */
    public Result run(Controller controller, EpisodeRecorder firstEpisode) throws java.io.IOException {
        rollout.env().seed(seed);
        List<String> names = telemetry == null ? List.of() : telemetry.telemetryNames();
        double[] returns = new double[episodes];
        Book book = new Book();
        double steps = 0, driftSum = 0;
        int falls = 0;
        for (int e = 0; e < episodes; e++) {
            book.episode = e;
            StepResult last;
            if (e == 0 && firstEpisode != null) {
                try (EpisodeRecorder recorder = firstEpisode) {
                    last = rollout.runEpisode(controller, new Rollout.Observer() {
                        @Override
                        public void reset(Rollout r) {
                            book.reset(r);
                            recorder.reset(r);
                        }

                        @Override
                        public void step(Rollout r) {
                            book.step(r);
                            recorder.step(r);
                        }
                    });
                }
            } else {
                last = rollout.runEpisode(controller, book);
            }
            returns[e] = rollout.episodeReturn();
            steps += rollout.length();
            falls += last.terminated ? 1 : 0;
            if (yawChannel >= 0) {
                driftSum += Math.abs(book.yawUnwrapped - book.yaw0);
            }
        }
        return new Result(returns, steps / episodes, falls, speedChannel >= 0 ? book.speedSum / steps : Double.NaN,
                yawChannel >= 0 ? driftSum / episodes : Double.NaN, java.util.Arrays.copyOf(book.trace, book.traced), names);
    }
}

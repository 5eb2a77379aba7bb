package trot.train;

import trot.env.EnvSpec;
import trot.env.Environment;
import trot.env.StepResult;
import trot.env.Telemetry;

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
    public interface Controller {
        void act(float[] observation, float[] action);
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

    private final Environment env;
    private final EnvSpec spec;
    private final int episodes;
    private final long seed;
    private final float[] obs, action, envAction;
    private final StepResult result;
    private final Telemetry telemetry;
    private final double[] values;
    private final int speedChannel, yawChannel;

    public Evaluator(Environment env, int episodes, long seed) {
        if (episodes < 1) {
            throw new IllegalArgumentException("Evaluator: need at least one episode, got " + episodes);
        }
        this.env = env;
        this.spec = env.spec();
        this.episodes = episodes;
        this.seed = seed;
        this.obs = new float[spec.observationSize()];
        this.action = new float[spec.actionSize()];
        this.envAction = new float[spec.actionSize()];
        this.result = new StepResult(spec);
        this.telemetry = env instanceof Telemetry ? (Telemetry) env : null;
        List<String> names = telemetry == null ? List.of() : telemetry.telemetryNames();
        this.values = new double[names.size()];
        this.speedChannel = names.indexOf("forward_speed_mps");
        this.yawChannel = names.indexOf("yaw_rad");
    }

    public Result run(Controller controller) {
        env.seed(seed);
        List<String> names = telemetry == null ? List.of() : telemetry.telemetryNames();
        double[] returns = new double[episodes];
        double[][] trace = new double[telemetry == null ? 0 : spec.maxEpisodeSteps()][];
        double steps = 0, speedSum = 0, driftSum = 0;
        int falls = 0, traced = 0;
        for (int e = 0; e < episodes; e++) {
            env.reset(obs);
            double ret = 0, yaw0 = 0, yawPrev = 0, yawUnwrapped = 0;
            if (telemetry != null && yawChannel >= 0) {
                // Drift is measured from the heading at reset, so the first step's turn counts too.
                telemetry.telemetry(values);
                yaw0 = yawPrev = yawUnwrapped = values[yawChannel];
            }
            int t = 0;
            do {
                controller.act(obs, action);
                spec.scaleActions(action, envAction);
                env.step(envAction, result);
                ret += result.reward;
                t++;
                System.arraycopy(result.observation, 0, obs, 0, obs.length);
                if (telemetry != null) {
                    telemetry.telemetry(values);
                    if (speedChannel >= 0) {
                        speedSum += values[speedChannel];
                    }
                    if (yawChannel >= 0) {
                        double yaw = values[yawChannel];
                        yawUnwrapped += Math.IEEEremainder(yaw - yawPrev, 2 * Math.PI);
                        yawPrev = yaw;
                    }
                    if (e == 0) {
                        double[] row = new double[values.length + 1];
                        row[0] = t * spec.controlPeriodSeconds();
                        System.arraycopy(values, 0, row, 1, values.length);
                        trace[traced++] = row;
                    }
                }
            } while (!result.terminated && !result.truncated);
            returns[e] = ret;
            steps += t;
            falls += result.terminated ? 1 : 0;
            if (yawChannel >= 0) {
                driftSum += Math.abs(yawUnwrapped - yaw0);
            }
        }
        return new Result(returns, steps / episodes, falls, speedChannel >= 0 ? speedSum / steps : Double.NaN,
                yawChannel >= 0 ? driftSum / episodes : Double.NaN, java.util.Arrays.copyOf(trace, traced), names);
    }
}

package trot.train;

import trot.env.EnvSpec;
import trot.env.EpisodeEnd;
import trot.env.EpisodeReport;
import trot.env.Environment;
import trot.env.StepResult;
import trot.env.Telemetry;
import trot.runtime.Rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs a deterministic controller for a number of episodes and summarises them: returns, falls (terminated
 * episodes), and, for environments with {@link Telemetry}, the mean forward speed and yaw drift; it keeps the first
 * episode's telemetry, step by step, for plots, and one {@link Episode} per episode (why it ended, its conditions,
 * where the trunk went). The environment is re-seeded with the same seed before every run, so successive evaluations
 * start from the same states and differ only by the controller.
 *
 * <h2>Where the trunk went</h2>
 * With telemetry {@code x_m}, {@code y_m} (a simulator's true position) the displacement is the trunk's from the
 * reset to the episode's last step; without them but with {@code forward_speed_mps} and {@code yaw_rad} (a real
 * robot's estimated speed) it is dead-reckoned, {@code p += v_forward (cos yaw, sin yaw) dt} per step, which leaves
 * out sideways slip. Either way it is expressed in the episode's starting heading frame: forward along the heading at
 * the reset, lateral to its left.
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
     * @param controlPeriod_s  seconds between two steps (a trace row's time is the end of its step's period)
     * @param episodes         every episode, in order
     */
    public record Result(double[] returns, double meanLength, int falls, double meanForwardSpeed, double meanYawDrift,
                         double[][] trace, List<String> channels, double controlPeriod_s, List<Episode> episodes) {
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

    /** Where an episode's displacement comes from: the simulator's position, or dead reckoning; none without telemetry. */
    public enum PositionSource { SIMULATOR, ODOMETRY, NONE }

    /**
     * One evaluation episode. NaN where the environment does not report the value.
     *
     * @param number               1, 2, ...
     * @param episodeReturn        the sum of its rewards
     * @param steps                its length in control steps
     * @param duration_s           steps times the control period
     * @param end                  why it ended
     * @param conditions           what it was drawn with ({@link EpisodeReport#episodeConditions}; empty without)
     * @param forward_m            displacement along the heading at the reset
     * @param lateral_m            displacement to the left of that heading
     * @param yawDrift_rad         heading change from the reset to the end, unwrapped, counter-clockwise positive
     * @param meanForwardSpeed_mps mean over its steps of forward_speed_mps
     * @param position             where the displacement comes from
     */
    public record Episode(int number, double episodeReturn, long steps, double duration_s, EpisodeEnd end,
                          Map<String, String> conditions, double forward_m, double lateral_m, double yawDrift_rad,
                          double meanForwardSpeed_mps, PositionSource position) {
        public Episode {
            conditions = Map.copyOf(conditions);   // keeps no order: callers go by the report's names
        }

        /** The straight-line distance from the start, m. */
        public double distance_m() {
            return Math.hypot(forward_m, lateral_m);
        }

        /**
         * The direction walked, degrees from the starting heading, to the left positive; NaN when the trunk ended less
         * than {@value #DIRECTION_MIN_M} m from its start (a robot that stood: its direction is noise).
         */
        public double direction_deg() {
            return distance_m() >= DIRECTION_MIN_M ? Math.toDegrees(Math.atan2(lateral_m, forward_m)) : Double.NaN;
        }

        /** The shortest displacement that has a direction, m. */
        public static final double DIRECTION_MIN_M = 0.05;

        public double yawDrift_deg() {
            return Math.toDegrees(yawDrift_rad);
        }

        /** This episode ended by {@code end} instead (a stop the caller can name better). */
        public Episode withEnd(EpisodeEnd e) {
            return new Episode(number, episodeReturn, steps, duration_s, e, conditions, forward_m, lateral_m, yawDrift_rad,
                    meanForwardSpeed_mps, position);
        }
    }

    private final Rollout rollout;
    private final EnvSpec spec;
    private final int episodes;
    private final long seed;
    private final Telemetry telemetry;
    private final double[] values;
    private final int speedChannel, yawChannel, xChannel, yChannel;
    private final EpisodeReport report;
    private final PositionSource position;
    private Function<RuntimeException, String> stopReasons = e -> null;

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
        this.xChannel = names.indexOf("x_m");
        this.yChannel = names.indexOf("y_m");
        this.report = env instanceof EpisodeReport ? (EpisodeReport) env : null;
        this.position = xChannel >= 0 && yChannel >= 0 && yawChannel >= 0 ? PositionSource.SIMULATOR
                : speedChannel >= 0 && yawChannel >= 0 ? PositionSource.ODOMETRY : PositionSource.NONE;
    }

    /**
     * How to tell a stop of the run from a failure: {@code reasons} maps an exception thrown during an episode to the
     * stop's name ({@code link-lost}, lower-case words joined by '-'), or null when it is not a stop. A named stop
     * still reports the unfinished episode (ended {@code stopped:<name>}) to the listener before the exception goes
     * on. None by default.
     */
    public Evaluator stopReasons(Function<RuntimeException, String> reasons) {
        this.stopReasons = reasons == null ? e -> null : reasons;
        return this;
    }

    /** The environment's telemetry names (empty without {@link Telemetry}). */
    public List<String> channels() {
        return telemetry == null ? List.of() : telemetry.telemetryNames();
    }

    /** Where this environment's displacements come from. */
    public PositionSource positionSource() {
        return position;
    }

    /** The names of the episode conditions this environment reports (empty without {@link EpisodeReport}). */
    public List<String> conditionNames() {
        return report == null ? List.of() : List.copyOf(report.episodeConditions().keySet());
    }

    /** The telemetry statistics of one run, booked step by step. */
    private final class Book implements Rollout.Observer {
        final double[][] trace = new double[telemetry == null ? 0 : spec.maxEpisodeSteps()][];
        int episode, traced;
        double speedSum, yaw0, yawPrev, yawUnwrapped;
        // This episode's: conditions, start position and heading, speed sum and steps, current position.
        Map<String, String> conditions = Map.of();
        double episodeSpeedSum, x0, y0, x, y;
        long episodeSteps;

        @Override
        public void reset(Rollout r) {
            conditions = report == null ? Map.of() : report.episodeConditions();
            episodeSpeedSum = 0;
            episodeSteps = 0;
            x0 = y0 = x = y = yaw0 = yawPrev = yawUnwrapped = 0;
            if (telemetry != null && yawChannel >= 0) {
                // Drift is measured from the heading at reset, so the first step's turn counts too.
                telemetry.telemetry(values);
                yaw0 = yawPrev = yawUnwrapped = values[yawChannel];
                if (position == PositionSource.SIMULATOR) {
                    x0 = x = values[xChannel];
                    y0 = y = values[yChannel];
                }
            }
        }

        @Override
        public void step(Rollout r) {
            if (telemetry == null) {
                return;
            }
            telemetry.telemetry(values);
            episodeSteps++;
            if (speedChannel >= 0) {
                speedSum += values[speedChannel];
                episodeSpeedSum += values[speedChannel];
            }
            if (yawChannel >= 0) {
                double yaw = values[yawChannel];
                yawUnwrapped += Math.IEEEremainder(yaw - yawPrev, 2 * Math.PI);
                yawPrev = yaw;
            }
            if (position == PositionSource.SIMULATOR) {
                x = values[xChannel];
                y = values[yChannel];
            } else if (position == PositionSource.ODOMETRY) {
                double v = values[speedChannel], dt = spec.controlPeriodSeconds();
                if (Double.isFinite(v)) {
                    x += v * Math.cos(yawPrev) * dt;
                    y += v * Math.sin(yawPrev) * dt;
                }
            }
            if (episode == 0) {
                double[] row = new double[values.length + 1];
                row[0] = r.length() * spec.controlPeriodSeconds();
                System.arraycopy(values, 0, row, 1, values.length);
                trace[traced++] = row;
            }
        }

        /** The episode as booked so far, ended by {@code end}. */
        Episode episode(Rollout r, EpisodeEnd end) {
            double forward = Double.NaN, lateral = Double.NaN;
            if (position != PositionSource.NONE) {
                double dx = x - x0, dy = y - y0, c = Math.cos(yaw0), s = Math.sin(yaw0);
                forward = c * dx + s * dy;
                lateral = -s * dx + c * dy;
            }
            return new Episode(episode + 1, r.episodeReturn(), r.length(), r.length() * spec.controlPeriodSeconds(), end,
                    conditions, forward, lateral, yawChannel >= 0 ? yawUnwrapped - yaw0 : Double.NaN,
                    speedChannel >= 0 && episodeSteps > 0 ? episodeSpeedSum / episodeSteps : Double.NaN, position);
        }
    }

    /** {@link #run(Controller, Consumer)} with no listener. */
    public Result run(Controller controller) {
        return run(controller, (Consumer<Episode>) null);
    }

    /**
     * Runs the episodes with {@code controller}; {@code listener} (may be null) sees each {@link Episode} as soon as it
     * ends, so a long evaluation (a robot's) can be followed and its finished episodes survive a stop.
     */
    public Result run(Controller controller, Consumer<Episode> listener) {
        try {
            return run(controller, listener, null);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);   // not reached: no recorder, nothing to write
        }
    }

    /** {@link #run(Controller, Consumer, EpisodeRecorder)} with no listener. */
    public Result run(Controller controller, EpisodeRecorder firstEpisode) throws java.io.IOException {
        return run(controller, null, firstEpisode);
    }

    /**
     * {@link #run(Controller, Consumer)}, with {@code firstEpisode} (null: none) watching the first episode and closed
     * after it.
     *
     * @throws IOException when the recorder cannot write its recording (the evaluation's numbers are then lost too:
     *                     the caller asked for both)
     */
    public Result run(Controller controller, Consumer<Episode> listener, EpisodeRecorder firstEpisode)
            throws java.io.IOException {
        rollout.env().seed(seed);
        List<String> names = telemetry == null ? List.of() : telemetry.telemetryNames();
        double[] returns = new double[episodes];
        List<Episode> list = new ArrayList<>();
        Book book = new Book();
        double steps = 0, driftSum = 0;
        int falls = 0;
        for (int e = 0; e < episodes; e++) {
            book.episode = e;
            StepResult last;
            try {
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
            } catch (RuntimeException x) {
                String stop = stopReasons.apply(x);
                if (stop != null && listener != null) {
                    listener.accept(book.episode(rollout, EpisodeEnd.stopped(stop)));
                }
                throw x;
            }
            returns[e] = rollout.episodeReturn();
            steps += rollout.length();
            falls += last.terminated ? 1 : 0;
            if (yawChannel >= 0) {
                driftSum += Math.abs(book.yawUnwrapped - book.yaw0);
            }
            EpisodeEnd end = report != null && report.lastEpisodeEnd() != null ? report.lastEpisodeEnd() : EpisodeEnd.of(last);
            Episode ep = book.episode(rollout, end);
            list.add(ep);
            if (listener != null) {
                listener.accept(ep);
            }
        }
        return new Result(returns, steps / episodes, falls, speedChannel >= 0 ? book.speedSum / steps : Double.NaN,
                yawChannel >= 0 ? driftSum / episodes : Double.NaN, java.util.Arrays.copyOf(book.trace, book.traced), names,
                spec.controlPeriodSeconds(), List.copyOf(list));
    }
}

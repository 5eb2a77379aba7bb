package trot.env.classic;

import trot.env.EnvSpec;
import trot.env.Environment;
import trot.env.StepResult;
import trot.util.Rng;

/**
 * The classic inverted-pendulum swing-up, Gymnasium's {@code Pendulum-v1}, written from its equations: a rigid
 * rod hinged at one end, starting at a random angle, must be swung up and balanced upright with a motor too weak
 * to lift it in one push.
 *
 * <h2>Dynamics (SI units, computed in double)</h2>
 * State {@code (theta, thetadot)}: angle from upright in radians (not wrapped), angular velocity in rad/s.
 * Constants: {@code g = 10} m/s², {@code m = 1} kg, {@code l = 1} m, {@code dt = 0.05} s, maximum torque
 * {@code 2} N·m, maximum speed {@code 8} rad/s. One step with action {@code a} (a torque in N·m):
 * <pre>
 *   u         = clip(a, -2, 2)
 *   reward    = -(angle_normalize(theta)^2 + 0.1 thetadot^2 + 0.001 u^2)      (from the state before the step)
 *   thetadot' = clip(thetadot + (3 g / (2 l) sin(theta) + 3 / (m l^2) u) dt, -8, 8)
 *   theta'    = theta + thetadot' dt                                           (semi-implicit Euler)
 * </pre>
 * with {@code angle_normalize(x) = ((x + pi) mod 2 pi) - pi} in {@code [-pi, pi)} (a floor modulo, as Python's
 * {@code %}). The reward lies in {@code [-(pi^2 + 6.4 + 0.004), 0]} = about {@code [-16.27, 0]}, and is 0 only
 * upright at rest with no torque.
 *
 * <p>Observation: {@code (cos theta, sin theta, thetadot)}. Reset: {@code theta ~ U(-pi, pi)},
 * {@code thetadot ~ U(-1, 1)}, drawn in that order from the seeded generator. Episodes last
 * {@value #MAX_EPISODE_STEPS} steps and end by truncation only: the task never terminates.
 */
public final class Pendulum implements Environment, trot.env.Resumable {
    public static final double MAX_TORQUE = 2.0;
    public static final double MAX_SPEED = 8.0;
    public static final double DT = 0.05;
    public static final double G = 10.0;
    public static final double M = 1.0;
    public static final double L = 1.0;
    public static final int MAX_EPISODE_STEPS = 200;

    private static final double TWO_PI = 2.0 * Math.PI;

    private final EnvSpec spec = new EnvSpec("Pendulum", 3, 1, new float[]{(float) -MAX_TORQUE},
            new float[]{(float) MAX_TORQUE}, MAX_EPISODE_STEPS, DT);
    private Rng rng;
    private double theta;
    private double thetaDot;
    /** Steps taken in the current episode. */
    private int steps;
    /** A reset has started an episode that has not yet ended. */
    private boolean running;

    /** A pendulum seeded with {@code seed}. */
    public Pendulum(long seed) {
        this.rng = new Rng(seed);
    }

    /** A pendulum seeded with 0. */
    public Pendulum() {
        this(0L);
    }

    @Override
    public EnvSpec spec() {
        return spec;
    }

    @Override
    public void seed(long seed) {
        rng = new Rng(seed);
        running = false;
        steps = 0;
    }

    @Override
    public void reset(float[] observation) {
        spec.checkObservationBuffer("reset", observation);
        theta = -Math.PI + TWO_PI * rng.nextDouble();
        thetaDot = -1.0 + 2.0 * rng.nextDouble();
        steps = 0;
        running = true;
        observe(observation);
    }

    @Override
    public void step(float[] action, StepResult out) {
        if (!running) {
            throw new IllegalStateException(steps >= MAX_EPISODE_STEPS
                    ? "Pendulum.step: the episode ended (truncated at step " + steps + "); call reset to start another"
                    : "Pendulum.step called before reset; call reset to start an episode");
        }
        spec.checkAction(action);
        spec.checkObservationBuffer("step", out.observation);

        final double u = Math.max(-MAX_TORQUE, Math.min(MAX_TORQUE, action[0]));
        final double th = theta, thDot = thetaDot;
        final double an = angleNormalize(th);
        final double cost = an * an + 0.1 * thDot * thDot + 0.001 * u * u;

        double newThDot = thDot + (3.0 * G / (2.0 * L) * Math.sin(th) + 3.0 / (M * L * L) * u) * DT;
        newThDot = Math.max(-MAX_SPEED, Math.min(MAX_SPEED, newThDot));
        theta = th + newThDot * DT;
        thetaDot = newThDot;
        steps++;

        out.reward = (float) -cost;
        out.terminated = false;
        out.truncated = steps >= MAX_EPISODE_STEPS;
        running = !out.truncated;
        observe(out.observation);
    }

    private void observe(float[] obs) {
        obs[0] = (float) Math.cos(theta);
        obs[1] = (float) Math.sin(theta);
        obs[2] = (float) thetaDot;
    }

    /** {@code ((x + pi) mod 2 pi) - pi} with a floor modulo (Python's {@code %}): the result is in {@code [-pi, pi)}. */
    public static double angleNormalize(double x) {
        double r = (x + Math.PI) % TWO_PI;
        if (r < 0.0) {
            r += TWO_PI;
        }
        return r - Math.PI;
    }

    /** Angle from upright in radians, as integrated (not wrapped). */
    public double theta() {
        return theta;
    }

    /** Angular velocity in rad/s. */
    public double thetaDot() {
        return thetaDot;
    }

    /** Steps taken in the current episode. */
    public int steps() {
        return steps;
    }

    /**
     * Overwrites the state of the episode in progress (for tests and for evaluating from chosen states); the step
     * count is unchanged. Writes the corresponding observation when {@code observation} is not null.
     *
     * @throws IllegalStateException    when no episode is in progress
     * @throws IllegalArgumentException for a non-finite value
     */
    public void setState(double theta, double thetaDot, float[] observation) {
        if (!running) {
            throw new IllegalStateException("Pendulum.setState: no episode in progress; call reset first");
        }
        if (!Double.isFinite(theta) || !Double.isFinite(thetaDot)) {
            throw new IllegalArgumentException("Pendulum.setState: the state must be finite, got theta " + theta
                    + ", thetadot " + thetaDot);
        }
        if (observation != null) {
            spec.checkObservationBuffer("setState", observation);
        }
        this.theta = theta;
        this.thetaDot = thetaDot;
        if (observation != null) {
            observe(observation);
        }
    }

    /** Any step boundary: the state is the generator, the angle, the velocity and the step count. */
    @Override
    public boolean canCapture() {
        return true;
    }

    /** Entries {@code env.rng} (the generator), {@code env.state} [theta, thetadot], {@code env.episode} [steps, running]. */
    @Override
    public void saveState(trot.util.StateWriter out) {
        long[] r = new long[Rng.STATE_LONGS];
        rng.saveState(r, 0);
        out.longs("env.rng", r);
        out.doubles("env.state", new double[]{theta, thetaDot});
        out.longs("env.episode", new long[]{steps, running ? 1 : 0});
    }

    @Override
    public void restoreState(trot.util.StateReader in, float[] observation) {
        spec.checkObservationBuffer("restoreState", observation);
        long[] r = new long[Rng.STATE_LONGS];
        double[] state = new double[2];
        long[] episode = new long[2];
        in.longs("env.rng", r);
        in.doubles("env.state", state);
        in.longs("env.episode", episode);
        if (!Double.isFinite(state[0]) || !Double.isFinite(state[1]) || episode[0] < 0
                || episode[0] > MAX_EPISODE_STEPS || (episode[1] != 0 && episode[1] != 1)) {
            throw new IllegalArgumentException("Pendulum.restoreState: not a pendulum state: theta " + state[0]
                    + ", thetadot " + state[1] + ", step " + episode[0] + ", running " + episode[1]);
        }
        Rng restored = new Rng(0);
        restored.restoreState(r, 0);
        rng = restored;
        theta = state[0];
        thetaDot = state[1];
        steps = (int) episode[0];
        running = episode[1] == 1;
        observe(observation);
    }

    @Override
    public String toString() {
        return "Pendulum(theta " + theta + ", thetadot " + thetaDot + ", step " + steps + ")";
    }
}

package trot.env.classic;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import trot.env.EnvSpec;
import trot.env.StepResult;
import trot.util.Rng;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pendulum against its equations (Gymnasium's Pendulum-v1). Expected values are worked out by hand from the
 * formulas in the class comment, not by calling the class.
 */
class PendulumTest {
    static final double PI = Math.PI;
    final Pendulum env = new Pendulum(7);
    final float[] obs = new float[3];
    final StepResult out = new StepResult(3);

    /** Starts an episode, puts the pendulum at (theta, thetadot) and steps once with {@code action}. */
    StepResult stepFrom(double theta, double thetaDot, float action) {
        env.reset(obs);
        env.setState(theta, thetaDot, null);
        env.step(new float[]{action}, out);
        return out;
    }

    static void throwsMentioning(Class<? extends Throwable> type, Executable call, String... words) {
        Throwable t = assertThrows(type, call);
        for (String w : words) {
            assertTrue(t.getMessage().contains(w), "message \"" + t.getMessage() + "\" should mention \"" + w + "\"");
        }
    }

    @Test
    void specIsPendulumV1() {
        EnvSpec s = env.spec();
        assertEquals(3, s.observationSize());
        assertEquals(1, s.actionSize());
        assertArrayEquals(new float[]{-2f}, s.actionLow());
        assertArrayEquals(new float[]{2f}, s.actionHigh());
        assertEquals(200, s.maxEpisodeSteps());
        assertEquals(0.05, s.controlPeriodSeconds());
        assertEquals(1f, s.scaleAction(0, 0.5f), "the agent's 0.5 is 1 N m");
    }

    @Test
    void oneStepMatchesTheEquations() {
        // theta = 1, thetadot = 0.5, a = 1.5 (inside the torque limit, so u = 1.5):
        //   reward    = -(1^2 + 0.1 * 0.5^2 + 0.001 * 1.5^2) = -(1 + 0.025 + 0.00225) = -1.02725
        //   thetadot' = 0.5 + (15 sin 1 + 3 * 1.5) * 0.05 = 0.5 + (15 * 0.8414709848078965 + 4.5) * 0.05
        //             = 1.3561032386059226
        //   theta'    = 1 + 1.3561032386059226 * 0.05 = 1.0678051619302962
        //   obs       = (cos theta', sin theta', thetadot') = (0.48204838409011624, 0.8761445973103457, 1.3561...)
        stepFrom(1.0, 0.5, 1.5f);
        assertEquals(-1.02725f, out.reward);
        assertEquals(1.3561032386059226, env.thetaDot(), 1e-15);
        assertEquals(1.0678051619302962, env.theta(), 1e-15);
        assertArrayEquals(new float[]{0.48204838409011624f, 0.8761445973103457f, 1.3561032386059226f}, out.observation);
        assertFalse(out.terminated);
        assertFalse(out.truncated);

        // theta = -2.5, thetadot = -3, a = -0.7:
        //   reward    = -(6.25 + 0.9 + 0.00049) = -7.15049
        //   thetadot' = -3 + (15 sin(-2.5) - 2.1) * 0.05 = -3 + (15 * -0.5984721441039564 - 2.1) * 0.05
        //             = -3.5538541080779673
        //   theta'    = -2.5 - 3.5538541080779673 * 0.05 = -2.6776927054038984
        stepFrom(-2.5, -3.0, -0.7f);
        assertEquals(-7.15049f, out.reward, 1e-6f);
        assertEquals(-3.5538541080779673, env.thetaDot(), 1e-7);   // 1e-7: a = -0.7f is not exactly -0.7
        assertEquals(-2.6776927054038984, env.theta(), 1e-8);
        assertArrayEquals(new float[]{-0.8943143130105101f, -0.4474392802878837f, -3.5538541080779673f},
                out.observation, 1e-6f);
    }

    @Test
    void rewardIsZeroUprightAtRestAndMinusPiSquaredAtTheBottom() {
        assertEquals(0f, stepFrom(0.0, 0.0, 0f).reward, 0f);
        assertEquals(0.0, env.theta(), "upright at rest with no torque is an equilibrium");
        assertEquals((float) -(PI * PI), stepFrom(PI, 0.0, 0f).reward);
        assertEquals((float) -(PI * PI), stepFrom(-PI, 0.0, 0f).reward);
        // the reward is the state's before the step: hanging down with full speed and torque costs pi^2 + 6.4 + 0.004
        assertEquals((float) -(PI * PI + 6.4 + 0.004), stepFrom(PI, 8.0, 2f).reward, 1e-5f);
    }

    @Test
    void torqueIsClippedToTwo() {
        StepResult r = stepFrom(0.3, 0.2, 5f);
        float reward = r.reward;
        double theta = env.theta(), thetaDot = env.thetaDot();
        stepFrom(0.3, 0.2, 2f);
        assertEquals(thetaDot, env.thetaDot(), 0.0, "a = 5 must act as u = 2");
        assertEquals(theta, env.theta(), 0.0);
        assertEquals(out.reward, reward, 0f, "the control cost uses the clipped torque");
        // by hand: -(0.09 + 0.1 * 0.04 + 0.001 * 4) = -0.098
        assertEquals(-0.098f, reward, 1e-7f);

        stepFrom(0.3, 0.2, -1000f);
        double low = env.thetaDot();
        stepFrom(0.3, 0.2, -2f);
        assertEquals(env.thetaDot(), low, 0.0);
        assertEquals(-0.098f, out.reward, 1e-7f);
    }

    @Test
    void speedIsClippedToEight() {
        // thetadot' = 7.9 + (15 sin(pi/2) + 3 * 2) * 0.05 = 7.9 + 1.05 = 8.95, clipped to 8; theta' = pi/2 + 8 * 0.05
        stepFrom(PI / 2, 7.9, 2f);
        assertEquals(8.0, env.thetaDot(), 0.0);
        assertEquals(PI / 2 + 0.4, env.theta(), 1e-15);
        assertEquals(8f, out.observation[2]);
        stepFrom(-PI / 2, -7.9, -2f);
        assertEquals(-8.0, env.thetaDot(), 0.0);
        assertEquals(-PI / 2 - 0.4, env.theta(), 1e-15);
    }

    @Test
    void anglesAreNormalisedIntoMinusPiToPi() {
        assertEquals(0.0, Pendulum.angleNormalize(0.0), 0.0);
        assertEquals(0.5, Pendulum.angleNormalize(0.5 + 2 * PI), 1e-12);
        assertEquals(0.5, Pendulum.angleNormalize(0.5 - 6 * PI), 1e-12);
        assertEquals(-PI / 2, Pendulum.angleNormalize(3 * PI / 2), 1e-12);
        assertEquals(PI - 0.25, Pendulum.angleNormalize(-PI - 0.25), 1e-12);
        assertEquals(-PI, Pendulum.angleNormalize(PI), 0.0, "pi maps to -pi, as Gymnasium's floor modulo does");
        assertEquals(-PI, Pendulum.angleNormalize(-PI), 0.0);
        for (double x = -50; x < 50; x += 0.37) {
            double n = Pendulum.angleNormalize(x);
            assertTrue(n >= -PI && n < PI, x + " normalised to " + n);
            assertEquals(0.0, Math.IEEEremainder(x - n, 2 * PI), 1e-9, x + " and " + n + " differ by a multiple of 2 pi");
        }
        // the reward sees the normalised angle: theta = 2 pi + 0.5 costs like 0.5; 3 pi / 2 costs like -pi / 2
        assertEquals(-0.25f, stepFrom(2 * PI + 0.5, 0.0, 0f).reward, 1e-6f);
        assertEquals((float) -(PI * PI / 4), stepFrom(3 * PI / 2, 0.0, 0f).reward, 1e-6f);
        assertEquals((float) -(PI * PI / 4), stepFrom(-7 * PI / 2, 0.0, 0f).reward, 1e-6f);
    }

    @Test
    void resetDrawsThetaAndSpeedUniformly() {
        double minTh = 9, maxTh = -9, minW = 9, maxW = -9, sumTh = 0;
        int n = 4000;
        for (int i = 0; i < n; i++) {
            env.reset(obs);
            double th = env.theta(), w = env.thetaDot();
            assertEquals((float) Math.cos(th), obs[0]);
            assertEquals((float) Math.sin(th), obs[1]);
            assertEquals((float) w, obs[2]);
            assertEquals(0, env.steps());
            minTh = Math.min(minTh, th);
            maxTh = Math.max(maxTh, th);
            minW = Math.min(minW, w);
            maxW = Math.max(maxW, w);
            sumTh += th;
        }
        assertTrue(minTh >= -PI && maxTh < PI && minTh < -3.1 && maxTh > 3.1, "theta range " + minTh + " .. " + maxTh);
        assertTrue(minW >= -1 && maxW < 1 && minW < -0.99 && maxW > 0.99, "thetadot range " + minW + " .. " + maxW);
        assertEquals(0.0, sumTh / n, 0.1, "mean initial theta");
    }

    @Test
    void episodesAreTruncatedAtExactlyStep200AndNeverTerminate() {
        Rng actions = new Rng(3);
        for (int episode = 0; episode < 3; episode++) {
            env.reset(obs);
            for (int t = 1; t <= 200; t++) {
                env.step(new float[]{actions.uniform(-3f, 3f)}, out);
                assertFalse(out.terminated, "the pendulum never terminates (step " + t + ")");
                assertEquals(t == 200, out.truncated, "truncated at step " + t);
                assertEquals(t, env.steps());
            }
            throwsMentioning(IllegalStateException.class, () -> env.step(new float[]{0f}, out),
                    "episode ended", "200", "reset");
        }
    }

    float[] episode(Pendulum p, long actionSeed) {
        Rng actions = new Rng(actionSeed);
        float[] trace = new float[3 + 200 * 4];
        float[] o = new float[3];
        StepResult r = new StepResult(3);
        p.reset(o);
        System.arraycopy(o, 0, trace, 0, 3);
        for (int t = 0; t < 200; t++) {
            p.step(new float[]{actions.uniform(-2f, 2f)}, r);
            System.arraycopy(r.observation, 0, trace, 3 + 4 * t, 3);
            trace[3 + 4 * t + 3] = r.reward;
        }
        return trace;
    }

    @Test
    void sameSeedSameEpisodesDifferentSeedsDiffer() {
        Pendulum a = new Pendulum(11), b = new Pendulum(11), c = new Pendulum(12);
        float[] a1 = episode(a, 5), a2 = episode(a, 5);
        assertArrayEquals(a1, episode(b, 5), "same seed, same actions: same first episode");
        assertArrayEquals(a2, episode(b, 5), "and the same second episode");
        assertFalse(Arrays.equals(a1, a2), "consecutive episodes start from different states");
        assertFalse(Arrays.equals(a1, episode(c, 5)), "another seed gives another episode");
        c.seed(11);
        assertArrayEquals(a1, episode(c, 5), "seed(11) replays seed 11's episodes");
        assertArrayEquals(a2, episode(c, 5));
    }

    @Test
    void resetAndStepAllocateNothing() {
        float[] action = {0f};
        Rng rng = new Rng(1);
        Runnable episode = () -> {
            env.reset(obs);
            for (int t = 0; t < 200; t++) {
                action[0] = rng.uniform(-2f, 2f);
                env.step(action, out);
            }
        };
        long[] windows = trot.testing.Allocations.windows(episode, 200, 20, 4);
        assertEquals(0, java.util.Arrays.stream(windows).min().orElseThrow(),
                "episodes of 1 reset and 200 steps: " + trot.testing.Allocations.describe(windows, 20));
    }

    @Test
    void badActionsAndStepBeforeResetAreRejected() {
        Pendulum fresh = new Pendulum(1);
        throwsMentioning(IllegalStateException.class, () -> fresh.step(new float[]{0f}, out), "before reset");
        fresh.reset(obs);
        fresh.seed(2);
        throwsMentioning(IllegalStateException.class, () -> fresh.step(new float[]{0f}, out), "before reset");

        env.reset(obs);
        double theta = env.theta(), thetaDot = env.thetaDot();
        throwsMentioning(IllegalArgumentException.class, () -> env.step(new float[]{Float.NaN}, out), "action[0]", "NaN");
        throwsMentioning(IllegalArgumentException.class, () -> env.step(new float[]{Float.POSITIVE_INFINITY}, out), "Infinity");
        throwsMentioning(IllegalArgumentException.class, () -> env.step(new float[2], out), "2 entries", "actionSize = 1");
        throwsMentioning(IllegalArgumentException.class, () -> env.step(null, out), "null");
        throwsMentioning(IllegalArgumentException.class, () -> env.step(new float[1], new StepResult(4)), "observationSize = 3");
        throwsMentioning(IllegalArgumentException.class, () -> env.reset(new float[2]), "reset", "observationSize = 3", "got 2");
        assertEquals(theta, env.theta(), 0.0, "a rejected action must not move the pendulum");
        assertEquals(thetaDot, env.thetaDot(), 0.0);
        assertEquals(0, env.steps());
        throwsMentioning(IllegalArgumentException.class, () -> env.setState(Double.NaN, 0, null), "finite");
        throwsMentioning(IllegalStateException.class, () -> new Pendulum().setState(0, 0, null), "reset");
    }
}

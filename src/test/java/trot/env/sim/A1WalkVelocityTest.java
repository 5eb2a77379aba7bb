package trot.env.sim;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import trot.env.StepResult;
import trot.env.estimation.VelocityEstimator;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The task's velocity source: the velocimeter by default, the velocity estimator as an option. */
class A1WalkVelocityTest {
    static final Path MODEL = Path.of("hardware/a1/a1.xml");

    @BeforeAll
    static void mujoco() {
        assumeTrue(Mujoco.available(), Mujoco.unavailableReason());
    }

    /** A trotting-like periodic action: diagonal pairs swing in opposition at 2 Hz. */
    static void gait(int step, float[] a) {
        double phase = 2 * Math.PI * 2 * step * 0.05;
        for (int l = 0; l < 4; l++) {
            double s = Math.sin(phase + (l == 0 || l == 3 ? 0 : Math.PI));
            a[3 * l] = 0;
            a[3 * l + 1] = (float) (0.5 * s);
            a[3 * l + 2] = (float) (-0.5 * Math.max(0, s));
        }
    }

    /** Runs up to 200 steps; returns {rmse of the observation's x velocity against the velocimeter, steps}. */
    static double[] run(A1Walk env, boolean checkObservation) {
        env.seed(4);
        float[] obs = new float[48], a = new float[12];
        StepResult r = new StepResult(env.spec());
        env.reset(obs);
        double[] t = new double[env.telemetryNames().size()];
        double se = 0;
        int n = 0;
        DoubleBufferSensors s = new DoubleBufferSensors(env);
        do {
            gait(n, a);
            env.step(a, r);
            env.telemetry(t);
            double trueVx = s.velocimeterX();
            se += (r.observation[A1Walk.OBS_LINEAR_VELOCITY] - trueVx) * (r.observation[A1Walk.OBS_LINEAR_VELOCITY] - trueVx);
            n++;
            if (checkObservation) {
                assertEquals((float) trueVx, r.observation[A1Walk.OBS_LINEAR_VELOCITY], "TRUE: the velocimeter");
                assertTrue(Double.isNaN(t[10]), "no estimate without the estimator");
            } else {
                assertTrue(Double.isFinite(t[10]), "estimated forward speed in the telemetry");
            }
        } while (!r.terminated && !r.truncated && n < 200);
        return new double[]{Math.sqrt(se / n), n};
    }

    /** The velocimeter's x reading (trunk frame). */
    record DoubleBufferSensors(A1Walk env) {
        double velocimeterX() {
            Mujoco sim = env.simulation();
            return sim.sensordata().get(sim.sensorAddress(sim.requireId(Mujoco.ObjectType.SENSOR, "velocimeter")));
        }
    }

    @Test
    void theDefaultObservesTheVelocimeterAndTheEstimateFollowsIt() {
        A1Walk.Config c = A1Walk.Config.paper(trot.env.TestRobots.a1(MODEL)).withTerrain(A1Walk.Terrain.flat());
        try (A1Walk truth = new A1Walk(c)) {
            assertEquals(A1Walk.Velocity.TRUE, truth.velocity());
            run(truth, true);
        }
        for (boolean angular : new boolean[]{true, false}) {
            try (A1Walk est = new A1Walk(c, A1Walk.Velocity.ESTIMATED, VelocityEstimator.Config.reference().withAngularTerm(angular))) {
                double[] r = run(est, false);
                System.out.printf("A1WalkVelocityTest: angular term %s: x velocity RMSE %.4f m/s over %d steps%n", angular, r[0], (int) r[1]);
                assertTrue(r[1] > 20, "the gait ran " + r[1] + " steps");
                assertTrue(r[0] < 0.15, "estimate within 0.15 m/s RMS of the velocimeter, got " + r[0]);
            }
        }
    }

    @Test
    void aNullVelocitySourceIsRejected() {
        A1Walk.Config c = A1Walk.Config.paper(trot.env.TestRobots.a1(MODEL));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new A1Walk(c, null, VelocityEstimator.Config.reference()));
        assertTrue(e.getMessage().contains("Velocity.TRUE"), e.getMessage());
    }
}

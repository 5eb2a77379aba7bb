package trot.env.sim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The task's formulas, without a simulator: reward (every branch), action mapping, PD law. */
class A1WalkRulesTest {
    static final double VT = 0.5;

    @Test
    void paperRewardEveryBranch() {
        // [v_t, 2 v_t]: 1, including both ends.
        assertEquals(1, A1Walk.paperVelocityReward(0.5, VT), 0);
        assertEquals(1, A1Walk.paperVelocityReward(0.75, VT), 0);
        assertEquals(1, A1Walk.paperVelocityReward(1.0, VT), 0);
        // (-inf, -v_t] and [4 v_t, inf): 0.
        assertEquals(0, A1Walk.paperVelocityReward(-0.5, VT), 0);
        assertEquals(0, A1Walk.paperVelocityReward(-3, VT), 0);
        assertEquals(0, A1Walk.paperVelocityReward(2.0, VT), 0);
        assertEquals(0, A1Walk.paperVelocityReward(5, VT), 0);
        // Otherwise 1 - |v_x - v_t| / (2 v_t): below the band and above it.
        assertEquals(0.5, A1Walk.paperVelocityReward(0.0, VT), 1e-12);
        assertEquals(0.9, A1Walk.paperVelocityReward(0.4, VT), 1e-12);
        assertEquals(0.05, A1Walk.paperVelocityReward(-0.45, VT), 1e-12);
        assertEquals(0.4, A1Walk.paperVelocityReward(1.1, VT), 1e-12);
        assertEquals(1 - 1.49 / 1.0, A1Walk.paperVelocityReward(1.99, VT), 1e-12); // negative just below 4 v_t, as written
    }

    @Test
    void referenceRewardRampsToZeroOneMetrePerSecondOutside() {
        assertEquals(1, A1Walk.referenceVelocityReward(0.7, VT), 0);
        assertEquals(0.5, A1Walk.referenceVelocityReward(0.0, VT), 1e-12);
        assertEquals(0, A1Walk.referenceVelocityReward(-0.5, VT), 1e-12);
        assertEquals(0, A1Walk.referenceVelocityReward(-2, VT), 0);
        assertEquals(0.5, A1Walk.referenceVelocityReward(1.5, VT), 1e-12);
        assertEquals(0, A1Walk.referenceVelocityReward(2.5, VT), 0);
    }

    @Test
    void actionsMapToTheStandingPosePlusScaledOffsets() {
        float[] a = new float[12];
        double[] q = new double[12];
        A1Walk.mapAction(a, q);
        for (int j = 0; j < 12; j++) {
            assertEquals(new double[]{0.05, 0.7, -1.4}[j % 3], q[j], 1e-12, "zero action is the standing pose, joint " + j);
        }
        for (int j = 0; j < 12; j++) {
            a[j] = j % 2 == 0 ? 1f : -1f;
        }
        A1Walk.mapAction(a, q);
        double[] scale = {0.2, 0.4, 0.4};
        for (int j = 0; j < 12; j++) {
            assertEquals(new double[]{0.05, 0.7, -1.4}[j % 3] + (j % 2 == 0 ? 1 : -1) * scale[j % 3], q[j], 1e-7, "joint " + j);
        }
        a[4] = 0.5f;
        A1Walk.mapAction(a, q);
        assertEquals(0.7 + 0.5 * 0.4, q[4], 1e-7, "linear in between (FL thigh)");
    }

    @Test
    void pdLawAndItsClip() {
        assertEquals(60 * 0.1 - 10 * 0.5, A1Walk.pdTorque(1.1, 1.0, 0.5, 60, 10, 33.5), 1e-12);
        assertEquals(-60 * 0.2 - 10 * -1, A1Walk.pdTorque(0.0, 0.2, -1, 60, 10, 33.5), 1e-12);
        assertEquals(33.5, A1Walk.pdTorque(2.0, 0.0, 0.0, 60, 10, 33.5), 0, "clipped above");
        assertEquals(-33.5, A1Walk.pdTorque(0.0, 0.0, 10.0, 60, 10, 33.5), 0, "clipped below");
        assertEquals(0, A1Walk.pdTorque(0.3, 0.3, 0, 60, 10, 33.5), 0);
    }

    @Test
    void aBadConfigurationSaysWhichValuesItGot() {
        A1Walk.Config paper = A1Walk.Config.paper(java.nio.file.Path.of("hardware/a1/a1.xml"));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new A1Walk.Config(paper.model(), 0.5, paper.reward(), -60, 10, 33.5, 0.05, 400, 0.5, 0.75, 1.25, 1.0,
                        paper.terrain()));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("kp -60.0"), e.getMessage());
    }
}

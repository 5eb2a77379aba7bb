package trot.env.sim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The task's formulas, without a simulator: reward (every branch), action mapping, PD law. */
class A1WalkRulesTest {
    static final double VT = 0.5;

    /** Just beside an edge: small enough to be "at" it, large enough to be seen through double rounding. */
    static final double EPS = 1e-9;

    @Test
    void paperRewardRampsContinuouslyOnEveryBranchAndEdge() {
        for (double vt : new double[]{VT, 0.3}) {
            String at = " (v_t " + vt + ")";
            // v_x <= -v_t: 0; the lower ramp starts at 0 just above -v_t.
            assertEquals(0, A1Walk.paperVelocityReward(-3, vt), 0, "far below" + at);
            assertEquals(0, A1Walk.paperVelocityReward(-vt - EPS, vt), 0, "just below -v_t" + at);
            assertEquals(0, A1Walk.paperVelocityReward(-vt, vt), 0, "at -v_t" + at);
            assertEquals(EPS / (2 * vt), A1Walk.paperVelocityReward(-vt + EPS, vt), 1e-15, "just above -v_t" + at);
            // (-v_t, v_t): 1 - (v_t - v_x) / (2 v_t).
            assertEquals(0.5, A1Walk.paperVelocityReward(0, vt), 1e-12, "standing still" + at);
            assertEquals(1 - 0.1 / (2 * vt), A1Walk.paperVelocityReward(vt - 0.1, vt), 1e-12, "inside the lower ramp" + at);
            assertEquals(1 - EPS / (2 * vt), A1Walk.paperVelocityReward(vt - EPS, vt), 1e-15, "just below v_t" + at);
            // [v_t, 2 v_t]: 1, both ends included.
            assertEquals(1, A1Walk.paperVelocityReward(vt, vt), 0, "at v_t" + at);
            assertEquals(1, A1Walk.paperVelocityReward(vt + EPS, vt), 0, "just above v_t" + at);
            assertEquals(1, A1Walk.paperVelocityReward(1.5 * vt, vt), 0, "in the band" + at);
            assertEquals(1, A1Walk.paperVelocityReward(2 * vt - EPS, vt), 0, "just below 2 v_t" + at);
            assertEquals(1, A1Walk.paperVelocityReward(2 * vt, vt), 0, "at 2 v_t" + at);
            // (2 v_t, 4 v_t): 1 - (v_x - 2 v_t) / (2 v_t), from 1 down to 0.
            assertEquals(1 - EPS / (2 * vt), A1Walk.paperVelocityReward(2 * vt + EPS, vt), 1e-15, "just above 2 v_t" + at);
            assertEquals(0.5, A1Walk.paperVelocityReward(3 * vt, vt), 1e-12, "half way down" + at);
            assertEquals(EPS / (2 * vt), A1Walk.paperVelocityReward(4 * vt - EPS, vt), 1e-15, "just below 4 v_t" + at);
            // v_x >= 4 v_t: 0.
            assertEquals(0, A1Walk.paperVelocityReward(4 * vt, vt), 0, "at 4 v_t" + at);
            assertEquals(0, A1Walk.paperVelocityReward(4 * vt + EPS, vt), 0, "just above 4 v_t" + at);
            assertEquals(0, A1Walk.paperVelocityReward(10, vt), 0, "far above" + at);
            // Continuous, never negative, with slope at most 1 / (2 v_t) everywhere.
            double h = 1e-4;
            for (double v = -2; v < 3; v += h) {
                double a = A1Walk.paperVelocityReward(v, vt), b = A1Walk.paperVelocityReward(v + h, vt);
                assertTrue(a >= 0 && a <= 1, "within [0, 1] at " + v + at);
                assertTrue(Math.abs(b - a) <= h / (2 * vt) + 1e-12, "no jump between " + v + " and " + (v + h) + ": " + a + " -> " + b + at);
            }
        }
    }

    @Test
    void paperLiteralRewardIsThePrintedFormulaTypoIncluded() {
        for (double vt : new double[]{VT, 0.3}) {
            String at = " (v_t " + vt + ")";
            assertEquals(0, A1Walk.paperLiteralVelocityReward(-3, vt), 0, "far below" + at);
            assertEquals(0, A1Walk.paperLiteralVelocityReward(-vt - EPS, vt), 0, "just below -v_t" + at);
            assertEquals(0, A1Walk.paperLiteralVelocityReward(-vt, vt), 0, "at -v_t" + at);
            assertEquals(EPS / (2 * vt), A1Walk.paperLiteralVelocityReward(-vt + EPS, vt), 1e-15, "just above -v_t" + at);
            assertEquals(0.5, A1Walk.paperLiteralVelocityReward(0, vt), 1e-12, "standing still" + at);
            assertEquals(1 - EPS / (2 * vt), A1Walk.paperLiteralVelocityReward(vt - EPS, vt), 1e-15, "just below v_t" + at);
            assertEquals(1, A1Walk.paperLiteralVelocityReward(vt, vt), 0, "at v_t" + at);
            assertEquals(1, A1Walk.paperLiteralVelocityReward(vt + EPS, vt), 0, "just above v_t" + at);
            assertEquals(1, A1Walk.paperLiteralVelocityReward(2 * vt - EPS, vt), 0, "just below 2 v_t" + at);
            assertEquals(1, A1Walk.paperLiteralVelocityReward(2 * vt, vt), 0, "at 2 v_t" + at);
            // Above 2 v_t it measures from v_t: 1 - (v_x - v_t) / (2 v_t), so it starts at 0.5 and goes negative.
            assertEquals(0.5 - EPS / (2 * vt), A1Walk.paperLiteralVelocityReward(2 * vt + EPS, vt), 1e-15, "just above 2 v_t" + at);
            assertEquals(0, A1Walk.paperLiteralVelocityReward(3 * vt, vt), 1e-12, "0 at 3 v_t" + at);
            assertEquals(-0.5 + EPS / (2 * vt), A1Walk.paperLiteralVelocityReward(4 * vt - EPS, vt), 1e-15, "just below 4 v_t" + at);
            assertEquals(0, A1Walk.paperLiteralVelocityReward(4 * vt, vt), 0, "at 4 v_t" + at);
            assertEquals(0, A1Walk.paperLiteralVelocityReward(4 * vt + EPS, vt), 0, "just above 4 v_t" + at);
            assertEquals(0, A1Walk.paperLiteralVelocityReward(10, vt), 0, "far above" + at);
        }
    }

    @Test
    void theTypoIsTwoJumpsAboveTheBandAndNothingElse() {
        double vt = VT;
        // The literal formula jumps by -0.5 just past 2 v_t and by +0.5 at 4 v_t; the default ramp does neither.
        double jumpAt2 = A1Walk.paperLiteralVelocityReward(2 * vt + EPS, vt) - A1Walk.paperLiteralVelocityReward(2 * vt, vt);
        double jumpAt4 = A1Walk.paperLiteralVelocityReward(4 * vt, vt) - A1Walk.paperLiteralVelocityReward(4 * vt - EPS, vt);
        assertEquals(-0.5, jumpAt2, 1e-8, "literal: 1 -> 0.5 across 2 v_t");
        assertEquals(0.5, jumpAt4, 1e-8, "literal: -0.5 -> 0 across 4 v_t");
        assertEquals(0, A1Walk.paperVelocityReward(2 * vt + EPS, vt) - A1Walk.paperVelocityReward(2 * vt, vt), 1e-8);
        assertEquals(0, A1Walk.paperVelocityReward(4 * vt, vt) - A1Walk.paperVelocityReward(4 * vt - EPS, vt), 1e-8);
        // Up to 2 v_t the two are the same function; the ramp is also the reference code's ramp (unscaled).
        for (double v = -2; v < 3; v += 1e-3) {
            if (v <= 2 * vt) {
                assertEquals(A1Walk.paperVelocityReward(v, vt), A1Walk.paperLiteralVelocityReward(v, vt), 0, "at " + v);
            } else if (v < 4 * vt) {
                assertTrue(A1Walk.paperLiteralVelocityReward(v, vt) < A1Walk.paperVelocityReward(v, vt), "the typo pays less at " + v);
            }
            assertEquals(A1Walk.referenceVelocityReward(v, vt), A1Walk.paperVelocityReward(v, vt), 1e-12, "at " + v);
        }
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
        A1Walk.mapAction(trot.env.TestRobots.a1(), a, q);
        for (int j = 0; j < 12; j++) {
            assertEquals(new double[]{0.05, 0.7, -1.4}[j % 3], q[j], 1e-12, "zero action is the standing pose, joint " + j);
        }
        for (int j = 0; j < 12; j++) {
            a[j] = j % 2 == 0 ? 1f : -1f;
        }
        A1Walk.mapAction(trot.env.TestRobots.a1(), a, q);
        double[] scale = {0.2, 0.4, 0.4};
        for (int j = 0; j < 12; j++) {
            assertEquals(new double[]{0.05, 0.7, -1.4}[j % 3] + (j % 2 == 0 ? 1 : -1) * scale[j % 3], q[j], 1e-7, "joint " + j);
        }
        a[4] = 0.5f;
        A1Walk.mapAction(trot.env.TestRobots.a1(), a, q);
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
        A1Walk.Config paper = A1Walk.Config.paper(trot.env.TestRobots.a1(java.nio.file.Path.of("hardware/a1/a1.xml")));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new A1Walk.Config(paper.robot(), 0.5, paper.reward(), 0.05, 400, 1.25, 0.75, paper.terrain(),
                        A1Walk.ActionFilter.NONE));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("friction [1.25, 0.75]"), e.getMessage());
    }
}

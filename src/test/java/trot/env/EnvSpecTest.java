package trot.env;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** EnvSpec validation, defensive copies, action scaling; StepResult basics. */
class EnvSpecTest {

    static void throwsMentioning(Executable call, String... words) {
        Throwable t = assertThrows(IllegalArgumentException.class, call);
        for (String w : words) {
            assertTrue(t.getMessage().contains(w), "message \"" + t.getMessage() + "\" should mention \"" + w + "\"");
        }
    }

    static EnvSpec spec(float[] low, float[] high) {
        return new EnvSpec("Test", 4, low.length, low, high, 100, 0.02);
    }

    @Test
    void keepsItsValues() {
        EnvSpec s = new EnvSpec("Quadruped", 48, 2, new float[]{-1f, 0f}, new float[]{1f, 3f}, 1000, 0.05);
        assertEquals("Quadruped", s.name());
        assertEquals(48, s.observationSize());
        assertEquals(2, s.actionSize());
        assertArrayEquals(new float[]{-1f, 0f}, s.actionLow());
        assertArrayEquals(new float[]{1f, 3f}, s.actionHigh());
        assertEquals(0f, s.actionLow(1));
        assertEquals(3f, s.actionHigh(1));
        assertEquals(1000, s.maxEpisodeSteps());
        assertEquals(0.05, s.controlPeriodSeconds());
        assertTrue(s.toString().contains("Quadruped"));
    }

    @Test
    void boundsAreCopiedInAndOut() {
        float[] low = {-1f}, high = {1f};
        EnvSpec s = spec(low, high);
        low[0] = 5f;
        high[0] = 6f;
        assertEquals(-1f, s.actionLow(0), "changing the constructor's array changed the spec");
        s.actionLow()[0] = 7f;
        s.actionHigh()[0] = 8f;
        assertEquals(-1f, s.actionLow(0), "changing a returned array changed the spec");
        assertEquals(1f, s.actionHigh(0));
    }

    @Test
    void equalityComparesBoundsByValue() {
        EnvSpec a = spec(new float[]{-1f, -2f}, new float[]{1f, 2f});
        EnvSpec b = spec(new float[]{-1f, -2f}, new float[]{1f, 2f});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, spec(new float[]{-1f, -2f}, new float[]{1f, 3f}));
    }

    @Test
    void rejectsBadConfiguration() {
        float[] lo = {-1f}, hi = {1f};
        throwsMentioning(() -> new EnvSpec(" ", 3, 1, lo, hi, 10, 0.1), "name");
        throwsMentioning(() -> new EnvSpec(null, 3, 1, lo, hi, 10, 0.1), "name");
        throwsMentioning(() -> new EnvSpec("E", 0, 1, lo, hi, 10, 0.1), "EnvSpec E", "positive", "0");
        throwsMentioning(() -> new EnvSpec("E", 3, 0, new float[0], new float[0], 10, 0.1), "EnvSpec E", "positive");
        throwsMentioning(() -> new EnvSpec("E", 3, 1, null, hi, 10, 0.1), "actionLow");
        throwsMentioning(() -> new EnvSpec("E", 3, 2, lo, hi, 10, 0.1), "actionLow has 1", "actionSize = 2");
        throwsMentioning(() -> new EnvSpec("E", 3, 1, new float[]{Float.NaN}, hi, 10, 0.1), "finite", "dimension 0");
        throwsMentioning(() -> new EnvSpec("E", 3, 1, lo, new float[]{Float.POSITIVE_INFINITY}, 10, 0.1), "finite");
        throwsMentioning(() -> new EnvSpec("E", 3, 2, new float[]{0f, 1f}, new float[]{1f, 1f}, 10, 0.1),
                "low < high", "[1.0, 1.0]", "dimension 1");
        throwsMentioning(() -> new EnvSpec("E", 3, 1, new float[]{2f}, new float[]{1f}, 10, 0.1), "low < high");
        throwsMentioning(() -> new EnvSpec("E", 3, 1, lo, hi, 0, 0.1), "maxEpisodeSteps", "0");
        throwsMentioning(() -> new EnvSpec("E", 3, 1, lo, hi, 10, 0.0), "control period");
        throwsMentioning(() -> new EnvSpec("E", 3, 1, lo, hi, 10, Double.NaN), "control period");
        throwsMentioning(() -> new EnvSpec("E", 3, 1, lo, hi, 10, Double.POSITIVE_INFINITY), "control period");
    }

    @Test
    void scaleActionMapsTheUnitBoxLinearlyOntoTheBounds() {
        EnvSpec s = spec(new float[]{-2f, 0f, -3f}, new float[]{2f, 10f, 1f});
        float[][] expected = {
                // unit:  -1    -0.5   0     0.5   1
                {-2f, -1f, 0f, 1f, 2f},
                {0f, 2.5f, 5f, 7.5f, 10f},
                {-3f, -2f, -1f, 0f, 1f},
        };
        float[] units = {-1f, -0.5f, 0f, 0.5f, 1f};
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < units.length; k++) {
                assertEquals(expected[i][k], s.scaleAction(i, units[k]), "dimension " + i + ", unit " + units[k]);
            }
        }
    }

    @Test
    void scaleActionHitsTheBoundsExactlyAndClampsOutside() {
        EnvSpec s = spec(new float[]{-0.3f}, new float[]{0.7f});
        assertEquals(-0.3f, s.scaleAction(0, -1f));
        assertEquals(0.7f, s.scaleAction(0, 1f));
        assertEquals(-0.3f, s.scaleAction(0, -5f));
        assertEquals(0.7f, s.scaleAction(0, 1.0001f));
        assertEquals(0.7f, s.scaleAction(0, Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(s.scaleAction(0, Float.NaN)), "NaN must stay NaN so that step rejects it");
        for (float u = -1f; u <= 1f; u += 0.001f) {
            float a = s.scaleAction(0, u);
            assertTrue(a >= -0.3f && a <= 0.7f, "unit " + u + " scaled to " + a);
        }
    }

    @Test
    void scaleActionsWorksOnArraysAndInPlace() {
        EnvSpec s = spec(new float[]{-2f, 0f}, new float[]{2f, 10f});
        float[] out = new float[2];
        s.scaleActions(new float[]{0.5f, -1f}, out);
        assertArrayEquals(new float[]{1f, 0f}, out);
        float[] inPlace = {1f, 0f};
        s.scaleActions(inPlace, inPlace);
        assertArrayEquals(new float[]{2f, 5f}, inPlace);
        throwsMentioning(() -> s.scaleActions(new float[3], out), "actionSize = 2", "got 3 and 2");
        throwsMentioning(() -> s.scaleActions(new float[2], new float[1]), "got 2 and 1");
        throwsMentioning(() -> s.scaleActions(null, out), "null");
    }

    @Test
    void checkActionNamesTheEntry() {
        EnvSpec s = spec(new float[]{-1f, -1f}, new float[]{1f, 1f});
        s.checkAction(new float[]{0f, 100f});   // out of bounds is the environment's business, not an error here
        throwsMentioning(() -> s.checkAction(new float[]{0f, Float.NaN}), "Test.step", "action[1]", "NaN", "finite");
        throwsMentioning(() -> s.checkAction(new float[]{Float.NEGATIVE_INFINITY, 0f}), "action[0]", "Infinity");
        throwsMentioning(() -> s.checkAction(new float[1]), "1 entries", "actionSize = 2");
        throwsMentioning(() -> s.checkAction(null), "null");
        throwsMentioning(() -> s.checkObservationBuffer("reset", new float[3]), "Test.reset", "observationSize = 4", "got 3");
    }

    @Test
    void stepResultHoldsAnObservationAndTellsDone() {
        EnvSpec s = spec(new float[]{-1f}, new float[]{1f});
        StepResult r = new StepResult(s);
        assertEquals(4, r.observation.length);
        assertFalse(r.done());
        r.truncated = true;
        assertTrue(r.done());
        r.truncated = false;
        r.terminated = true;
        assertTrue(r.done());
        throwsMentioning(() -> new StepResult(0), "positive", "0");
    }
}

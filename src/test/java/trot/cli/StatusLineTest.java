package trot.cli;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training status line: never wider than the terminal, the useful fields last to go, the estimate from learning. */
class StatusLineTest {

    /** Lines of every kind: warm-up and learning, unknown values, long numbers. */
    static List<StatusLine.Fields> samples() {
        List<StatusLine.Fields> l = new ArrayList<>();
        l.add(new StatusLine.Fields(0, 24_000, true, Double.NaN, 0, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN));
        l.add(new StatusLine.Fields(412, 24_000, true, 812.5, 0.6, Double.NaN, 0.7, 1, -3.25, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN));
        l.add(new StatusLine.Fields(10_234, 24_000, false, 13.2, 812, 1043, Double.NaN, 31, 123.45, 287.5, 0.0123,
                0.04567, 48.1));
        l.add(new StatusLine.Fields(1_234_567_890L, 9_999_999_999L, false, 123_456.7, 987_654, 9_876_543, Double.NaN,
                12_345_678, -123_456.789, -98_765.4, 1234.5678, 1.234e12, 12_345.6));
        l.add(new StatusLine.Fields(24_000, 24_000, false, 13.0, 1846, 0, Double.NaN, 60, 301, 310, 0.01, 0.02, 45));
        return l;
    }

    @Test
    void neverWiderThanTheWidth() {
        for (StatusLine.Fields f : samples()) {
            for (int width = 1; width <= 200; width++) {
                String line = StatusLine.render(f, width);
                assertTrue(line.length() <= width, "width " + width + ": " + line.length() + " columns: " + line);
                assertFalse(line.contains("\n") || line.contains("\r"), line);
            }
        }
    }

    @Test
    void wideLinesShowEveryFieldAndNarrowOnesKeepProgressStepsAndEstimate() {
        StatusLine.Fields learning = samples().get(2);
        String wide = StatusLine.render(learning, 200);
        for (String s : new String[]{"42%", "10234/24000 steps", "13.2 steps/s", "elapsed 13:32", "eta 17:23", "episode 31",
                "return 123.5", "eval 287.5", "alpha 0.012", "critic loss 0.0457", "update 48.1 ms", "["}) {
            assertTrue(wide.contains(s), "'" + s + "' in " + wide);
        }
        // The 150-column terminal of the issue: nothing cut, only shortened, with a bar.
        String screen = StatusLine.render(learning, 149);
        assertTrue(screen.contains("eta 17:23") && screen.contains("10234/24000") && screen.contains("upd 48.1ms")
                && screen.contains("["), screen);
        for (int width = 40; width <= 200; width++) {
            String line = StatusLine.render(learning, width);
            assertTrue(line.startsWith(" 42%") && line.contains("10234/24000") && line.contains("eta 17:23"),
                    "width " + width + ": " + line);
        }
        // Fields go in order of usefulness: the update time before the evaluation return.
        for (int width = 40; width <= 200; width++) {
            String line = StatusLine.render(learning, width);
            if (line.contains("upd") || line.contains("update")) {
                assertTrue(line.contains("eval"), "width " + width + " kept the update time but dropped eval: " + line);
            }
        }
        String warm = StatusLine.render(samples().get(1), 200);
        assertTrue(warm.contains("random actions, learning in 0:01") && warm.contains("eta --"), warm);
    }

    @Test
    void theBarFillsWithProgress() {
        assertEquals("[>         ]", StatusLine.bar(0, 12));
        assertEquals("[=====>    ]", StatusLine.bar(0.5, 12));
        assertEquals("[==========]", StatusLine.bar(1, 12));
        assertEquals("1:01:05", StatusLine.duration(3665));
        assertEquals("0:59", StatusLine.duration(59.4));
        assertEquals("--", StatusLine.duration(Double.NaN));
    }

    @Test
    void theEstimateCountsOnlyTheLearningSteps() {
        // A fake clock: 1000 random steps in 1 s, then learning at 10 steps/s.
        LearningEta eta = new LearningEta(24_000, 1000);
        double t = 0;
        for (long step = 1; step <= 1000; step++) {
            t += 0.001;
            eta.observe(step, t, true);
            assertTrue(Double.isNaN(eta.eta_s()), "no estimate before learning");
        }
        assertEquals(0.0, eta.learningIn_s(), 1e-9);
        double t0 = t;
        for (long step = 1001; step <= 1100; step++) {
            t += 0.1;
            eta.observe(step, t, false);
        }
        // 99 learning steps since the first one seen, in 9.9 s: 10 steps/s, 22,900 steps left.
        assertEquals(2290.0, eta.eta_s(), 1e-6);
        assertEquals(10.0, eta.stepsPerSecond(), 1e-9);
        // The whole-run average (1100 steps in 11 s) would have said 229 s.
        assertTrue(Math.abs(eta.eta_s() - (24_000 - 1100) / (1100 / (t - 0))) > 2000, "the naive estimate differs");
        assertTrue(t > t0);
    }

    @Test
    void theRandomPhaseIsEstimatedOnItsOwn() {
        LearningEta eta = new LearningEta(10_000, 5000);
        for (long step = 1; step <= 2001; step++) {
            eta.observe(step, step * 0.002, true);   // 500 steps/s
        }
        assertEquals(2999 * 0.002, eta.learningIn_s(), 1e-6);
        assertTrue(Double.isNaN(eta.eta_s()));
        assertEquals(500, eta.stepsPerSecond(), 1e-6);
    }
}

package trot.train;

import org.junit.jupiter.api.Test;
import trot.env.EpisodeEnd;
import trot.env.EpisodeReport;
import trot.env.StepResult;
import trot.env.Telemetry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-episode arithmetic: displacement in the starting heading frame, odometry, end reasons, stops. */
class EvaluatorEpisodesTest {

    /**
     * Starts at (1, 2) heading {@code heading_rad}; every step moves 0.1 m at {@code course_rad} (world frame) and turns
     * by {@code turn_rad}. With {@code position} false it reports no x, y (a robot: speed and heading only).
     */
    static final class Walker extends OneDimensionalEnvironment implements Telemetry, EpisodeReport {
        final double heading_rad, course_rad, turn_rad;
        final boolean position;
        double x, y, yaw;
        EpisodeEnd end;
        int failAt = -1;

        Walker(double heading_rad, double course_rad, double turn_rad, boolean position) {
            super("walker", 10);
            this.heading_rad = heading_rad;
            this.course_rad = course_rad;
            this.turn_rad = turn_rad;
            this.position = position;
        }

        @Override
        public void reset(float[] observation) {
            super.reset(observation);
            x = 1;
            y = 2;
            yaw = heading_rad;
        }

        @Override
        public void step(float[] action, StepResult out) {
            if (episode == 2 && step == failAt) {
                throw new IllegalStateException("the link went away");
            }
            step++;
            x += 0.1 * Math.cos(course_rad);
            y += 0.1 * Math.sin(course_rad);
            yaw = Math.IEEEremainder(yaw + turn_rad, 2 * Math.PI);
            out.reward = 1;
            out.terminated = false;
            out.truncated = step == spec.maxEpisodeSteps();
            end = out.truncated ? EpisodeEnd.interlock("test-limit") : null;
        }

        @Override
        public List<String> telemetryNames() {
            return position ? List.of("forward_speed_mps", "yaw_rad", "x_m", "y_m") : List.of("forward_speed_mps", "yaw_rad");
        }

        @Override
        public void telemetry(double[] out) {
            out[0] = 2.0;   // 0.1 m per 0.05 s step
            out[1] = yaw;
            if (position) {
                out[2] = x;
                out[3] = y;
            }
        }

        @Override
        public EpisodeEnd lastEpisodeEnd() {
            return end;
        }

        @Override
        public Map<String, String> episodeConditions() {
            return Map.of("floor", "episode-" + episode);
        }
    }

    @Test
    void displacementIsInTheStartingHeadingFrame() {
        // Heading 120 degrees, walking along 150 degrees: 1 m at 30 degrees to the left of the heading.
        Walker w = new Walker(Math.toRadians(120), Math.toRadians(150), 0, true);
        Evaluator.Result r = new Evaluator(w, 2, 1).run((o, a) -> a[0] = 0);
        assertEquals(2, r.episodes().size());
        for (Evaluator.Episode e : r.episodes()) {
            assertEquals(Math.cos(Math.toRadians(30)), e.forward_m(), 1e-9);
            assertEquals(Math.sin(Math.toRadians(30)), e.lateral_m(), 1e-9);
            assertEquals(1.0, e.distance_m(), 1e-9);
            assertEquals(30.0, e.direction_deg(), 1e-7);
            assertEquals(0.0, e.yawDrift_deg(), 1e-9);
            assertEquals(2.0, e.meanForwardSpeed_mps(), 1e-12);
            assertEquals(10, e.steps());
            assertEquals(0.5, e.duration_s(), 1e-12);
            assertEquals("interlock:test-limit", e.end().label(), "the environment's own end reason");
            assertEquals(Evaluator.PositionSource.SIMULATOR, e.position());
        }
        assertEquals("episode-1", r.episodes().get(0).conditions().get("floor"));
        assertEquals("episode-2", r.episodes().get(1).conditions().get("floor"));
    }

    @Test
    void withoutAPositionTheWalkIsDeadReckonedAndTheYawDriftIsSigned() {
        // Heading 0 walking along its heading, turning right 1 degree a step: odometry follows the heading.
        Walker w = new Walker(0, 0, Math.toRadians(-1), false);
        Evaluator ev = new Evaluator(w, 1, 1);
        assertEquals(Evaluator.PositionSource.ODOMETRY, ev.positionSource());
        Evaluator.Episode e = ev.run((o, a) -> a[0] = 0).episodes().get(0);
        double fx = 0, fy = 0;
        for (int k = 1; k <= 10; k++) {
            fx += 0.1 * Math.cos(Math.toRadians(-k));
            fy += 0.1 * Math.sin(Math.toRadians(-k));
        }
        assertEquals(fx, e.forward_m(), 1e-9);
        assertEquals(fy, e.lateral_m(), 1e-9);
        assertTrue(e.lateral_m() < 0 && e.direction_deg() < 0, "turning right walks to the right");
        assertEquals(-10.0, e.yawDrift_deg(), 1e-9);
        assertEquals(List.of("episode", "return", "steps", "time_s", "floor", "forward_m", "lateral_m", "distance_m",
                "direction_deg", "yaw_drift_deg", "speed_mps", "end"), EpisodeTable.of(ev).names());
    }

    @Test
    void aStopReportsTheCutEpisodeAndGoesOn() {
        Walker w = new Walker(0, 0, 0, true);
        w.failAt = 4;
        List<Evaluator.Episode> seen = new ArrayList<>();
        Evaluator ev = new Evaluator(w, 3, 1).stopReasons(x -> x instanceof IllegalStateException ? "link-lost" : null);
        IllegalStateException x = assertThrows(IllegalStateException.class, () -> ev.run((o, a) -> a[0] = 0, seen::add));
        assertEquals("the link went away", x.getMessage());
        assertEquals(2, seen.size());
        assertEquals("interlock:test-limit", seen.get(0).end().label());
        assertEquals(EpisodeEnd.stopped("link-lost"), seen.get(1).end());
        assertEquals(4, seen.get(1).steps());
        assertEquals(0.4, seen.get(1).forward_m(), 1e-9);
        // Not a stop: no row, the failure goes on.
        List<Evaluator.Episode> none = new ArrayList<>();
        Walker w2 = new Walker(0, 0, 0, true);
        w2.failAt = 0;
        assertThrows(IllegalStateException.class, () -> new Evaluator(w2, 3, 1).run((o, a) -> a[0] = 0, none::add));
        assertEquals(1, none.size());
    }

    @Test
    void withoutAReportTheEndFollowsTheFlagsAndTheTableHasOnlyItsColumns() {
        EvaluatorTest.Turning falls = new EvaluatorTest.Turning(0.1, true);
        Evaluator.Result r = new Evaluator(falls, 2, 1).run((o, a) -> a[0] = 0);
        assertSame(EpisodeEnd.TERMINATED, r.episodes().get(0).end());
        Evaluator.Result t = new Evaluator(new EvaluatorTest.Turning(0.1, false), 1, 1).run((o, a) -> a[0] = 0);
        assertSame(EpisodeEnd.TIME_LIMIT, t.episodes().get(0).end());
        assertEquals("terminated 2", EpisodeTable.endCounts(r.episodes()));
    }

    @Test
    void endLabelsAreCsvSafe() {
        assertEquals("time-limit", EpisodeEnd.TIME_LIMIT.label());
        assertEquals("interlock:joint-limit", EpisodeEnd.interlock("joint-limit").label());
        assertEquals("stopped:link-lost", EpisodeEnd.stopped("link-lost").label());
        assertThrows(IllegalArgumentException.class, () -> EpisodeEnd.interlock("Joint, limit"));
        assertThrows(IllegalArgumentException.class, () -> EpisodeEnd.interlock(""));
        assertTrue(EpisodeEnd.TILT.failure() && !EpisodeEnd.TIME_LIMIT.failure());
        assertEquals("0.000", EpisodeTable.number("%.3f", -0.0004));
        assertEquals("-0.001", EpisodeTable.number("%.3f", -0.0006));
        assertEquals("", EpisodeTable.number("%.3f", Double.NaN));
    }

    @Test
    void aRobotThatStoodHasNoDirection() {
        Evaluator.Episode e = new Evaluator.Episode(1, 0, 10, 0.5, EpisodeEnd.TIME_LIMIT, Map.of(), -0.006, -0.0001, 0,
                0, Evaluator.PositionSource.ODOMETRY);
        assertTrue(Double.isNaN(e.direction_deg()), "6 mm has no direction");
    }
}

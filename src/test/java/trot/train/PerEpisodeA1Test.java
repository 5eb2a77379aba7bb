package trot.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trot.env.EpisodeEnd;
import trot.env.sim.A1Walk;
import trot.env.sim.Mujoco;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The per-episode report on the real A1 task in MuJoCo: a standing robot runs to the time limit, a flailing one tilts. */
class PerEpisodeA1Test {
    static final Path MODEL = Path.of("hardware/a1/a1.xml");

    /** The paper's task with {@code steps}-step episodes. */
    static A1Walk a1(int steps) {
        A1Walk.Config p = A1Walk.Config.paper(trot.env.TestRobots.a1(MODEL));
        return new A1Walk(new A1Walk.Config(p.robot(), p.targetSpeed_mps(), p.reward(), p.controlPeriod_s(), steps,
                p.frictionMin(), p.frictionMax(), p.terrain(), p.actionFilter()));
    }

    @Test
    void standingEpisodesEndByTheTimeLimitAndTheCsvHasOneRowEach(@TempDir Path dir) throws Exception {
        assumeTrue(Mujoco.available(), Mujoco.unavailableReason());
        try (A1Walk env = a1(30)) {
            Evaluator ev = new Evaluator(env, 3, 7);
            Evaluator.Result r = ev.run((obs, action) -> java.util.Arrays.fill(action, 0f));   // the standing pose
            assertEquals(3, r.episodes().size());
            EpisodeTable t = EpisodeTable.of(ev);
            assertEquals(List.of("episode", "return", "steps", "time_s", "terrain", "friction", "forward_m", "lateral_m",
                    "distance_m", "direction_deg", "yaw_drift_deg", "speed_mps", "end"), t.names());
            for (Evaluator.Episode e : r.episodes()) {
                assertEquals(EpisodeEnd.TIME_LIMIT, e.end(), e.toString());
                assertEquals(30, e.steps());
                assertEquals(1.5, e.duration_s(), 1e-9);
                assertTrue(List.of("flat", "bumpy", "slope").contains(e.conditions().get("terrain")), e.toString());
                double mu = Double.parseDouble(e.conditions().get("friction"));
                assertTrue(mu >= 0.75 && mu <= 1.25, "friction " + mu);
                assertTrue(e.distance_m() < 0.15, "a standing robot stays put: " + e.distance_m() + " m");
                assertTrue(Math.abs(e.yawDrift_deg()) < 5, "and keeps its heading: " + e.yawDrift_deg() + " degrees");
                assertEquals(Evaluator.PositionSource.SIMULATOR, e.position());
            }
            Path csv = dir.resolve(EpisodeTable.FILE);
            t.writeCsv(csv, r.episodes());
            List<String> lines = Files.readAllLines(csv);
            assertEquals(1 + 3, lines.size(), "a header and a row per episode: " + lines);
            assertTrue(lines.get(0).endsWith(",end,position"), lines.get(0));
            for (int i = 1; i <= 3; i++) {
                String[] f = lines.get(i).split(",", -1);
                assertEquals(14, f.length, lines.get(i));
                assertEquals(Integer.toString(i), f[0]);
                assertEquals("time-limit", f[12]);
                assertEquals("simulator", f[13]);
            }
            // The table lines line up under the header.
            String header = t.header(), row = t.row(r.episodes().get(0));
            assertEquals(header.indexOf("end"), row.indexOf("time-limit"), header + "\n" + row);
        }
    }

    @Test
    void extremeActionsTiltTheRobotOver() {
        assumeTrue(Mujoco.available(), Mujoco.unavailableReason());
        try (A1Walk env = a1(60)) {
            // The right legs crouched (thigh forward, calf folded), the left ones stretched, hips out: it rolls over.
            Evaluator.Result r = new Evaluator(env, 2, 7).run((obs, action) -> {
                for (int leg = 0; leg < 4; leg++) {
                    boolean right = leg % 2 == 0;   // FR, FL, RR, RL
                    action[3 * leg] = 1f;
                    action[3 * leg + 1] = right ? 1f : -1f;
                    action[3 * leg + 2] = right ? -1f : 1f;
                }
            });
            for (Evaluator.Episode e : r.episodes()) {
                assertEquals(EpisodeEnd.TILT, e.end(), e.toString());
                assertTrue(e.steps() < 60, "ended before the time limit: " + e.steps());
            }
            assertEquals(2, r.falls());
            assertEquals("tilt 2", EpisodeTable.endCounts(r.episodes()));
        }
    }
}

package trot.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trot.link.Emulator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static trot.testing.Commands.run;

/**
 * {@code trot robot} and {@code trot eval --port}: the flags a robot run refuses, before any port is opened, and a
 * short real run against the real emulator over a real pseudo-terminal (skipped without the emulator unless
 * TROT_REQUIRE_EMULATOR is set). The whole path with a signal and a resume is scripts/robot-smoke.sh, in CI.
 */
class RobotCommandTest {

    @Test
    void badFlagsAreRefusedWithWhatToDo(@TempDir Path dir) {
        StringBuilder log = new StringBuilder();
        assertEquals(2, run(log, "robot", "--out", dir.toString()));
        assertTrue(log.toString().contains("--port"), log.toString());
        log.setLength(0);
        assertEquals(2, run(log, "robot", "--port", "/dev/null", "--env", "a1", "--out", dir.toString()));
        assertTrue(log.toString().contains("--env is for trot train"), log.toString());
        log.setLength(0);
        assertEquals(2, run(log, "robot", "--port", "/dev/null", "--realtime", "--out", dir.toString()));
        assertTrue(log.toString().contains("a robot is real-time by itself"), log.toString());
        log.setLength(0);
        assertEquals(2, run(log, "robot", "--port", "/dev/null", "--set", "terrain=flat", "--out", dir.toString()));
        assertTrue(log.toString().contains("the robot task takes only [action_filter]"), log.toString());
        log.setLength(0);
        assertEquals(2, run(log, "robot", "--port", "/dev/null", "--set", "action_filter=median", "--out", dir.toString()));
        assertTrue(log.toString().contains("action_filter=median") && log.toString().contains("butterworth"), log.toString());
        log.setLength(0);
        Path missing = dir.resolve("no-such-port");
        assertEquals(2, run(log, "robot", "--port", missing.toString(), "--out", dir.resolve("run").toString()));
        assertTrue(log.toString().contains(missing.toString()), log.toString());
        assertFalse(Files.exists(dir.resolve("run").resolve("episodes.csv")), "nothing is written for a port that is not there");
        log.setLength(0);
        assertEquals(2, run(log, "train", "--env", "robot", "--out", dir.resolve("t").toString()));
        assertTrue(log.toString().contains("use trot robot --port PATH"), log.toString());
    }

    @Test
    void learnsOnTheEmulatorAndEvaluatesThere(@TempDir Path dir) throws Exception {
        Emulator.assumeBuilt();
        try (Emulator emulator = new Emulator()) {
            Path out = dir.resolve("run");
            StringBuilder log = new StringBuilder();
            int code = run(log, "robot", "--port", emulator.port, "--steps", "60", "--random-steps", "30",
                    "--episode-steps", "30", "--eval-interval", "0", "--eval-episodes", "1", "--snapshot-every", "30",
                    "--set", "utd=1", "--set", "hidden=32,32", "--no-progress", "--no-enter-stop", "--out", out.toString());
            assertEquals(0, code, log.toString());
            assertTrue(log.toString().contains("trained 60 steps (2 episodes)"), log.toString());
            assertTrue(log.toString().contains("real time: achieved UTD"), log.toString());
            // One row per episode in every per-episode file; the world's telemetry names its columns.
            List<String> control = Files.readAllLines(out.resolve("control.csv"));
            List<String> world = Files.readAllLines(out.resolve("world.csv"));
            assertEquals(3, control.size(), String.join("\n", control));
            assertEquals(3, world.size(), String.join("\n", world));
            assertTrue(world.get(0).contains("resets") && world.get(0).contains("rtt_p99_ms"), world.get(0));
            assertTrue(Files.size(out.resolve("policy.ckpt")) > 0 && Files.size(out.resolve("world.png")) > 0);
            assertTrue(Files.readString(out.resolve("run.txt")).contains("A1Robot"));
            // The cumulative jitter histogram: fractions that never decrease, up to every period within a second.
            List<String> histogram = Files.readAllLines(out.resolve("jitter_histogram.csv"));
            double previous = 0;
            for (String row : histogram.subList(1, histogram.size())) {
                double fraction = Double.parseDouble(row.split(",")[2]);
                assertTrue(fraction >= previous, String.join("\n", histogram));
                previous = fraction;
            }
            assertEquals(1.0, previous, String.join("\n", histogram));
            assertTrue(Files.size(out.resolve("jitter_histogram.png")) > 0);

            log.setLength(0);
            code = run(log, "eval", "--policy", out.resolve("policy.ckpt").toString(), "--port", emulator.port,
                    "--episodes", "1", "--episode-steps", "20");
            assertEquals(0, code, log.toString());
            assertTrue(log.toString().contains("A1Robot, 1 episodes") && log.toString().contains("mean length 20.0 steps"),
                    log.toString());
        }
    }
}

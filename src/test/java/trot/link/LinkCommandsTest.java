package trot.link;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static trot.testing.Commands.run;

/** {@code trot link-check} and {@code trot emulate} as a user runs them: exit codes and messages. */
class LinkCommandsTest {

    @Test
    void linkCheckRejectsBadInput(@TempDir Path dir) {
        StringBuilder log = new StringBuilder();
        assertEquals(2, run(log, "link-check", "--port", "/dev/null", "--seconds", "0"));
        assertTrue(log.toString().contains("--seconds must be positive"), log.toString());
        assertEquals(2, run(log, "link-check", "--port", "/dev/null", "--rate-hz", "5000"));
        assertEquals(2, run(log, "link-check", "--port", "/dev/null", "--state-period-us", "10"));
        assertTrue(log.toString().contains("1,000 .. 100,000 us"), log.toString());
        log.setLength(0);
        assertEquals(2, run(log, "link-check", "--port", dir.resolve("none").toString(), "--seconds", "1"));
        assertTrue(log.toString().contains("no serial port at " + dir.resolve("none") + ": check the path"), log.toString());
        assertEquals(2, run(log, "link-check"), "--port is required");
    }

    @Test
    void linkCheckAgainstTheEmulatorIsClean() throws Exception {
        Emulator.assumeBuilt();
        try (Emulator emulator = new Emulator("--quiet")) {
            StringBuilder log = new StringBuilder();
            int code = run(log, "link-check", "--port", emulator.port, "--seconds", "1.5", "--rate-hz", "50");
            assertEquals(0, code, log.toString());
            String out = log.toString();
            for (String line : new String[]{"commands sent      90 (not sent: 0)", "states received", "host -> device", "device -> host",
                    "receive errors     0 (none)", "round trip         p50", "stale periods",
                    "link losses        0, reconnects 0", "watchdog faults    0", "result: clean"}) {
                assertTrue(out.contains(line), "'" + line + "' in:\n" + out);
            }
        }
    }

    @Test
    void linkCheckWithoutADeviceAnswerFails(@TempDir Path dir) throws Exception {
        try (Socat pair = new Socat(dir)) {
            StringBuilder log = new StringBuilder();
            assertEquals(1, run(log, "link-check", "--port", pair.a.toString(), "--seconds", "1"));
            assertTrue(log.toString().contains("the Hello got no answer"), log.toString());
        }
    }

    @Test
    void emulateSaysHowToBuildTheEmulatorWhenItIsMissing(@TempDir Path dir) {
        String home = System.getProperty("trot.home");
        System.setProperty("trot.home", dir.toString());
        try {
            StringBuilder log = new StringBuilder();
            assertEquals(2, run(log, "emulate", "--duration", "1"));
            assertTrue(log.toString().contains("the emulator is not built")
                    && log.toString().contains("make -C hardware/firmware emulator")
                    && log.toString().contains("libmujoco-dev"), log.toString());
        } finally {
            if (home == null) {
                System.clearProperty("trot.home");
            } else {
                System.setProperty("trot.home", home);
            }
        }
    }

    @Test
    void emulatePassesItsOptionsThroughAndReturnsTheExitCode() {
        Emulator.assumeBuilt();
        StringBuilder log = new StringBuilder();
        assertEquals(0, run(log, "emulate", "--duration", "0.3", "--quiet", "--seed", "3"));
        assertEquals(2, run(log, "emulate", "--no-such-option"), "the emulator's own exit code for a bad option");
    }
}

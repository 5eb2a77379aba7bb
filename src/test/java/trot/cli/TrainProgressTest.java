package trot.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static trot.testing.Commands.run;

/** {@code trot train}'s progress display off a terminal: status lines by default, none with --no-progress. */
class TrainProgressTest {

    static String[] train(Path out, boolean noProgress) {
        String[] a = {"train", "-e", "pendulum", "--steps", "300", "--random-steps", "100", "--eval-interval", "300",
                "--eval-episodes", "1", "--set", "hidden=16,16", "--set", "batch=16", "--set", "utd=1",
                "--out", out.toString()};
        if (!noProgress) {
            return a;
        }
        String[] b = java.util.Arrays.copyOf(a, a.length + 1);
        b[a.length] = "--no-progress";
        return b;
    }

    @Test
    void noProgressPrintsNoStatusLines(@TempDir Path dir) {
        StringBuilder plain = new StringBuilder(), quiet = new StringBuilder();
        assertEquals(0, run(plain, train(dir.resolve("plain"), false)), plain.toString());
        assertTrue(plain.toString().contains("300/300 steps") && plain.toString().contains("eta"),
                "off a terminal, status lines: " + plain);
        for (String line : plain.toString().split("\n")) {
            if (line.contains("/300 steps")) {
                assertTrue(line.length() <= StatusDisplay.PLAIN_WIDTH, line);
            }
        }
        assertEquals(0, run(quiet, train(dir.resolve("quiet"), true)), quiet.toString());
        assertFalse(quiet.toString().contains("/300") || quiet.toString().contains("eta"),
                "--no-progress printed a status line: " + quiet);
        assertTrue(quiet.toString().contains("trained 300 steps"), quiet.toString());
    }
}

package trot.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static trot.testing.Commands.run;

/** {@code trot eval --per-episode} as a user runs it, on the pendulum (no telemetry: only the columns it has). */
class EvalPerEpisodeTest {

    @Test
    void aRowPerEpisodeInTheTableAndTheCsv(@TempDir Path dir) throws Exception {
        Path runDir = dir.resolve("run");
        StringBuilder log = new StringBuilder();
        assertEquals(0, run(log, TrainProgressTest.train(runDir, true)), log.toString());
        Path out = dir.resolve("eval");
        StringBuilder eval = new StringBuilder();
        assertEquals(0, run(eval, "eval", "--policy", runDir.resolve("policy.ckpt").toString(), "--episodes", "3",
                "--per-episode", "-o", out.toString()), eval.toString());
        List<String> csv = Files.readAllLines(out.resolve("per-episode.csv"));
        assertEquals("episode,return,steps,time_s,end", csv.get(0));
        assertEquals(4, csv.size(), csv.toString());
        for (int i = 1; i <= 3; i++) {
            String[] f = csv.get(i).split(",");
            assertEquals(Integer.toString(i), f[0]);
            assertEquals("200", f[2], "the pendulum's 200-step episodes");
            assertEquals("time-limit", f[4]);
        }
        String text = eval.toString();
        assertTrue(text.contains("episode      return   steps   time_s  end"), text);
        assertTrue(text.contains("episode ends: time-limit 3"), text);
        // A second run refuses to replace the report without --force, before it evaluates.
        StringBuilder again = new StringBuilder();
        assertEquals(2, run(again, "eval", "--policy", runDir.resolve("policy.ckpt").toString(), "--per-episode",
                "-o", out.toString()), again.toString());
        assertTrue(again.toString().contains("--force"), again.toString());
    }
}

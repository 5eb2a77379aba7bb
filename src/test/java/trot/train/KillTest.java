package trot.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reduced form of scripts/kill-test.sh: `trot train` in a child JVM, killed with SIGKILL
 * ({@link Process#destroyForcibly}) three times at random moments after its first snapshot, resumed each time with
 * `trot train --resume`, ends bit for bit as an uninterrupted run of the same seed.
 */
class KillTest {
    static final List<String> RUN = List.of("train", "-e", "pendulum", "--steps", "2500", "--random-steps", "300",
            "--eval-interval", "500", "--qbias-interval", "1000", "--seed", "11", "--set", "hidden=32,32", "--set", "utd=2",
            "--snapshot-every", "100", "--no-progress");

    static Process start(Path log, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Djava.library.path=" + System.getProperty("java.library.path"),
                "trot.cli.Main"));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    static List<String> with(List<String> base, String... more) {
        List<String> l = new ArrayList<>(base);
        l.addAll(List.of(more));
        return l;
    }

    @Test
    void killedThreeTimesWithSigkillAndResumedItEndsAsTheUninterruptedRun(@TempDir Path dir) throws Exception {
        Path ref = dir.resolve("reference"), run = dir.resolve("run"), out = dir.resolve("children.log");
        Process whole = start(out, with(RUN, "-o", ref.toString()));
        java.util.Random random = new java.util.Random(42);
        Process p = start(out, with(RUN, "-o", run.toString(), "--set", "threads=2"));
        long logged = 0;
        for (int kill = 0; kill < 3; kill++) {
            // Wait until this child has made progress (its log grew by 150 transitions and it has a snapshot).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Path log = run.resolve(Trainer.REPLAY_LOG);
            while (System.nanoTime() < deadline && p.isAlive() && !(Files.exists(run.resolve(Trainer.SNAPSHOT))
                    && Files.exists(log) && Files.size(log) > logged + 150 * 49)) {
                Thread.sleep(10);
            }
            Thread.sleep(100 + random.nextInt(600));
            assertTrue(p.isAlive(), "the run was still going at kill " + (kill + 1) + " (see " + Files.readString(out) + ")");
            p.destroyForcibly().waitFor();
            logged = Files.size(log);
            p = start(out, List.of("train", "--resume", run.toString(), "--no-progress", "--set", "threads=" + (1 + kill % 2)));
        }
        assertEquals(0, p.waitFor(), Files.readString(out));
        assertEquals(0, whole.waitFor(), Files.readString(out));
        List<String> differences = CompareRuns.differences(ref, run);
        assertTrue(differences.isEmpty(), differences + "\n" + Files.readString(out));
        String log = Files.readString(out);
        assertEquals(3, log.split("trot train: resuming", -1).length - 1, log);
    }

    @Test
    void sigtermStopsAtTheNextStepBoundaryWithASnapshotOfEverythingLogged(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run"), out = dir.resolve("child.log");
        List<String> args = new ArrayList<>(RUN);
        args.set(args.indexOf("--snapshot-every") + 1, "100000");   // no periodic snapshot: the one found is the stop's
        args.addAll(List.of("-o", run.toString()));
        Process p = start(out, args);
        Path log = run.resolve(Trainer.REPLAY_LOG);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && p.isAlive() && !(Files.exists(log) && Files.size(log) > 500 * 49)) {
            Thread.sleep(10);
        }
        p.destroy();   // SIGTERM
        p.waitFor(60, TimeUnit.SECONDS);
        String text = Files.readString(out);
        assertTrue(text.contains("stopped at step"), text);
        trot.io.Snapshot snap = trot.io.Snapshot.read(run.resolve(Trainer.SNAPSHOT));
        long[] rows = new long[4];
        snap.longs("trainer.rows", rows);
        long step = Long.parseLong(snap.meta("step"));
        assertTrue(step >= 500, "stopped at " + step);
        assertEquals(step, rows[3], "every step's transition is logged (no rejections in the pendulum)");
        assertEquals(36 + step * 49, Files.size(log), "the snapshot covers the whole log: nothing to drop on resume");
    }
}

package trot.train;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trot.agent.LearnerConfig;
import trot.env.classic.Pendulum;
import trot.io.Snapshot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run stopped or killed at any step and resumed from its snapshot ends bitwise as the uninterrupted run. */
class ResumeTest {
    static final TrainingSettings SETTINGS = new TrainingSettings(800, 200, 400, 2, 400, 1, 0, 3);
    static final String[] TIMING = {"update_ms", "steps_per_second", "elapsed_s"};

    /** Thrown by an observer to stand for a kill: the run ends at once, without a snapshot. */
    static final class Killed extends RuntimeException {
        Killed(long step) {
            super("killed at step " + step);
        }
    }

    static Trainer trainer(Path dir, int threads, long snapshotEvery) {
        return new Trainer(SETTINGS, TrainerTest.TINY.with("threads", "" + threads), new Pendulum(), new Pendulum(), dir,
                false).snapshotEvery(snapshotEvery);
    }

    static Consumer<Progress> killAt(long step) {
        return p -> {
            if (p.step == step) {
                throw new Killed(step);
            }
        };
    }

    static void assertSameRun(Path a, Path b) throws Exception {
        for (String f : new String[]{"episodes.csv", "evaluations.csv", "qbias.csv"}) {
            List<double[]> x = TrainerTest.numbers(a.resolve(f), TIMING), y = TrainerTest.numbers(b.resolve(f), TIMING);
            assertEquals(x.size(), y.size(), f);
            for (int c = 0; c < x.size(); c++) {
                assertArrayEquals(x.get(c), y.get(c), f + " column " + c);
            }
        }
        assertArrayEquals(TrainerTest.strip(a.resolve("policy.ckpt")), TrainerTest.strip(b.resolve("policy.ckpt")), "the same policy");
        Snapshot sa = Snapshot.read(a.resolve(Trainer.SNAPSHOT)), sb = Snapshot.read(b.resolve(Trainer.SNAPSHOT));
        assertEquals(sa.names(), sb.names());
        int compared = 0;
        for (String name : sa.names()) {
            if (name.startsWith("learner.") && sa.isFloats(name)) {
                float[] x = new float[sa.length(name)], y = new float[x.length];
                sa.floats(name, x);
                sb.floats(name, y);
                assertArrayEquals(x, y, name);
                compared++;
            }
        }
        assertTrue(compared > 30, "weights and moments compared: " + compared);
        long[] ra = new long[sa.length("learner.rng")], rb = ra.clone();
        sa.longs("learner.rng", ra);
        sb.longs("learner.rng", rb);
        assertArrayEquals(ra, rb, "every generator where the uninterrupted run left it");
        assertArrayEquals(Files.readAllBytes(a.resolve(Trainer.REPLAY_LOG)), Files.readAllBytes(b.resolve(Trainer.REPLAY_LOG)),
                "the same replay log, byte for byte");
    }

    @ParameterizedTest(name = "threads {0}, killed at step {1}")
    @CsvSource({"1, 437", "2, 437", "1, 150", "2, 799", "1, 401"})
    void aKilledRunResumedEndsBitwiseAsTheUninterruptedOne(int threads, long killStep, @TempDir Path dir) throws Exception {
        trainer(dir.resolve("whole"), threads, 100).run(p -> { });
        Path b = dir.resolve("killed");
        assertThrows(Killed.class, () -> trainer(b, threads, 100).run(killAt(killStep)));
        Trainer.Summary s = trainer(b, threads, 100).resume(true).run(p -> { });
        assertEquals(800, s.steps());
        assertFalse(s.stopped());
        assertSameRun(dir.resolve("whole"), b);
    }

    @Test
    void snapshotsDoNotChangeTheNumbers(@TempDir Path dir) throws Exception {
        trainer(dir.resolve("with"), 1, 50).run(p -> { });
        trainer(dir.resolve("without"), 1, 0).run(p -> { });
        for (String f : new String[]{"episodes.csv", "evaluations.csv", "qbias.csv"}) {
            List<double[]> x = TrainerTest.numbers(dir.resolve("with").resolve(f), TIMING),
                    y = TrainerTest.numbers(dir.resolve("without").resolve(f), TIMING);
            for (int c = 0; c < x.size(); c++) {
                assertArrayEquals(x.get(c), y.get(c), f + " column " + c);
            }
        }
        assertArrayEquals(TrainerTest.strip(dir.resolve("with/policy.ckpt")), TrainerTest.strip(dir.resolve("without/policy.ckpt")));
        assertFalse(Files.exists(dir.resolve("without").resolve(Trainer.SNAPSHOT)));
    }

    @Test
    void aCleanStopSnapshotsAtOnceAndResumesOnTwoThreadsFromOne(@TempDir Path dir) throws Exception {
        trainer(dir.resolve("whole"), 1, 1000).run(p -> { });
        Path b = dir.resolve("stopped");
        Trainer t = trainer(b, 1, 1000);
        Trainer.Summary s = t.run(p -> {
            if (p.step == 333) {
                t.requestStop();
            }
        });
        assertTrue(s.stopped());
        assertEquals(333, s.steps());
        assertEquals("333", Snapshot.read(b.resolve(Trainer.SNAPSHOT)).meta("step"));
        // Killed again right after resuming, then resumed on two threads.
        assertThrows(Killed.class, () -> trainer(b, 2, 1000).resume(true).run(killAt(600)));
        Trainer last = trainer(b, 2, 1000).resume(true);
        last.run(p -> { });
        assertTrue(last.resumeMessage().contains("267 transitions collected after the snapshot were dropped"),
                last.resumeMessage());
        assertSameRun(dir.resolve("whole"), b);
    }

    @Test
    void aContradictingConfigurationIsRefusedAndNothingIsTouched(@TempDir Path dir) throws Exception {
        assertThrows(Killed.class, () -> trainer(dir, 1, 100).run(killAt(450)));
        byte[] log = Files.readAllBytes(dir.resolve(Trainer.REPLAY_LOG)), episodes = Files.readAllBytes(dir.resolve("episodes.csv"));
        Trainer other = new Trainer(SETTINGS, TrainerTest.TINY.with("utd", "3"), new Pendulum(), new Pendulum(), dir, false)
                .snapshotEvery(100).resume(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.run(p -> { }));
        assertTrue(e.getMessage().contains("learner utd is 2 in the snapshot, 3 here"), e.getMessage());
        assertTrue(e.getMessage().contains(Trainer.SNAPSHOT), e.getMessage());
        assertArrayEquals(log, Files.readAllBytes(dir.resolve(Trainer.REPLAY_LOG)));
        assertArrayEquals(episodes, Files.readAllBytes(dir.resolve("episodes.csv")));
    }

    @Test
    void aTornLogTailIsCutWithAMessage(@TempDir Path dir) throws Exception {
        trainer(dir.resolve("whole"), 1, 100).run(p -> { });
        Path b = dir.resolve("torn");
        assertThrows(Killed.class, () -> trainer(b, 1, 100).run(killAt(450)));
        // The kill caught a record half written.
        Files.write(b.resolve(Trainer.REPLAY_LOG), new byte[]{49, 0, 0, 0, 1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        Trainer t = trainer(b, 1, 100).resume(true);
        t.run(p -> { });
        assertTrue(t.resumeMessage().contains("a torn or corrupt tail of 7 bytes"), t.resumeMessage());
        assertTrue(t.resumeMessage().contains("50 transitions collected after the snapshot"), t.resumeMessage());
        assertSameRun(dir.resolve("whole"), b);
    }

    @Test
    void aSnapshotOfAnotherEnvironmentOrAMissingLogIsRefusedByNameAndNothingIsTouched(@TempDir Path dir) throws Exception {
        assertThrows(Killed.class, () -> trainer(dir, 1, 100).run(killAt(250)));
        byte[] episodes = Files.readAllBytes(dir.resolve("episodes.csv")), snap = Files.readAllBytes(dir.resolve(Trainer.SNAPSHOT));
        try (TrainerTest.Scripted env = new TrainerTest.Scripted(); TrainerTest.Scripted evalEnv = new TrainerTest.Scripted()) {
            Trainer other = new Trainer(SETTINGS, TrainerTest.TINY.with("threads", "1"), env, evalEnv, dir, false).resume(true);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.run(p -> { }));
            assertTrue(e.getMessage().contains("it is of Pendulum (observations 3, actions 1), this run is scripted (1, 1)")
                    && e.getMessage().contains(Trainer.SNAPSHOT), e.getMessage());
        }
        Path log = dir.resolve(Trainer.REPLAY_LOG);
        Files.move(log, dir.resolve("elsewhere.log"));
        java.nio.file.NoSuchFileException e = assertThrows(java.nio.file.NoSuchFileException.class,
                () -> trainer(dir, 1, 100).resume(true).run(p -> { }));
        assertTrue(e.getMessage().contains(log.toString()) && e.getMessage().contains("replay log is missing"), e.getMessage());
        assertArrayEquals(episodes, Files.readAllBytes(dir.resolve("episodes.csv")), "the metrics are untouched");
        assertArrayEquals(snap, Files.readAllBytes(dir.resolve(Trainer.SNAPSHOT)), "the snapshot is untouched");
    }

    /** The A1 task snapshots at episode boundaries only; a killed run resumed from one still ends bitwise the same. */
    @Test
    void theWalkingTaskResumesBitwiseFromAnEpisodeBoundary(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(trot.env.sim.Mujoco.available(), trot.env.sim.Mujoco.unavailableReason());
        TrainingSettings settings = new TrainingSettings(500, 150, 500, 1, 0, 1, 0, 5);
        trot.env.sim.A1Walk.Config c = trot.env.sim.A1Walk.Config.paper(trot.env.TestRobots.a1(Path.of("hardware/a1/a1.xml")));
        LearnerConfig tiny = TrainerTest.TINY.with("threads", "1").with("batch", "16").with("utd", "1");
        java.util.function.Function<Path, Trainer> make = d -> new Trainer(settings, tiny, new trot.env.sim.A1Walk(c),
                new trot.env.sim.A1Walk(c), d, false).snapshotEvery(50);
        make.apply(dir.resolve("whole")).run(p -> { });
        Path b = dir.resolve("killed");
        assertThrows(Killed.class, () -> make.apply(b).run(killAt(420)));
        long at = Long.parseLong(Snapshot.read(b.resolve(Trainer.SNAPSHOT)).meta("step"));
        assertTrue(at > 0 && at <= 420, "a snapshot at an episode boundary: " + at);
        make.apply(b).resume(true).run(p -> { });
        List<String> d = CompareRuns.differences(dir.resolve("whole"), b);
        assertTrue(d.isEmpty(), "resumed from step " + at + ": " + d);
    }
}

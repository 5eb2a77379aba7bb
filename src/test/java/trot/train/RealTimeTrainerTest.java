package trot.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trot.agent.LearnerConfig;
import trot.env.EnvSpec;
import trot.env.Environment;
import trot.env.Pacer;
import trot.env.RealTime;
import trot.env.StepResult;
import trot.env.classic.PacedPendulum;
import trot.io.MetricsCsv;
import trot.io.Snapshot;
import trot.replay.ReplayBuffer;
import trot.replay.ReplayLog;
import trot.runtime.PeriodicPacer;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real-time schedule on the pendulum under a {@link PeriodicPacer} (200 Hz here, to keep the tests short):
 * structure, not speed (jitter is measured by the documented run in docs/runtime.md).
 */
class RealTimeTrainerTest {
    static final LearnerConfig CONFIG = TrainerTest.TINY.with("threads", "1");
    static final double PERIOD_S = 0.005;

    /** A real-time world around the paced pendulum that counts, measures and fails on request. */
    static final class World implements Environment, RealTime {
        private static final com.sun.management.ThreadMXBean MX =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final PacedPendulum inner;
        final long[] allocated; // the control thread's allocated bytes after each step
        volatile long steps;
        long failAt = Long.MAX_VALUE;
        volatile int closed;
        volatile String stepThread;

        World(long capacity) {
            inner = new PacedPendulum(new PeriodicPacer(PERIOD_S), 7);
            allocated = new long[(int) capacity + 1];
            MX.setThreadAllocatedMemoryEnabled(true);
        }

        @Override
        public Pacer pacer() {
            return inner.pacer();
        }

        @Override
        public EnvSpec spec() {
            return inner.spec();
        }

        @Override
        public void seed(long seed) {
            inner.seed(seed);
        }

        @Override
        public void reset(float[] observation) {
            inner.reset(observation);
        }

        @Override
        public void step(float[] action, StepResult out) {
            if (steps + 1 == failAt) {
                throw new IllegalStateException("link lost (injected at step " + failAt + ")");
            }
            inner.step(action, out);
            steps++;
            if (steps < allocated.length) {
                allocated[(int) steps] = MX.getCurrentThreadAllocatedBytes();
            }
            if (stepThread == null) {
                stepThread = Thread.currentThread().getName();
            }
        }

        @Override
        public void close() {
            closed++;
        }
    }

    static TrainingSettings settings(long steps) {
        return new TrainingSettings(steps, 100, 0, 1, 0, 1, 10_000, 3);
    }

    @Test
    void theControlLoopRecordsEveryTransitionOnceInOrderAndLearnsBehind(@TempDir Path dir) throws Exception {
        long n = 600; // the last step ends an episode: the boundary is followed at once by the final pause
        World w = new World(n);
        Trainer t = new Trainer(settings(n), CONFIG, w, w, dir, false).snapshotEvery(1000);
        Trainer.Summary s = t.run(p -> { });
        assertFalse(s.stopped());
        assertEquals(n, s.steps());
        assertEquals(n + 200, w.steps, "the world was stepped the run's steps, then one 200-step final evaluation");
        assertEquals("trot-control", w.stepThread);
        assertTrue(w.closed >= 1, "the world is closed at the end");

        // Every transition exactly once and in order: the log's steps strictly increase (recover checks it), there
        // are n of them and the last is n, so they are 1..n.
        ReplayBuffer rebuilt = new ReplayBuffer(10_000, 3, 1, 1);
        ReplayLog.Recovery rec = ReplayLog.recover(dir.resolve(Trainer.REPLAY_LOG), "Pendulum", 3, 1, Long.MAX_VALUE, rebuilt);
        try (ReplayLog log = rec.log()) {
            assertEquals(n, rec.replayed());
            assertEquals(n, log.lastStep());
        }
        assertEquals(n, t.replay().added(), "the learner stored each one");

        var totals = t.controlTotals();
        int g = CONFIG.updatesPerStep();
        assertTrue(totals.utd() > 0 && totals.utd() <= g, "achieved UTD " + totals.utd() + " of G = " + g);
        assertEquals(totals.calls() * g, totals.criticUpdates());
        assertEquals(0, totals.dropped());
        assertTrue(totals.pacer().periods > n / 2, totals.pacer().toString());

        MetricsCsv.Table control = MetricsCsv.read(dir.resolve("control.csv"));
        double[] version = control.column("policy_version"), utd = control.column("utd");
        assertEquals(3, version.length, "one row per 200-step episode");
        assertTrue(version[0] > 0 && version[0] <= 100, "published during steps 101..200 at most once per step: " + version[0]);
        for (int i = 1; i < version.length; i++) {
            assertTrue(version[i] > version[i - 1], "the published policy advances: " + java.util.Arrays.toString(version));
        }
        assertTrue(utd[0] > 0 && utd[2] > 0, "learning from step 101 on: " + java.util.Arrays.toString(utd));
        assertEquals(3, MetricsCsv.read(dir.resolve("episodes.csv")).rows().size());
        assertEquals(1, MetricsCsv.read(dir.resolve("evaluations.csv")).rows().size(), "the final evaluation");
        assertTrue(Files.size(dir.resolve("jitter.png")) > 0);
        assertTrue(Files.exists(dir.resolve(Trainer.SNAPSHOT)), "the final snapshot, without world state");

        // Allocation-free control thread: some window of 50 acting steps inside an episode allocated nothing (a
        // genuine allocation per step would show in every window; the JIT's one-off events in a few).
        long best = Long.MAX_VALUE;
        for (long a = 210; a + 50 < 400; a += 10) {
            best = Math.min(best, w.allocated[(int) (a + 50)] - w.allocated[(int) a]);
        }
        for (long a = 410; a + 50 < 600; a += 10) {
            best = Math.min(best, w.allocated[(int) (a + 50)] - w.allocated[(int) a]);
        }
        assertEquals(0, best, "bytes allocated by the control thread in the best window of 50 steps");
    }

    @Test
    void aStopRequestEndsTheRunAtTheNextStepWithASnapshot(@TempDir Path dir) throws Exception {
        World w = new World(2000);
        Trainer t = new Trainer(settings(2000), CONFIG, w, w, dir, false).snapshotEvery(1000);
        long[] requestedAt = {-1};
        Trainer.Summary s = t.run(p -> {
            if (p.step >= 250 && requestedAt[0] < 0) {
                requestedAt[0] = p.step;
                t.requestStop();
            }
        });
        assertTrue(s.stopped());
        // The control thread checks the request every period; the observer runs on a progress thread, so a loaded
        // machine may let a few periods pass between its reading the step and its request.
        assertTrue(s.steps() >= requestedAt[0] && s.steps() <= requestedAt[0] + 20, "requested at step "
                + requestedAt[0] + ", stopped at step " + s.steps());
        assertTrue(s.steps() < 400, "stopped long before the end");
        assertEquals(1, w.closed, "the world is closed (a robot damps)");
        Snapshot snap = Snapshot.read(dir.resolve(Trainer.SNAPSHOT));
        assertEquals(Long.toString(s.steps()), snap.meta("step"));
        assertEquals(2, MetricsCsv.read(dir.resolve("episodes.csv")).rows().size(), "the cut episode is booked");
    }

    @Test
    void aFailureOfTheWorldStopsTheLoopAfterASnapshotAndIsRethrown(@TempDir Path dir) throws Exception {
        World w = new World(2000);
        w.failAt = 321;
        Trainer t = new Trainer(settings(2000), CONFIG, w, w, dir, false).snapshotEvery(1000);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.run(p -> { }));
        assertTrue(e.getMessage().contains("link lost"), e.getMessage());
        assertEquals(320, w.steps);
        assertEquals(1, w.closed);
        Snapshot snap = Snapshot.read(dir.resolve(Trainer.SNAPSHOT));
        assertEquals("320", snap.meta("step"), "the learner's state at the last step taken");
        ReplayBuffer rebuilt = new ReplayBuffer(10_000, 3, 1, 1);
        ReplayLog.Recovery rec = ReplayLog.recover(dir.resolve(Trainer.REPLAY_LOG), "Pendulum", 3, 1, Long.MAX_VALUE, rebuilt);
        rec.log().close();
        assertEquals(320, rec.replayed(), "every transition taken reached the log");
    }

    @Test
    void aFailureOfTheLearnerStopsTheLoopClosesTheWorldAndKeepsTheLastGoodSnapshot(@TempDir Path dir) throws Exception {
        World w = new World(3000);
        Trainer t = new Trainer(settings(3000), CONFIG, w, w, dir, false).snapshotEvery(200)
                .watchLearner(l -> l.useNoise(out -> {
                    if (w.steps > 450) { // after the snapshots at the episode ends of steps 200 and 400
                        throw new ArithmeticException("poisoned learner");
                    }
                    java.util.Arrays.fill(out.data, 0.1f);
                }));
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> t.run(p -> { }));
        assertEquals("poisoned learner", e.getMessage());
        assertTrue(w.steps < 3000, "the loop stopped early, at step " + w.steps);
        assertEquals(1, w.closed);
        Snapshot snap = Snapshot.read(dir.resolve(Trainer.SNAPSHOT));
        long at = Long.parseLong(snap.meta("step"));
        assertEquals(400, at, "the last good snapshot, before the failure after step 450 (the loop stopped at "
                + w.steps + ")");
    }

    @Test
    void aRealTimeRunResumesFromItsSnapshotKeepingTheLogTail(@TempDir Path dir) throws Exception {
        World w = new World(2000);
        Trainer t = new Trainer(settings(600), CONFIG, w, w, dir, false).snapshotEvery(200);
        t.run(p -> {
            if (p.step >= 450) {
                t.requestStop();
            }
        });
        World w2 = new World(2000);
        Trainer r = new Trainer(settings(600), CONFIG, w2, w2, dir, false).snapshotEvery(200).resume(true);
        Trainer.Summary s = r.run(p -> { });
        assertEquals(600, s.steps());
        assertTrue(w2.steps > 0 && w2.steps < 600, "continued from the snapshot: " + w2.steps + " steps");
        assertEquals(600, r.replay().added(), "the first run's transitions and the second's, each once");
    }
}

package trot.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trot.agent.Learner;
import trot.env.StepResult;
import trot.io.Snapshot;
import trot.util.StateReader;
import trot.util.StateWriter;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NaN or infinity in a loss, a weight or an action stops learning, names where, and keeps the last good snapshot. */
class DivergenceTest {

    /** Rewards so large that the critic's squared error overflows float32 once learning starts. */
    static final class Exploding extends OneDimensionalEnvironment implements trot.env.Resumable {
        Exploding() {
            super("exploding", 10);
        }

        @Override
        public void step(float[] action, StepResult out) {
            step++;
            out.observation[0] = step;
            out.reward = 3e38f;
            out.terminated = false;
            out.truncated = step == 10;
        }

        @Override
        public boolean canCapture() {
            return true;
        }

        @Override
        public void saveState(StateWriter out) {
            out.longs("env.step", new long[]{step, episode});
        }

        @Override
        public void restoreState(StateReader in, float[] observation) {
            long[] s = new long[2];
            in.longs("env.step", s);
            step = (int) s[0];
            episode = (int) s[1];
            observation[0] = step;
        }
    }

    @Test
    void anOverflowingLossStopsLearningAndTheLastGoodSnapshotIsKept(@TempDir Path dir) throws Exception {
        TrainingSettings settings = new TrainingSettings(200, 50, 0, 1, 0, 1, 0, 1);
        Trainer t = new Trainer(settings, TrainerTest.TINY.with("threads", "1"), new Exploding(), new Exploding(), dir, false)
                .snapshotEvery(20);
        DivergenceException e = assertThrows(DivergenceException.class, () -> t.run(p -> { }));
        assertTrue(e.getMessage().contains("the critic loss") && e.getMessage().contains("not a finite number"), e.getMessage());
        assertTrue(e.getMessage().contains("The last good snapshot (step 40) is kept in " + dir.resolve(Trainer.SNAPSHOT)),
                e.getMessage());
        assertEquals(51, e.step(), "the first update");
        Snapshot s = Snapshot.read(dir.resolve(Trainer.SNAPSHOT));
        assertEquals("40", s.meta("step"));
    }

    @Test
    void aNonFiniteWeightIsNamed() {
        try (Learner l = new Learner(TrainerTest.TINY.with("threads", "1"), 3, 1, 1)) {
            assertNull(l.firstNonFiniteWeight());
            l.targetCriticParams(1).get(2).value.data[5] = Float.NEGATIVE_INFINITY;
            assertEquals("critic1.target." + l.targetCriticParams(1).get(2).name + "[5] = -Infinity", l.firstNonFiniteWeight());
            l.policyParams().get(0).value.data[0] = Float.NaN;
            assertTrue(l.firstNonFiniteWeight().startsWith("critic1.target."), "the first one found is named");
        }
    }

    /** Sets the policy's last bias to NaN after step 30's update. */
    static DivergenceException poisonAtStep30(Path dir, long snapshotEvery) {
        TrainingSettings settings = new TrainingSettings(100, 10, 0, 1, 0, 1, 0, 1);
        Learner[] seen = new Learner[1];
        Trainer t = new Trainer(settings, TrainerTest.TINY.with("threads", "1"), new trot.env.classic.Pendulum(),
                new trot.env.classic.Pendulum(), dir, false).snapshotEvery(snapshotEvery).watchLearner(l -> seen[0] = l);
        return assertThrows(DivergenceException.class, () -> t.run(p -> {
            if (p.step == 30) {
                java.util.List<trot.nn.Param> pi = seen[0].policyParams();
                java.util.Arrays.fill(pi.get(pi.size() - 1).value.data, Float.NaN);
            }
        }));
    }

    @Test
    void aNonFiniteActionStopsTheRunByName(@TempDir Path dir) throws Exception {
        DivergenceException e = poisonAtStep30(dir, 7);
        assertTrue(e.getMessage().contains("step 31: the policy's action[0] = NaN"), e.getMessage());
        assertTrue(e.getMessage().contains("The last good snapshot (step 28) is kept"), e.getMessage());
        assertEquals("28", Snapshot.read(dir.resolve(Trainer.SNAPSHOT)).meta("step"));
    }

    @Test
    void aNonFiniteWeightIsNeverSnapshotted(@TempDir Path dir) throws Exception {
        DivergenceException e = poisonAtStep30(dir, 10);
        assertTrue(e.getMessage().contains("step 30: the weight actor.fc2.bias[0] = NaN"), e.getMessage());
        assertTrue(e.getMessage().contains("The last good snapshot (step 20) is kept"), e.getMessage());
        assertEquals("20", Snapshot.read(dir.resolve(Trainer.SNAPSHOT)).meta("step"), "the poisoned state was never saved");
    }
}

package trot.train;

import org.junit.jupiter.api.Test;
import trot.agent.Learner;
import trot.agent.LearnerConfig;
import trot.env.StepResult;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The Monte-Carlo side of the Q-bias diagnostic against closed forms, on an episode of constant reward 1. */
class QBiasTest {
    static final double GAMMA = 0.99;

    /** Reward 1 at every step; the episode ends after {@code length} steps, terminated or cut by the time limit. */
    static final class Constant extends OneDimensionalEnvironment {
        final boolean terminates;

        Constant(int length, boolean terminates) {
            super("constant", length);
            this.terminates = terminates;
        }

        @Override
        public void step(float[] action, StepResult out) {
            step++;
            out.observation[0] = step * 0.01f;
            out.reward = 1;
            boolean end = step == spec.maxEpisodeSteps();
            out.terminated = terminates && end;
            out.truncated = !terminates && end;
        }
    }

    static QBias.Result run(int length, boolean terminates, int episodes) {
        try (Learner learner = new Learner(LearnerConfig.sac().with("hidden", "8,8").with("batch", "4").with("threads", "1"), 1, 1, 3)) {
            // alpha 0: no entropy bonus, so G_t = sum_k gamma^k = (1 - gamma^(T - t)) / (1 - gamma).
            return new QBias(learner, new Constant(length, terminates), episodes, 7, GAMMA).run(0);
        }
    }

    static double meanReturn(int length, int used) {
        double sum = 0;
        for (int t = 0; t < used; t++) {
            sum += (1 - Math.pow(GAMMA, length - t)) / (1 - GAMMA);
        }
        return sum / used;
    }

    @Test
    void aTerminatedEpisodeContributesEveryStateAndMissesNothing() {
        QBias.Result r = run(40, true, 2);
        assertEquals(80, r.pairs());
        assertEquals(meanReturn(40, 40), r.meanReturn(), 1e-9);
        assertEquals(0, r.tailWeight());
        assertEquals((r.meanQ() - r.meanReturn()) / Math.abs(r.meanReturn()), r.biasMean(), 1e-9);
    }

    @Test
    void aTruncatedEpisodeContributesItsFirstHalfAndReportsTheWeightLeftOut() {
        QBias.Result r = run(200, false, 1);
        assertEquals(100, r.pairs());
        assertEquals(meanReturn(200, 100), r.meanReturn(), 1e-9);
        assertEquals(Math.pow(GAMMA, 101), r.tailWeight(), 1e-12, "state 99 misses the return after step 200");
    }
}

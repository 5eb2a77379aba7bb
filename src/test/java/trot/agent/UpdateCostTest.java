package trot.agent;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The FLOP counts agree with a count by hand and with FACTS.md section 4 (about 7.5, 26.8 and 0.65 GFLOP). */
class UpdateCostTest {
    @Test
    void paperSizes() {
        assertEquals(7.5e9, UpdateCost.flopsPerUpdate(LearnerConfig.droq(), 48, 12), 0.03 * 7.5e9);
        assertEquals(26.8e9, UpdateCost.flopsPerUpdate(LearnerConfig.redq(), 48, 12), 0.03 * 26.8e9);
        assertEquals(0.65e9, UpdateCost.flopsPerUpdate(LearnerConfig.sac(), 48, 12), 0.03 * 0.65e9);
    }

    @Test
    void byHandForATinyNetwork() {
        // obs 2, act 1, hidden {3}, batch 1, N = M = 1, G = 1.
        LearnerConfig c = LearnerConfig.sac().withAll(java.util.Map.of("hidden", "3", "batch", "1", "critics", "1",
                "target-critics", "1"));
        double actorFwd = 2 * (2 * 3 + 3 * 2);                 // 24
        double criticFwd = 2 * (3 * 3 + 3 * 1);                 // 24
        double criticBwd = criticFwd + 2 * (3 * 1);             // dW 24 + dX of the output layer 6
        double criticUpdate = actorFwd + criticFwd + (criticFwd + criticBwd);
        double actorBwd = actorFwd + 2 * (3 * 2);               // dW 24 + dX of the output layer 12
        double actorUpdate = actorFwd + actorBwd + (criticFwd + criticFwd);
        assertEquals(criticUpdate + actorUpdate, UpdateCost.flopsPerUpdate(c, 2, 1), 1e-9);
    }
}

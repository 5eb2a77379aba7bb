package trot.train;

/**
 * How a training run is driven (the learner's own hyper-parameters are in {@link trot.agent.LearnerConfig}).
 *
 * @param steps             environment steps in all
 * @param randomSteps       first steps with uniformly random actions and no learning (the paper: 1,000)
 * @param evalInterval      environment steps between evaluations (0: only at the end)
 * @param evalEpisodes      deterministic episodes per evaluation
 * @param qBiasInterval     environment steps between Q-bias diagnostics (0: never)
 * @param qBiasEpisodes     stochastic episodes per Q-bias diagnostic
 * @param replayCapacity    transitions kept (0: all of them, {@code steps})
 * @param seed              seeds the learner, the environments, the random actions and the replay buffer
 */
public record TrainingSettings(long steps, long randomSteps, long evalInterval, int evalEpisodes, long qBiasInterval,
                               int qBiasEpisodes, int replayCapacity, long seed) {

    public TrainingSettings {
        require(steps >= 1, "steps must be at least 1, got " + steps);
        require(randomSteps >= 0 && randomSteps <= steps, "random steps must be between 0 and steps (" + steps
                + "), got " + randomSteps);
        require(evalInterval >= 0, "the evaluation interval must not be negative, got " + evalInterval);
        require(evalEpisodes >= 1, "evaluation episodes must be at least 1, got " + evalEpisodes);
        require(qBiasInterval >= 0, "the Q-bias interval must not be negative, got " + qBiasInterval);
        require(qBiasEpisodes >= 1, "Q-bias episodes must be at least 1, got " + qBiasEpisodes);
        require(replayCapacity >= 0, "the replay capacity must not be negative, got " + replayCapacity);
        require(steps <= Integer.MAX_VALUE || replayCapacity > 0, "more than 2^31 steps need an explicit replay capacity");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("training settings: " + message);
        }
    }

    /** The replay capacity in effect. */
    public int capacity() {
        return replayCapacity > 0 ? replayCapacity : (int) steps;
    }
}

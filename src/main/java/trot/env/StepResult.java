package trot.env;

/**
 * What one {@link Environment#step} produced, in a holder the caller allocates once and the environment
 * overwrites on every step (so stepping allocates nothing).
 *
 * <h2>A time limit is not a termination</h2>
 * Two different things end an episode, and a learner must not confuse them:
 * <ul>
 *   <li>{@link #terminated}: the task itself ended in a state with no future, for example the robot fell.
 *       The value of the next state is 0 by definition, so the TD target is just {@code r}.</li>
 *   <li>{@link #truncated}: the episode was cut at {@code maxEpisodeSteps}. The state reached is an ordinary
 *       state whose future was merely not observed, so the TD target still bootstraps:
 *       {@code r + gamma V(s')}.</li>
 * </ul>
 * Storing a truncation as a termination (the classic {@code done = terminated || truncated} bug) teaches the
 * critics that every state near the time limit is worthless, which biases values and, for a task that
 * never terminates such as the pendulum, makes the learned value depend on a clock the agent cannot see.
 * Both flags may be true at once (a fall on the last step): it is then a termination.
 */
public final class StepResult {
    /** The next observation, {@code observationSize} floats, written by the environment. */
    public final float[] observation;
    /** The reward of the transition just taken (environment units, typically per step). */
    public float reward;
    /** The task ended in a terminal state: do not bootstrap from {@link #observation}. */
    public boolean terminated;
    /** The time limit ended the episode: the state is not terminal; bootstrap from {@link #observation}. */
    public boolean truncated;

    /**
     * @throws IllegalArgumentException for a non-positive observation size
     */
    public StepResult(int observationSize) {
        if (observationSize <= 0) {
            throw new IllegalArgumentException("StepResult: the observation size must be positive, got " + observationSize);
        }
        this.observation = new float[observationSize];
    }

    /** A holder sized for {@code spec}'s observations. */
    public StepResult(EnvSpec spec) {
        this(spec.observationSize());
    }

    /** The episode is over, for either reason: reset before stepping again. */
    public boolean done() {
        return terminated || truncated;
    }

    @Override
    public String toString() {
        return "StepResult(reward " + reward + (terminated ? ", terminated" : "") + (truncated ? ", truncated" : "") + ")";
    }
}

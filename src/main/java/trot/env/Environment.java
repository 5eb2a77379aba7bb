package trot.env;

/**
 * A task the agent learns by trial: a simulation (the classic pendulum, a MuJoCo quadruped) or the real robot
 * over a serial link. The learner never sees this interface; a trainer connects the two, scaling the agent's
 * actions from {@code [-1, 1]} with {@link EnvSpec#scaleActions}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #reset} starts an episode and {@link #step} advances it by one control period. Neither allocates:
 *       the caller owns the observation array and the {@link StepResult}, allocated once.</li>
 *   <li>The environment counts the steps of the current episode and sets {@link StepResult#truncated} on the
 *       step that reaches {@link EnvSpec#maxEpisodeSteps}; {@link StepResult#terminated} means a true end of the
 *       task (see {@link StepResult} for why the two must stay apart).</li>
 *   <li>Stepping before the first reset, or after the episode ended, throws {@link IllegalStateException}.
 *       An action of the wrong length or with a NaN or infinite entry throws {@link IllegalArgumentException}
 *       ({@link EnvSpec#checkAction} does both checks) and leaves the environment unchanged.</li>
 *   <li>All randomness (initial states, noise) comes from {@link #seed}: after the same seed the same sequence
 *       of actions gives the same episodes. A real robot cannot promise this for its physics, only for its own
 *       random choices.</li>
 * </ul>
 */
public interface Environment extends AutoCloseable {

    /** Sizes, action bounds and time limit; the same object for the environment's whole life. */
    EnvSpec spec();

    /**
     * Seeds every random choice the environment makes. The episodes started by the following resets are then a
     * function of the seed and the actions alone. An episode in progress is ended: call {@link #reset} next.
     */
    void seed(long seed);

    /**
     * Starts a new episode (ending any episode in progress) and writes its first observation.
     *
     * @param observation receives {@code observationSize} floats
     * @throws IllegalArgumentException when {@code observation} has the wrong length
     */
    void reset(float[] observation);

    /**
     * Applies {@code action} for one control period and writes the outcome into {@code out}: the next observation,
     * the reward, and whether the episode terminated or was truncated.
     *
     * @param action {@code actionSize} finite floats in the environment's units (see {@link EnvSpec})
     * @param out    receives the outcome; every field is written
     * @throws IllegalStateException    before the first reset, or after the episode ended (reset first)
     * @throws IllegalArgumentException for an action of the wrong length or with a NaN or infinite entry, or an
     *                                  {@code out} whose observation has the wrong length
     */
    void step(float[] action, StepResult out);

    /** Releases what the environment holds (a simulator, a serial port). Nothing by default. */
    @Override
    default void close() {
    }
}

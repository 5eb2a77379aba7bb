package trot.runtime;

import trot.env.EnvSpec;
import trot.env.Environment;
import trot.env.StepResult;

/**
 * The one place where a world is stepped and its episodes are booked: the current observation, the agent's action
 * (in [-1, 1], scaled to the environment's units with {@link EnvSpec#scaleActions}), the outcome of the step, and the
 * episode's return {@code sum_t r_t} (accumulated in double), length, and how it ended. Training, evaluation and the
 * Q-bias diagnostic each drive one and keep only their own statistics.
 *
 * <p>A step is two calls so that a learner can store the transition {@code (s, a, r, s')} between them:
 * {@link #step()} applies {@link #action()} to the current {@link #observation()} and books the reward;
 * {@link #advance()} then makes {@code s'} the current observation. {@link #runEpisode} does both for a whole episode.
 * Nothing allocates after construction.
 */
public final class Rollout {

    /** Sees an episode as {@link #runEpisode} plays it; both calls default to nothing. */
    public interface Observer {
        /** After the reset: {@link Rollout#observation()} is the first observation. */
        default void reset(Rollout r) {
        }

        /** After a step, before the advance: observation = s, action = a, result = (r, s', flags). */
        default void step(Rollout r) {
        }
    }

    private static final Observer NONE = new Observer() { };

    private final Environment env;
    private final EnvSpec spec;
    private final float[] observation, action, envAction;
    private final StepResult result;
    private double episodeReturn;
    private long length;

    public Rollout(Environment env) {
        if (env == null) {
            throw new IllegalArgumentException("Rollout: the environment is null");
        }
        this.env = env;
        this.spec = env.spec();
        this.observation = new float[spec.observationSize()];
        this.action = new float[spec.actionSize()];
        this.envAction = new float[spec.actionSize()];
        this.result = new StepResult(spec);
    }

    public Environment env() {
        return env;
    }

    public EnvSpec spec() {
        return spec;
    }

    /** The current observation s (owned; written by {@link #reset} and {@link #advance}). */
    public float[] observation() {
        return observation;
    }

    /** The agent's action for the next step, in [-1, 1] (owned; the caller writes it before {@link #step}). */
    public float[] action() {
        return action;
    }

    /** The outcome of the last step: r, s', terminated, truncated. */
    public StepResult result() {
        return result;
    }

    /** The return of the episode so far, {@code sum_t r_t}. */
    public double episodeReturn() {
        return episodeReturn;
    }

    /** Steps taken in the episode so far. */
    public long length() {
        return length;
    }

    /** Starts an episode: resets the environment into {@link #observation()}, return and length to 0. */
    public void reset() {
        env.reset(observation);
        episodeReturn = 0;
        length = 0;
    }

    /** Forgets the episode's return and length (the environment keeps its state: a resumed episode restores them). */
    public void restoreEpisode(double episodeReturn, long length) {
        this.episodeReturn = episodeReturn;
        this.length = length;
    }

    /** Applies {@link #action()} for one control period and books the reward: {@code return += r}, {@code length++}. */
    public StepResult step() {
        spec.scaleActions(action, envAction);
        env.step(envAction, result);
        episodeReturn += result.reward;
        length++;
        return result;
    }

    /** Makes the last step's next observation the current one. */
    public void advance() {
        System.arraycopy(result.observation, 0, observation, 0, observation.length);
    }

    /** Whether the last step ended the episode (terminated or truncated). */
    public boolean done() {
        return result.terminated || result.truncated;
    }

    /** Plays one episode with {@code controller} from a reset to its end; the result is the last step's. */
    public StepResult runEpisode(Controller controller, Observer observer) {
        Observer o = observer == null ? NONE : observer;
        reset();
        o.reset(this);
        do {
            controller.act(observation, action);
            step();
            o.step(this);
            advance();
        } while (!done());
        return result;
    }
}

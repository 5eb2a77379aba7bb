package trot.runtime;

/** Maps an observation to an action in [-1, 1] (a policy, random exploration). Must not allocate. */
@FunctionalInterface
public interface Controller {
    void act(float[] observation, float[] action);
}

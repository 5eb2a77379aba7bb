package trot.replay;

import org.jblas.FloatMatrix;

/**
 * A mini-batch of transitions {@code (s, a, r, s', mask)}, one transition per row, in matrices allocated once.
 * {@code mask} is 0 where {@code s'} is terminal (the episode ended in a true termination, such as a fall)
 * and 1 otherwise, including where the episode was only cut by its time limit.
 */
public final class Batch {
    public final int size;
    public final int observationSize;
    public final int actionSize;
    /** size x observationSize. */
    public final FloatMatrix observations;
    /** size x actionSize, in the agent's units ([-1, 1]). */
    public final FloatMatrix actions;
    /** size x 1. */
    public final FloatMatrix rewards;
    /** size x observationSize. */
    public final FloatMatrix nextObservations;
    /** size x 1: 0 after a termination, 1 otherwise. */
    public final FloatMatrix masks;

    public Batch(int size, int observationSize, int actionSize) {
        if (size <= 0 || observationSize <= 0 || actionSize <= 0) {
            throw new IllegalArgumentException("Batch: size, observation size and action size must be positive, got "
                    + size + ", " + observationSize + ", " + actionSize);
        }
        this.size = size;
        this.observationSize = observationSize;
        this.actionSize = actionSize;
        this.observations = new FloatMatrix(size, observationSize);
        this.actions = new FloatMatrix(size, actionSize);
        this.rewards = new FloatMatrix(size, 1);
        this.nextObservations = new FloatMatrix(size, observationSize);
        this.masks = new FloatMatrix(size, 1);
    }
}

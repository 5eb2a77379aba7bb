package trot.replay;

/** Something a learner draws mini-batches from: the replay buffer, or a test's fixed batches. */
public interface BatchSource {
    /** Fills every row of {@code out}. Must not allocate. */
    void sample(Batch out);

    /**
     * Whether {@link #choose} and {@link #gather} split {@link #sample} in two: the random draw, which must run
     * in order on one thread, and the copy, which may run on any thread, several batches at once. False unless
     * overridden; then the learner calls {@link #sample}.
     */
    default boolean splitsSampling() {
        return false;
    }

    /**
     * Draws which rows the next batch holds, exactly as {@link #sample} would (same generator calls, same order),
     * into {@code rows[0..size)}. Must not allocate.
     */
    default void choose(int[] rows, int size) {
        throw new UnsupportedOperationException(getClass().getName() + " does not split sampling");
    }

    /**
     * Copies the rows {@link #choose} drew into {@code out}: {@code choose} then {@code gather} fill {@code out}
     * bitwise as {@link #sample} does. Reads only, so batches may be gathered in parallel while nothing is added.
     */
    default void gather(int[] rows, Batch out) {
        throw new UnsupportedOperationException(getClass().getName() + " does not split sampling");
    }
}

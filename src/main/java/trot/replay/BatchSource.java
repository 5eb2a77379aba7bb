package trot.replay;

/** Something a learner draws mini-batches from: the replay buffer, or a test's fixed batches. */
public interface BatchSource {
    /** Fills every row of {@code out}. Must not allocate. */
    void sample(Batch out);
}

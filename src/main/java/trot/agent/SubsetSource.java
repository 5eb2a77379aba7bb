package trot.agent;

/** Chooses the M in-target critics of each critic update (tests inject fixed subsets). */
public interface SubsetSource {
    /** Writes {@code m} distinct indices from {@code [0, n)} into {@code out[0 .. m)}. Must not allocate. */
    void choose(int n, int m, int[] out);
}

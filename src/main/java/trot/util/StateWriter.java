package trot.util;

/**
 * Where a component writes its complete state for a snapshot: named arrays, each name once. The component keeps
 * no reference to the arrays after the call returns, and the writer copies them (or writes them out) before
 * returning. Names are dotted paths such as {@code learner.critic0.online.fc0.weight}.
 */
public interface StateWriter {
    void floats(String name, float[] values);

    void longs(String name, long[] values);

    void doubles(String name, double[] values);
}

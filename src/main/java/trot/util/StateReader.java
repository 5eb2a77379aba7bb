package trot.util;

/**
 * Where a component reads its state back from a snapshot: each call copies the named array into the caller's
 * {@code into}, which must have exactly the stored length.
 *
 * <p>Implementations throw {@link IllegalArgumentException} naming the source (file), the entry and what is
 * wrong (missing, another type, another length), so a snapshot of another configuration is refused with a
 * message rather than loaded halfway.
 */
public interface StateReader {
    void floats(String name, float[] into);

    void longs(String name, long[] into);

    void doubles(String name, double[] into);
}

package trot.util;

/**
 * A small, fast, seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64).
 *
 * <p>Why not {@link java.util.Random} or {@link java.util.SplittableRandom}: trot needs a generator whose
 * sequence is fixed by this source file alone (so a seed means the same numbers on every JDK), that
 * allocates nothing, and that is cheap enough to draw millions of numbers per environment step. Not
 * thread-safe: give every thread (and every consumer whose sequence must not depend on another's)
 * its own instance, derived with {@link #split()}.
 */
public final class Rng {
    private long s0, s1, s2, s3;
    /** Second normal of the last polar pair, valid when {@link #haveSpare}. */
    private double spare;
    private boolean haveSpare;

    /** A generator whose whole sequence is determined by {@code seed}. */
    public Rng(long seed) {
        long x = seed;
        x += 0x9E3779B97F4A7C15L; s0 = mix(x);
        x += 0x9E3779B97F4A7C15L; s1 = mix(x);
        x += 0x9E3779B97F4A7C15L; s2 = mix(x);
        x += 0x9E3779B97F4A7C15L; s3 = mix(x);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Longs in a generator's state: {@link #saveState} writes and {@link #restoreState} reads this many. */
    public static final int STATE_LONGS = 6;

    /**
     * Writes the whole state into {@code out[offset .. offset + STATE_LONGS)}: the four xoshiro256** words, the
     * raw bits of the cached normal and 1 or 0 for whether it is valid. A generator restored from it continues
     * with exactly the numbers this one would have drawn. Allocation-free.
     */
    public void saveState(long[] out, int offset) {
        out[offset] = s0;
        out[offset + 1] = s1;
        out[offset + 2] = s2;
        out[offset + 3] = s3;
        out[offset + 4] = Double.doubleToRawLongBits(spare);
        out[offset + 5] = haveSpare ? 1 : 0;
    }

    /**
     * Replaces the whole state with one written by {@link #saveState}.
     *
     * @throws IllegalArgumentException for an all-zero xoshiro state (the generator would only ever return 0) or a
     *                                  spare flag other than 0 or 1; the generator is then unchanged
     */
    public void restoreState(long[] in, int offset) {
        if ((in[offset] | in[offset + 1] | in[offset + 2] | in[offset + 3]) == 0) {
            throw new IllegalArgumentException("Rng.restoreState: an all-zero state is not one a generator can have");
        }
        if (in[offset + 5] != 0 && in[offset + 5] != 1) {
            throw new IllegalArgumentException("Rng.restoreState: the spare flag must be 0 or 1, got " + in[offset + 5]);
        }
        s0 = in[offset];
        s1 = in[offset + 1];
        s2 = in[offset + 2];
        s3 = in[offset + 3];
        spare = Double.longBitsToDouble(in[offset + 4]);
        haveSpare = in[offset + 5] == 1;
    }

    /** A new, independent generator seeded from this one's next output (advances this one by one step). */
    public Rng split() {
        return new Rng(nextLong());
    }

    /** 64 uniformly distributed bits. */
    public long nextLong() {
        final long result = Long.rotateLeft(s1 * 5, 7) * 9;
        final long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, 1) with 24 random bits (every float value so drawn is exact). */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in (0, 1]: safe to take the logarithm of. */
    public double nextDoubleOpenZero() {
        return ((nextLong() >>> 11) + 1) * 0x1.0p-53;
    }

    /** Uniform integer in [0, bound), unbiased (Lemire's multiply-and-reject). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("Rng.nextInt: bound must be positive, got " + bound);
        }
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFFFFFFL;
        if (low < bound) {
            long threshold = (0x1_0000_0000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** Uniform in [lo, hi). */
    public float uniform(float lo, float hi) {
        return lo + (hi - lo) * nextFloat();
    }

    /** A standard normal sample (Marsaglia's polar method; pairs are cached, so draws alternate cost). */
    public double nextGaussian() {
        if (haveSpare) {
            haveSpare = false;
            return spare;
        }
        double u, v, s;
        do {
            u = 2.0 * nextDouble() - 1.0;
            v = 2.0 * nextDouble() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        double f = Math.sqrt(-2.0 * Math.log(s) / s);
        spare = v * f;
        haveSpare = true;
        return u * f;
    }

    /** Fills {@code out[offset .. offset+n)} with standard normal samples. */
    public void fillGaussian(float[] out, int offset, int n) {
        for (int i = offset, end = offset + n; i < end; i++) {
            out[i] = (float) nextGaussian();
        }
    }

    /** Fills {@code out[offset .. offset+n)} with uniform samples in [lo, hi). */
    public void fillUniform(float[] out, int offset, int n, float lo, float hi) {
        for (int i = offset, end = offset + n; i < end; i++) {
            out[i] = uniform(lo, hi);
        }
    }
}

package trot.runtime;

/**
 * A fixed-size histogram of non-negative durations in nanoseconds, for percentiles without allocation. Values below
 * 128 ns are exact; above, each power of two {@code [2^e, 2^(e+1))} is cut into 64 equal buckets, so a bucket is at
 * most 1/64 = 1.6% of its values wide; values of 2<sup>41</sup> ns (about 37 minutes) and more fall in the last
 * bucket. A percentile is reported as the upper bound of its bucket, never more than the largest value recorded.
 *
 * <p>Not thread-safe: one thread records and reads (the control thread).
 */
public final class DurationHistogram {
    private static final int EXACT = 128, SUB = 64, MAX_EXPONENT = 40;
    static final int BUCKETS = EXACT + (MAX_EXPONENT - 7 + 1) * SUB;
    private final long[] counts = new long[BUCKETS];
    private long count, max;

    /** Records one duration; a negative one counts as 0. Allocation-free. */
    public void record(long duration_ns) {
        long v = Math.max(0, duration_ns);
        counts[index(v)]++;
        count++;
        if (v > max) {
            max = v;
        }
    }

    /** The bucket of {@code v >= 0}: v below 128; else 128 + (e - 7) * 64 + (the 6 bits after v's leading one). */
    static int index(long v) {
        if (v < EXACT) {
            return (int) v;
        }
        int e = 63 - Long.numberOfLeadingZeros(v);
        if (e > MAX_EXPONENT) {
            return BUCKETS - 1;
        }
        long m = v >>> (e - 6); // 64 .. 127
        return EXACT + (e - 7) * SUB + (int) (m - SUB);
    }

    /** The largest value that falls in bucket {@code i}. */
    static long upperBound(int i) {
        if (i < EXACT) {
            return i;
        }
        int e = 7 + (i - EXACT) / SUB;
        long m = SUB + i % SUB;
        return ((m + 1) << (e - 6)) - 1;
    }

    /**
     * The smallest bucket bound at or below which at least a fraction {@code p} of the values lie (rank
     * {@code max(1, ceil(p * count))}), capped at the largest value recorded; 0 when nothing was recorded.
     *
     * @throws IllegalArgumentException for {@code p} outside [0, 1]
     */
    public long percentile_ns(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("a percentile is a fraction in [0, 1], got " + p);
        }
        if (count == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(p * count));
        int i = 0;
        for (long seen = counts[0]; seen < rank; seen += counts[i]) {
            i++;
        }
        return Math.min(upperBound(i), max);
    }

    public long count() {
        return count;
    }

    /** The largest value recorded, 0 when none. */
    public long max_ns() {
        return max;
    }

    /**
     * How many recorded values are at most {@code bound_ns}, counted by whole buckets: exact below 128 ns, else every
     * value of a bucket whose upper bound is at most {@code bound_ns} (so never more than the true count, and short of
     * it by at most the bucket that holds {@code bound_ns}, 1.6% wide).
     */
    public long countAtMost(long bound_ns) {
        if (bound_ns < 0) {
            return 0;
        }
        long n = 0;
        for (int i = 0; i < BUCKETS && upperBound(i) <= bound_ns; i++) {
            n += counts[i];
        }
        return n;
    }

    /** Makes this histogram a copy of {@code other}. Allocation-free. */
    public void copyFrom(DurationHistogram other) {
        System.arraycopy(other.counts, 0, counts, 0, BUCKETS);
        count = other.count;
        max = other.max;
    }

    /** Forgets every value. Allocation-free. */
    public void clear() {
        java.util.Arrays.fill(counts, 0);
        count = 0;
        max = 0;
    }
}

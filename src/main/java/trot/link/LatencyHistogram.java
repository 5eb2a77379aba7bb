package trot.link;

/**
 * A fixed-size histogram of non-negative durations in microseconds, for percentiles without allocation: exact below
 * 128 us, then 64 buckets per power of two (a bucket is at most 1/64 = 1.6% of its value wide), up to 2<sup>40</sup>
 * us; larger values count in the last bucket. Not thread-safe: the link guards it.
 */
public final class LatencyHistogram {
    private static final int EXACT = 128, SUB = 64, MAX_EXPONENT = 40;
    private static final int BUCKETS = EXACT + (MAX_EXPONENT - 7 + 1) * SUB;
    private final long[] counts = new long[BUCKETS];
    private long count, max, sum;

    /** Records one value; a negative value counts as 0. */
    public void record(long value_us) {
        long v = Math.max(0, value_us);
        counts[index(v)]++;
        count++;
        sum += v;
        max = Math.max(max, v);
    }

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
        long m = SUB + i % SUB; // EXACT is a multiple of SUB
        return ((m + 1) << (e - 6)) - 1;
    }

    /**
     * The value at or below which a fraction {@code p} of the recorded values lie (the bucket's upper bound, never more
     * than the largest value recorded); 0 when nothing was recorded.
     */
    public long percentile(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("a percentile is a fraction in [0, 1], got " + p);
        }
        if (count == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(p * count));
        int i = 0;
        for (long seen = counts[0]; seen < rank; seen += counts[i]) {
            i++; // stops at the last non-empty bucket at the latest, since rank <= count
        }
        return Math.min(upperBound(i), max);
    }

    public long count() {
        return count;
    }

    /** The largest value recorded (0 when none). */
    public long max() {
        return max;
    }

    /** The mean (0 when nothing was recorded). */
    public double mean() {
        return count == 0 ? 0 : (double) sum / count;
    }

    public void clear() {
        java.util.Arrays.fill(counts, 0);
        count = 0;
        max = 0;
        sum = 0;
    }

    /** Copies {@code other} into this histogram. */
    public void copyFrom(LatencyHistogram other) {
        System.arraycopy(other.counts, 0, counts, 0, BUCKETS);
        count = other.count;
        max = other.max;
        sum = other.sum;
    }
}

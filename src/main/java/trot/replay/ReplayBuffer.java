package trot.replay;

import trot.util.Rng;

/**
 * A fixed-capacity ring of transitions {@code (s, a, r, s', terminated)}, allocated once, sampled uniformly
 * (with replacement) by a seeded generator. When full, the oldest transition is overwritten.
 *
 * <p>A transition with a NaN or infinite number anywhere is rejected: {@link #add} counts it, stores nothing
 * and throws an {@link IllegalArgumentException} that says which value was bad. One poisoned transition would
 * otherwise be sampled again and again and turn every network it touches into NaN.
 *
 * <p>The time-limit trap: pass {@code terminated = true} only for a true end of the task (a fall). An episode
 * cut by its time limit is not terminal; its last transition must still bootstrap from {@code s'}.
 */
public final class ReplayBuffer implements BatchSource {
    private final int capacity;
    private final int observationSize;
    private final int actionSize;
    private final float[] observations;
    private final float[] actions;
    private final float[] rewards;
    private final float[] nextObservations;
    private final float[] masks;
    private final Rng rng;
    private int next;
    private int size;
    private long added;
    private long rejected;

    /**
     * @param seed seeds the sampling; the same seed and the same additions give the same batches
     */
    public ReplayBuffer(int capacity, int observationSize, int actionSize, long seed) {
        if (capacity <= 0 || observationSize <= 0 || actionSize <= 0) {
            throw new IllegalArgumentException("ReplayBuffer: capacity, observation size and action size must be positive, got "
                    + capacity + ", " + observationSize + ", " + actionSize);
        }
        int widest = Math.max(observationSize, actionSize);
        if ((long) capacity * widest > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("ReplayBuffer: capacity " + capacity + " is too large for vectors of "
                    + widest + " numbers; at most " + Integer.MAX_VALUE / widest + " transitions");
        }
        this.capacity = capacity;
        this.observationSize = observationSize;
        this.actionSize = actionSize;
        this.observations = new float[capacity * observationSize];
        this.actions = new float[capacity * actionSize];
        this.rewards = new float[capacity];
        this.nextObservations = new float[capacity * observationSize];
        this.masks = new float[capacity];
        this.rng = new Rng(seed);
    }

    /**
     * Stores one transition (copied), or rejects it.
     *
     * @param terminated true only when {@code nextObservation} ends the task (no bootstrapping from it)
     * @throws IllegalArgumentException when an array has the wrong length or any value is NaN or infinite;
     *                                  the buffer is then unchanged and {@link #rejected()} counts it
     */
    public void add(float[] observation, float[] action, float reward, float[] nextObservation, boolean terminated) {
        checkLength("observation", observation, observationSize);
        checkLength("action", action, actionSize);
        checkLength("next observation", nextObservation, observationSize);
        String bad = firstNonFinite("observation", observation);
        if (bad == null) {
            bad = firstNonFinite("action", action);
        }
        if (bad == null && !Float.isFinite(reward)) {
            bad = "reward is " + reward;
        }
        if (bad == null) {
            bad = firstNonFinite("next observation", nextObservation);
        }
        if (bad != null) {
            rejected++;
            throw new IllegalArgumentException("replay buffer: transition rejected, " + bad + " (" + rejected
                    + " rejected so far, " + size + " stored, none lost); check the environment or the sensor that produced it");
        }
        System.arraycopy(observation, 0, observations, next * observationSize, observationSize);
        System.arraycopy(action, 0, actions, next * actionSize, actionSize);
        rewards[next] = reward;
        System.arraycopy(nextObservation, 0, nextObservations, next * observationSize, observationSize);
        masks[next] = terminated ? 0f : 1f;
        next = next + 1 == capacity ? 0 : next + 1;
        if (size < capacity) {
            size++;
        }
        added++;
    }

    /**
     * Fills {@code out} with transitions drawn uniformly with replacement from those stored.
     *
     * @throws IllegalStateException when the buffer is empty
     */
    @Override
    public void sample(Batch out) {
        checkBatch(out);
        final int n = out.size;
        for (int b = 0; b < n; b++) {
            copyRow(rng.nextInt(size), b, out);
        }
    }

    @Override
    public boolean splitsSampling() {
        return true;
    }

    /** The {@code size} rows {@link #sample} would draw next, from the same generator in the same order. */
    @Override
    public void choose(int[] rows, int size) {
        if (this.size == 0) {
            throw new IllegalStateException("replay buffer: cannot sample, it is empty");
        }
        if (size > rows.length) {
            throw new IllegalArgumentException("replay buffer: " + size + " rows do not fit an array of " + rows.length);
        }
        for (int b = 0; b < size; b++) {
            rows[b] = rng.nextInt(this.size);
        }
    }

    /** Copies the rows {@link #choose} drew into {@code out} (read-only: batches may be gathered in parallel). */
    @Override
    public void gather(int[] rows, Batch out) {
        checkBatch(out);
        final int n = out.size;
        if (rows.length < n) {
            throw new IllegalArgumentException("replay buffer: " + rows.length + " rows for a batch of " + n);
        }
        for (int b = 0; b < n; b++) {
            final int t = rows[b];
            if (t < 0 || t >= size) {
                throw new IllegalArgumentException("replay buffer: row " + t + " is not among the " + size + " held");
            }
        }
        int b = 0;
        for (; b + GATHER_BLOCK <= n; b += GATHER_BLOCK) {
            copyBlock(rows, b, out);
        }
        for (; b < n; b++) {
            copyRow(rows[b], b, out);
        }
    }

    /** Rows copied together by {@link #gather}: one 32-byte run per feature in the batch, not one float. */
    private static final int GATHER_BLOCK = 8;

    /**
     * Transitions rows[b0 .. b0+8) into batch rows b0 .. b0+8: a small transpose, so that each feature's eight
     * values land in one run of the column-major batch (a cache line touched once, not eight times), and the eight
     * source rows, scattered over the buffer, are read side by side (their cache misses overlap).
     */
    private void copyBlock(int[] rows, int b0, Batch out) {
        final int n = out.size, no = observationSize, na = actionSize;
        final float[] o = out.observations.data, a = out.actions.data, o2 = out.nextObservations.data;
        final int t0 = rows[b0], t1 = rows[b0 + 1], t2 = rows[b0 + 2], t3 = rows[b0 + 3], t4 = rows[b0 + 4],
                t5 = rows[b0 + 5], t6 = rows[b0 + 6], t7 = rows[b0 + 7];
        blockFeatures(observations, no, t0, t1, t2, t3, t4, t5, t6, t7, o, n, b0);
        blockFeatures(nextObservations, no, t0, t1, t2, t3, t4, t5, t6, t7, o2, n, b0);
        blockFeatures(actions, na, t0, t1, t2, t3, t4, t5, t6, t7, a, n, b0);
        for (int r = 0; r < GATHER_BLOCK; r++) {
            out.rewards.data[b0 + r] = rewards[rows[b0 + r]];
            out.masks.data[b0 + r] = masks[rows[b0 + r]];
        }
    }

    private static void blockFeatures(float[] src, int width, int t0, int t1, int t2, int t3, int t4, int t5,
                                      int t6, int t7, float[] dst, int n, int b0) {
        final int s0 = t0 * width, s1 = t1 * width, s2 = t2 * width, s3 = t3 * width, s4 = t4 * width,
                s5 = t5 * width, s6 = t6 * width, s7 = t7 * width;
        for (int f = 0; f < width; f++) {
            final int d = f * n + b0;
            dst[d] = src[s0 + f];
            dst[d + 1] = src[s1 + f];
            dst[d + 2] = src[s2 + f];
            dst[d + 3] = src[s3 + f];
            dst[d + 4] = src[s4 + f];
            dst[d + 5] = src[s5 + f];
            dst[d + 6] = src[s6 + f];
            dst[d + 7] = src[s7 + f];
        }
    }

    private void checkBatch(Batch out) {
        if (out.observationSize != observationSize || out.actionSize != actionSize) {
            throw new IllegalArgumentException("replay buffer: batch is for observations of " + out.observationSize
                    + " and actions of " + out.actionSize + ", the buffer holds " + observationSize + " and " + actionSize);
        }
        if (size == 0) {
            throw new IllegalStateException("replay buffer: cannot sample, it is empty");
        }
    }

    /** Transition {@code t} into row {@code b} of the column-major batch. */
    private void copyRow(int t, int b, Batch out) {
        final int n = out.size, no = observationSize, na = actionSize;
        final float[] o = out.observations.data, a = out.actions.data, o2 = out.nextObservations.data;
        for (int f = 0; f < no; f++) {
            o[f * n + b] = observations[t * no + f];
            o2[f * n + b] = nextObservations[t * no + f];
        }
        for (int f = 0; f < na; f++) {
            a[f * n + b] = actions[t * na + f];
        }
        out.rewards.data[b] = rewards[t];
        out.masks.data[b] = masks[t];
    }

    /**
     * Writes the sampler's generator ({@code replay.rng}) and the counters {@code replay.counters} = [added, size,
     * next slot, rejected]. The transitions themselves are not written: they are in the replay log
     * ({@link ReplayLog}), which rebuilds them by {@link #add} in the same order.
     */
    public void saveState(trot.util.StateWriter out) {
        rng.saveState(state, 0);
        out.longs("replay.rng", state);
        counters[0] = added;
        counters[1] = size;
        counters[2] = next;
        counters[3] = rejected;
        out.longs("replay.counters", counters);
    }

    /**
     * Restores the generator and the rejected count written by {@link #saveState}, into a buffer refilled with the
     * same transitions (so its added, size and next slot must already be those saved).
     *
     * @throws IllegalArgumentException when the buffer does not hold what the snapshot's buffer held
     */
    public void restoreState(trot.util.StateReader in) {
        in.longs("replay.counters", counters);
        if (counters[0] != added || counters[1] != size || counters[2] != next) {
            throw new IllegalArgumentException("replay.counters: the snapshot's buffer had added " + counters[0]
                    + ", size " + counters[1] + ", next slot " + counters[2] + " but the one rebuilt from the log has "
                    + added + ", " + size + ", " + next + " (the log does not match the snapshot)");
        }
        in.longs("replay.rng", state);
        rng.restoreState(state, 0);
        rejected = counters[3];
    }

    /**
     * Like {@link #restoreState}, for a buffer rebuilt from a log whose tail after the snapshot was kept (a robot's
     * transitions, which are not collected again): it may hold more than the snapshot's buffer, never less.
     *
     * @throws IllegalArgumentException when the buffer holds fewer transitions than the snapshot's
     */
    public void restoreStateKeepingTail(trot.util.StateReader in) {
        in.longs("replay.counters", counters);
        if (added < counters[0]) {
            throw new IllegalArgumentException("replay.counters: the snapshot's buffer had added " + counters[0]
                    + " but the one rebuilt from the log has " + added + " (the log does not match the snapshot)");
        }
        in.longs("replay.rng", state);
        rng.restoreState(state, 0);
        rejected = counters[3];
    }

    private final long[] state = new long[Rng.STATE_LONGS];
    private final long[] counters = new long[4];

    public int size() {
        return size;
    }

    public int capacity() {
        return capacity;
    }

    /** Transitions stored since construction (including those since overwritten). */
    public long added() {
        return added;
    }

    /** Transitions rejected for a NaN or infinite value. */
    public long rejected() {
        return rejected;
    }

    public int observationSize() {
        return observationSize;
    }

    public int actionSize() {
        return actionSize;
    }

    private static void checkLength(String what, float[] v, int expected) {
        if (v == null || v.length != expected) {
            throw new IllegalArgumentException("replay buffer: " + what + " has "
                    + (v == null ? "no array" : v.length + " numbers") + ", expected " + expected);
        }
    }

    private static String firstNonFinite(String what, float[] v) {
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                return what + "[" + i + "] is " + v[i];
            }
        }
        return null;
    }
}

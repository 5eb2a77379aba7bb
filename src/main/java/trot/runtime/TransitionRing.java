package trot.runtime;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A preallocated single-producer, single-consumer ring of transitions {@code (step, s, a, r, s', terminated)}: the
 * control thread offers, the learner thread polls, neither ever waits or allocates. Indices are free-running
 * counters published with release/acquire ({@code head} by the producer after it wrote a slot, {@code tail} by the
 * consumer after it read one), so each side reads a slot only when the other is done with it.
 *
 * <p>A full ring refuses the transition and counts it ({@link #dropped}): the control thread keeps its period. At
 * 20 Hz a ring of 4096 holds 204 s of experience, far longer than any learner update.
 */
public final class TransitionRing {
    private final int capacity, mask, no, na;
    private final long[] steps;
    private final float[] observations, actions, rewards, nexts;
    private final boolean[] terminated;
    private final AtomicLong head = new AtomicLong(), tail = new AtomicLong();
    private volatile long dropped;

    /** What {@link #poll} hands out: one transition, in arrays the consumer allocates once. */
    public static final class Transition {
        public long step;
        public final float[] observation, action, next;
        public float reward;
        public boolean terminated;

        public Transition(int observationSize, int actionSize) {
            observation = new float[observationSize];
            action = new float[actionSize];
            next = new float[observationSize];
        }
    }

    /**
     * @param capacity transitions held at once, a power of two
     * @throws IllegalArgumentException for a capacity that is not a positive power of two, or non-positive sizes
     */
    public TransitionRing(int capacity, int observationSize, int actionSize) {
        if (capacity <= 0 || Integer.bitCount(capacity) != 1 || capacity > 1 << 24) {
            throw new IllegalArgumentException("TransitionRing: the capacity must be a power of two up to 2^24, got " + capacity);
        }
        if (observationSize <= 0 || actionSize <= 0) {
            throw new IllegalArgumentException("TransitionRing: sizes must be positive, got observations "
                    + observationSize + ", actions " + actionSize);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.no = observationSize;
        this.na = actionSize;
        this.steps = new long[capacity];
        this.observations = new float[capacity * observationSize];
        this.nexts = new float[capacity * observationSize];
        this.actions = new float[capacity * actionSize];
        this.rewards = new float[capacity];
        this.terminated = new boolean[capacity];
    }

    /** Producer only. Copies the transition into the ring; false (and counted) when the ring is full. */
    public boolean offer(long step, float[] observation, float[] action, float reward, float[] next, boolean term) {
        long h = head.getPlain();
        if (h - tail.getAcquire() >= capacity) {
            dropped++; // one writer: the producer
            return false;
        }
        int i = (int) (h & mask);
        steps[i] = step;
        System.arraycopy(observation, 0, observations, i * no, no);
        System.arraycopy(action, 0, actions, i * na, na);
        System.arraycopy(next, 0, nexts, i * no, no);
        rewards[i] = reward;
        terminated[i] = term;
        head.setRelease(h + 1);
        return true;
    }

    /** Consumer only. Moves the oldest transition into {@code out}; false when the ring is empty. */
    public boolean poll(Transition out) {
        long t = tail.getPlain();
        if (t >= head.getAcquire()) {
            return false;
        }
        int i = (int) (t & mask);
        out.step = steps[i];
        System.arraycopy(observations, i * no, out.observation, 0, no);
        System.arraycopy(actions, i * na, out.action, 0, na);
        System.arraycopy(nexts, i * no, out.next, 0, no);
        out.reward = rewards[i];
        out.terminated = terminated[i];
        tail.setRelease(t + 1);
        return true;
    }

    /** Transitions offered and not yet polled (exact from either side's own view, approximate from a third thread). */
    public long size() {
        return head.get() - tail.get();
    }

    public int capacity() {
        return capacity;
    }

    /** Transitions refused because the ring was full. */
    public long dropped() {
        return dropped;
    }
}

package trot.runtime;

import trot.nn.Param;

import java.util.List;
import java.util.concurrent.locks.StampedLock;

/**
 * Hands the learner's newest policy parameters to the control thread without a lock the control thread could block
 * on, and without allocation: a sequence lock ({@link StampedLock}'s write lock for the one writer, optimistic reads
 * for the reader). The writer copies every parameter into one flat array and bumps the version; the reader copies
 * the flat array into a staging array of its own and keeps the copy only if no write overlapped it
 * ({@link StampedLock#validate}), so it never sees a torn mix of two versions. A reader that loses the race keeps
 * the policy it has and tries again next period: it never waits.
 */
public final class PolicyMailbox {
    private final StampedLock lock = new StampedLock();
    private final float[] values;
    private long version;

    /** A mailbox for parameters shaped as {@code shape} (sizes only are used). */
    public PolicyMailbox(List<Param> shape) {
        this.values = new float[Param.count(shape)];
    }

    /** Floats in the mailbox. */
    public int size() {
        return values.length;
    }

    /**
     * Writer only: copies {@code params} in as {@code version} (which must increase). May wait only for... nothing:
     * the one writer never contends with optimistic readers.
     */
    public void publish(List<Param> params, long version) {
        long stamp = lock.writeLock();
        try {
            int k = 0;
            for (int i = 0, n = params.size(); i < n; i++) {
                Param p = params.get(i);
                System.arraycopy(p.value.data, 0, values, k, p.size());
                k += p.size();
            }
            if (k != values.length) {
                throw new IllegalArgumentException("PolicyMailbox.publish: " + k + " floats, the mailbox holds " + values.length);
            }
            this.version = version;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * Reader: when a version newer than {@code have} is published, copies it into {@code staging} and returns its
     * version; returns {@code have} when nothing newer is there, and -1 when a write overlapped (staging is then
     * garbage: try again later). Never blocks, never allocates.
     */
    public long tryRead(float[] staging, long have) {
        long stamp = lock.tryOptimisticRead();
        if (stamp == 0) {
            return -1;
        }
        long v = version;
        if (v <= have) {
            return lock.validate(stamp) ? have : -1;
        }
        System.arraycopy(values, 0, staging, 0, values.length);
        return lock.validate(stamp) ? v : -1;
    }

    /** Copies a flat array read by {@link #tryRead} into {@code params} (the reader's own policy). */
    public static void unflatten(float[] flat, List<Param> params) {
        int k = 0;
        for (int i = 0, n = params.size(); i < n; i++) {
            Param p = params.get(i);
            System.arraycopy(flat, k, p.value.data, 0, p.size());
            k += p.size();
        }
    }
}

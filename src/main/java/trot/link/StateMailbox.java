package trot.link;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands the newest State from the link's reader thread to the control thread without either waiting for the other:
 * a triple buffer. The writer fills its back slot and swaps it with the middle one; the reader swaps the middle
 * slot with its front slot when the middle one is newer, then copies its front slot. Neither side ever touches a
 * slot the other owns, so a copy is never torn, and neither allocates.
 */
final class StateMailbox {
    private static final int FRESH = 4;
    private final State[] slots = {new State(), new State(), new State()};
    private final long[] arrival_us = new long[3];
    private final long[] serial = new long[3];
    private final AtomicInteger middle = new AtomicInteger(2);
    private int back = 0;   // writer's
    private int front = 1;  // reader's
    private long published; // writer's

    /** Writer: publishes a copy of {@code s}, received at {@code now_us}. */
    void publish(State s, long now_us) {
        slots[back].copyFrom(s);
        arrival_us[back] = now_us;
        serial[back] = ++published;
        back = middle.getAndSet(back | FRESH) & 3;
    }

    /**
     * Reader (one thread at a time): copies the newest State into {@code out}.
     *
     * @return its serial number (1 for the first State published, +1 for each), 0 when none was published yet (then
     *         {@code out} is unchanged)
     */
    synchronized long read(State out) {
        if ((middle.get() & FRESH) != 0) {
            front = middle.getAndSet(front) & 3;
        }
        long n = serial[front];
        if (n != 0) {
            out.copyFrom(slots[front]);
        }
        return n;
    }

    /** Reader: the arrival time of the State the last {@link #read} copied. */
    synchronized long arrivalOfLastRead_us() {
        return arrival_us[front];
    }
}

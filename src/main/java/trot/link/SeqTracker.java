package trot.link;

/**
 * Counts what a gap in the peer's sequence numbers says (protocol.md section 4): packets lost, duplicated, or
 * arriving out of order. Keeps a window of the last 64 sequence numbers: a packet that arrives after a newer one,
 * within the window, fills the gap it left (lost goes down again). A jump of more than {@link #RESTART_GAP} either
 * way is taken as the peer restarting its counter, not as loss.
 */
final class SeqTracker {
    static final int WINDOW = 64;
    static final long RESTART_GAP = 100_000;

    private boolean started;
    private long first, highest, window;
    long lost, duplicated, reordered, restarts;

    void reset() {
        started = false;
    }

    void accept(long seq) {
        if (!started) {
            restart(seq);
            return;
        }
        int d = (int) (seq - highest);
        if (d > RESTART_GAP || d < -RESTART_GAP) {
            restarts++;
            restart(seq);
        } else if (d > 0) {
            lost += d - 1;
            window = d >= WINDOW ? 1 : window << d | 1;
            highest = seq;
        } else if (d == 0) {
            duplicated++;
        } else if ((int) (seq - first) < 0 || -d >= WINDOW) {
            reordered++; // older than anything this tracker can tell about
        } else if ((window & 1L << -d) != 0) {
            duplicated++;
        } else {
            window |= 1L << -d;
            lost--;
            reordered++;
        }
    }

    private void restart(long seq) {
        started = true;
        first = seq;
        highest = seq;
        window = 1;
    }
}

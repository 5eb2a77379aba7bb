package trot.env;

/**
 * The clock of a world that runs in real time (a robot): the control period and its deadline. A real-time
 * environment holds one and calls it from {@link Environment#step} and {@link Environment#reset}: it sends the
 * period's command, tells the pacer ({@link #commandSent}), then waits for the start of the next period
 * ({@link #awaitNextPeriod}) and observes the newest state. A simulation has no pacer: it is stepped as fast as
 * the caller goes. The implementation (with its jitter and latency statistics) lives in {@code trot.runtime};
 * this interface is here so that environments need not know the runtime.
 *
 * <p>Neither method allocates. Both are called from the control thread only.
 */
public interface Pacer {

    /** The nominal control period, seconds. */
    double period_s();

    /**
     * Blocks until the start of the next control period and returns that moment as {@link System#nanoTime()}
     * read at wake-up. A caller that arrives after the period it waited for already began (an overrun) returns at
     * once; the pacer counts it and keeps its schedule (it does not try to catch up with missed periods).
     * An interrupt ends the wait early and leaves the thread's interrupt flag set.
     */
    long awaitNextPeriod();

    /** This period's command was just sent: the time since the period began is its command latency. */
    void commandSent();
}

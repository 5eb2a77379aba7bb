package trot.runtime;

import trot.env.Pacer;

import java.util.concurrent.locks.LockSupport;

/**
 * A {@link Pacer} on an absolute-deadline schedule read from {@link System#nanoTime}: period k starts at
 * {@code t0 + k * period}, whatever the caller did in between, so errors do not accumulate. A wait parks the thread
 * until {@code spin} before the deadline ({@link LockSupport#parkNanos}, which may wake late by the OS's timer slack),
 * then spins ({@link Thread#onSpinWait}) for the rest, which a park cannot time to the microsecond.
 *
 * <h2>Overruns</h2>
 * A caller that arrives at {@link #awaitNextPeriod} after the period it waits for began returns at once.
 * Up to {@code tolerance} late it is jitter and the grid is kept; more than {@code tolerance} late it is an
 * <b>overrun</b>: counted, and the schedule re-anchored at the arrival ({@code start = now}, next deadline
 * {@code now + period}), so a late period is followed by full periods and never by a burst of catch-up ones.
 *
 * <h2>Statistics (allocation-free)</h2>
 * Two {@link DurationHistogram}s per interval: <i>jitter</i> = wake-up time - scheduled start of the period (for an
 * overrun, its lateness), and <i>command latency</i> = time of the period's first {@link #commandSent} - period
 * start. {@link #drainStats} copies p50, p99, max and the overrun count of the interval since the last drain and
 * starts a new interval; {@link #totalStats} covers the pacer's whole life. The first wait after construction or
 * {@link #restart} starts the schedule: it returns at once and records nothing (a reset, a get-up or an evaluation
 * between episodes is not a late period).
 *
 * <p>Not thread-safe: every method is for the control thread (the one that steps the environment), and
 * none allocates.
 */
public final class PeriodicPacer implements Pacer {
    /** The default overrun tolerance, 1 ms (or a tenth of the period when that is shorter). */
    public static final double DEFAULT_TOLERANCE_S = 1e-3;
    /** The default spin before a deadline, 200 us. */
    public static final double DEFAULT_SPIN_S = 200e-6;

    /** Time and sleep, replaceable in tests. */
    interface Clock {
        long nanoTime();

        void parkNanos(long ns);

        default void spin() {
            Thread.onSpinWait();
        }
    }

    private static final Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void parkNanos(long ns) {
            LockSupport.parkNanos(ns);
        }
    };

    private final double period_s;
    private final long period_ns, tolerance_ns, spin_ns;
    private final Clock clock;
    private final DurationHistogram jitter = new DurationHistogram(), latency = new DurationHistogram();
    private final DurationHistogram totalJitter = new DurationHistogram(), totalLatency = new DurationHistogram();
    private boolean running, commandInPeriod = true;
    private long deadline_ns, periodStart_ns, overruns, totalOverruns;

    /** A pacer of {@code period_s} with the default tolerance and spin. */
    public PeriodicPacer(double period_s) {
        this(period_s, Math.min(DEFAULT_TOLERANCE_S, period_s / 10), DEFAULT_SPIN_S);
    }

    /**
     * @param period_s    the control period, seconds (for example 0.05 at 20 Hz)
     * @param tolerance_s how late a period may begin before it counts as an overrun, seconds, in [0, period)
     * @param spin_s      how long before a deadline to stop parking and spin, seconds, in [0, period)
     * @throws IllegalArgumentException for a period that is not a positive finite number of at least a microsecond,
     *                                  or a tolerance or spin outside [0, period)
     */
    public PeriodicPacer(double period_s, double tolerance_s, double spin_s) {
        this(period_s, tolerance_s, spin_s, SYSTEM);
    }

    PeriodicPacer(double period_s, double tolerance_s, double spin_s, Clock clock) {
        if (!(Double.isFinite(period_s) && period_s >= 1e-6)) {
            throw new IllegalArgumentException("PeriodicPacer: the period must be a finite number of seconds of at least"
                    + " 1e-6, got " + period_s);
        }
        if (!(tolerance_s >= 0 && tolerance_s < period_s)) {
            throw new IllegalArgumentException("PeriodicPacer: the overrun tolerance must be in [0, period = " + period_s
                    + " s), got " + tolerance_s);
        }
        if (!(spin_s >= 0 && spin_s < period_s)) {
            throw new IllegalArgumentException("PeriodicPacer: the spin before a deadline must be in [0, period = "
                    + period_s + " s), got " + spin_s);
        }
        this.period_s = period_s;
        this.period_ns = Math.round(period_s * 1e9);
        this.tolerance_ns = Math.round(tolerance_s * 1e9);
        this.spin_ns = Math.round(spin_s * 1e9);
        this.clock = clock;
    }

    @Override
    public double period_s() {
        return period_s;
    }

    /**
     * Waits for the next period's scheduled start (see the class comment for overruns) and returns the wake-up time.
     * An interrupt ends the wait at once: the time is returned, nothing is recorded, the schedule is kept, and the
     * thread's interrupt flag stays set.
     */
    @Override
    public long awaitNextPeriod() {
        long now = clock.nanoTime();
        if (!running) {
            running = true;
            periodStart_ns = now;
            deadline_ns = now + period_ns;
            commandInPeriod = false;
            return now;
        }
        final long scheduled = deadline_ns;
        if (now - scheduled > tolerance_ns) {
            overruns++;
            totalOverruns++;
            record(jitter, totalJitter, now - scheduled);
            periodStart_ns = now;
        } else {
            for (long left = scheduled - now; left > 0; left = scheduled - now) {
                if (Thread.currentThread().isInterrupted()) {
                    return now;
                }
                if (left > spin_ns) {
                    clock.parkNanos(left - spin_ns);
                } else {
                    clock.spin();
                }
                now = clock.nanoTime();
            }
            record(jitter, totalJitter, now - scheduled);
            periodStart_ns = scheduled;
        }
        deadline_ns = periodStart_ns + period_ns;
        commandInPeriod = false;
        return now;
    }

    /** Records the command latency of this period (its first command only); nothing before the schedule started. */
    @Override
    public void commandSent() {
        if (running && !commandInPeriod) {
            commandInPeriod = true;
            record(latency, totalLatency, clock.nanoTime() - periodStart_ns);
        }
    }

    private static void record(DurationHistogram interval, DurationHistogram total, long ns) {
        interval.record(ns);
        total.record(ns);
    }

    /**
     * Stops the schedule: the next {@link #awaitNextPeriod} starts a new one at once, without counting the gap
     * (call before a reset or anything else that is not a control period). The statistics are kept.
     */
    public void restart() {
        running = false;
    }

    /** The start of the current period ({@link System#nanoTime} units); meaningful once the schedule started. */
    public long periodStart_ns() {
        return periodStart_ns;
    }

    /** Overruns over the pacer's life. */
    public long overruns() {
        return totalOverruns;
    }

    /** Copies the statistics of the interval since the last drain into {@code out} and starts a new interval. */
    public void drainStats(PacerStats out) {
        out.set(jitter, latency, overruns);
        jitter.clear();
        latency.clear();
        overruns = 0;
    }

    /** Copies the statistics of the pacer's whole life into {@code out}. */
    public void totalStats(PacerStats out) {
        out.set(totalJitter, totalLatency, totalOverruns);
    }

    /** Copies the whole-life histograms of period-start jitter and command latency (call from the control thread, or after it ended). */
    public void totalHistograms(DurationHistogram jitterOut, DurationHistogram latencyOut) {
        jitterOut.copyFrom(totalJitter);
        latencyOut.copyFrom(totalLatency);
    }

    @Override
    public String toString() {
        return "PeriodicPacer(" + period_s + " s, tolerance " + tolerance_ns * 1e-9 + " s, spin " + spin_ns * 1e-9 + " s)";
    }
}

package trot.runtime;

/**
 * What a {@link PeriodicPacer} measured over an interval (an episode, a run), copied out by
 * {@link PeriodicPacer#drainStats} into a holder the caller allocates once. Times in milliseconds.
 *
 * <ul>
 *   <li><b>jitter</b>: for every period, wake-up time minus the period's scheduled start
 *       ({@code System.nanoTime} at return from {@code awaitNextPeriod} minus the deadline it waited for).</li>
 *   <li><b>latency</b>: for every period with a command, {@code commandSent} time minus the period's start (the
 *       scheduled start, or the arrival time of an overrun, which re-anchors the schedule).</li>
 *   <li><b>overruns</b>: periods whose caller arrived more than the tolerance after the period began.</li>
 * </ul>
 */
public final class PacerStats {
    public long periods, commands, overruns;
    public double jitterP50_ms, jitterP99_ms, jitterMax_ms;
    public double latencyP50_ms, latencyP99_ms, latencyMax_ms;

    void set(DurationHistogram jitter, DurationHistogram latency, long overruns) {
        this.periods = jitter.count();
        this.commands = latency.count();
        this.overruns = overruns;
        jitterP50_ms = jitter.percentile_ns(0.5) * 1e-6;
        jitterP99_ms = jitter.percentile_ns(0.99) * 1e-6;
        jitterMax_ms = jitter.max_ns() * 1e-6;
        latencyP50_ms = latency.percentile_ns(0.5) * 1e-6;
        latencyP99_ms = latency.percentile_ns(0.99) * 1e-6;
        latencyMax_ms = latency.max_ns() * 1e-6;
    }

    @Override
    public String toString() {
        return String.format("%d periods, %d overruns; jitter p50 %.3f ms, p99 %.3f ms, max %.3f ms; "
                        + "command latency p50 %.3f ms, p99 %.3f ms, max %.3f ms", periods, overruns,
                jitterP50_ms, jitterP99_ms, jitterMax_ms, latencyP50_ms, latencyP99_ms, latencyMax_ms);
    }
}

package trot.link;

/**
 * The host's monotonic microsecond clock (System.nanoTime), the one Command.host_time_us carries and State echoes.
 * It starts at 1 s when this class loads, so a host time is never 0 (0 means "no command yet" in State).
 */
public final class HostClock {
    private static final long ORIGIN_NS = System.nanoTime() - 1_000_000_000L;

    private HostClock() {
    }

    /** Microseconds on the host's monotonic clock. */
    public static long now_us() {
        return (System.nanoTime() - ORIGIN_NS) / 1000;
    }
}

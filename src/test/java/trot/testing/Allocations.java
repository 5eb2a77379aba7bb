package trot.testing;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * Heap allocation of the current thread (and optionally others) in steady state, by the JVM's per-thread counters.
 *
 * <p>Steady state, because the JIT allocates on a running thread now and then: when C2 first compiles a method,
 * HotSpot may create the class's not-yet-used String constants on the thread that triggered it, and a
 * deoptimisation can materialise objects that escape analysis had removed. Those are one-off events at
 * JIT-dependent moments. So the code runs in windows of {@code calls} calls after the warm-up, and the result is
 * the fewest bytes any of up to {@code windows} windows allocated (stopping at the first window with none): a
 * genuine allocation per call shows in every window, a one-off event in at most one or two.
 */
public final class Allocations {
    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocations() {
    }

    /** Bytes allocated by this thread and by {@code otherThreads} in each window until one allocates nothing. */
    public static long[] windows(Runnable call, int warmup, int calls, int windows, long... otherThreads) {
        if (!MX.isThreadAllocatedMemorySupported()) {
            throw new IllegalStateException("this JVM cannot count the bytes a thread allocates");
        }
        MX.setThreadAllocatedMemoryEnabled(true);
        for (int i = 0; i < warmup; i++) {
            call.run();
        }
        long[] bytes = new long[windows];
        long[] before = new long[otherThreads.length];
        for (int w = 0; w < windows; w++) {
            // Scalar reads only: getThreadAllocatedBytes(long[]) would allocate its result inside the window.
            for (int t = 0; t < otherThreads.length; t++) {
                before[t] = MX.getThreadAllocatedBytes(otherThreads[t]);
            }
            long self = MX.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < calls; i++) {
                call.run();
            }
            long total = MX.getCurrentThreadAllocatedBytes() - self;
            for (int t = 0; t < otherThreads.length; t++) {
                total += MX.getThreadAllocatedBytes(otherThreads[t]) - before[t];
            }
            bytes[w] = total;
            if (total == 0) {
                return Arrays.copyOf(bytes, w + 1);
            }
        }
        return bytes;
    }

    /** The fewest bytes of {@link #windows}; 0 means a window of {@code calls} calls allocated nothing. */
    public static long steadyState(Runnable call, int warmup, int calls, int windows, long... otherThreads) {
        return Arrays.stream(windows(call, warmup, calls, windows, otherThreads)).min().orElseThrow();
    }

    /** A message naming every window's bytes, for assertion failures. */
    public static String describe(long[] windows, int calls) {
        return "bytes allocated per window of " + calls + " calls: " + Arrays.toString(windows);
    }
}

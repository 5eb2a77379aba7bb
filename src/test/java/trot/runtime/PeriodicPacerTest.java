package trot.runtime;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class PeriodicPacerTest {

    /** A clock that advances only when parked or spun: a park oversleeps by {@code lateness_ns}, a spin costs 1 us. */
    static final class FakeClock implements PeriodicPacer.Clock {
        long now = 1_000_000_000L, lateness_ns;
        int parks, spins;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void parkNanos(long ns) {
            parks++;
            now += ns + lateness_ns;
        }

        @Override
        public void spin() {
            spins++;
            now += 1_000;
        }
    }

    @Test
    void histogramPercentilesAreExactBelow128AndWithinABucketAbove() {
        DurationHistogram h = new DurationHistogram();
        for (int v = 1; v <= 100; v++) {
            h.record(v);
        }
        assertEquals(50, h.percentile_ns(0.5));
        assertEquals(99, h.percentile_ns(0.99));
        assertEquals(100, h.percentile_ns(1));
        assertEquals(100, h.max_ns());
        h.clear();
        assertEquals(0, h.percentile_ns(0.5));
        for (int i = 0; i < 99; i++) {
            h.record(1_000_000); // 1 ms
        }
        h.record(7_000_000);
        long p50 = h.percentile_ns(0.5);
        assertTrue(p50 >= 1_000_000 && p50 <= 1_000_000 * 65 / 64, "p50 " + p50);
        assertTrue(h.percentile_ns(0.99) <= 1_000_000 * 65 / 64);
        assertEquals(7_000_000, h.percentile_ns(1.0));
        assertEquals(7_000_000, h.max_ns());
        h.record(-5);
        assertEquals(0, h.percentile_ns(0));
        assertThrows(IllegalArgumentException.class, () -> h.percentile_ns(1.5));
    }

    @Test
    void bucketsCoverEveryValueInOrder() {
        for (long v : new long[]{0, 1, 127, 128, 129, 255, 256, 1000, 999_999, 1L << 40, (1L << 41) - 1}) {
            int i = DurationHistogram.index(v);
            assertTrue(DurationHistogram.upperBound(i) >= v, "bound of " + v);
            assertTrue(i == 0 || DurationHistogram.upperBound(i - 1) < v, "previous bound of " + v);
        }
        assertEquals(DurationHistogram.BUCKETS - 1, DurationHistogram.index(Long.MAX_VALUE));
    }

    @Test
    void cumulativeCountsAreNeverAboveTheTruthAndShortByAtMostOneBucket() {
        DurationHistogram h = new DurationHistogram();
        java.util.Random random = new java.util.Random(7);
        long[] values = new long[5000];
        for (int i = 0; i < values.length; i++) {
            values[i] = (long) Math.exp(random.nextDouble() * Math.log(5e7));   // 1 ns .. 50 ms, log-uniform
            h.record(values[i]);
        }
        for (long bound : new long[]{-1, 0, 50, 127, 128, 1_000, 20_000, 1_000_000, 50_000_000, Long.MAX_VALUE}) {
            long truth = java.util.Arrays.stream(values).filter(v -> v <= bound).count();
            long counted = h.countAtMost(bound);
            long bucketOfBound = bound < 0 ? 0 : java.util.Arrays.stream(values)
                    .filter(v -> DurationHistogram.index(v) == DurationHistogram.index(bound)).count();
            assertTrue(counted <= truth, "bound " + bound + ": counted " + counted + " > " + truth);
            assertTrue(counted >= truth - bucketOfBound, "bound " + bound + ": counted " + counted + ", truth " + truth);
        }
        assertEquals(values.length, h.countAtMost(Long.MAX_VALUE));
        DurationHistogram copy = new DurationHistogram();
        copy.record(3);
        copy.copyFrom(h);
        assertEquals(h.count(), copy.count());
        assertEquals(h.max_ns(), copy.max_ns());
        assertEquals(h.percentile_ns(0.99), copy.percentile_ns(0.99));
        assertEquals(h.countAtMost(1_000), copy.countAtMost(1_000));
    }

    @Test
    void waitsToTheAbsoluteDeadlineAndRecordsJitterAndLatency() {
        FakeClock c = new FakeClock();
        PeriodicPacer p = new PeriodicPacer(0.05, 0.001, 200e-6, c);
        long t0 = p.awaitNextPeriod(); // starts the schedule at once
        assertEquals(1_000_000_000L, t0);
        c.lateness_ns = 50_000; // the park wakes 50 us late, inside the spin window: the spin reaches the deadline
        for (int k = 1; k <= 10; k++) {
            c.now += 3_000_000; // 3 ms of work, then the command
            p.commandSent();
            p.commandSent(); // a second command in the same period is not recorded
            long woke = p.awaitNextPeriod();
            assertEquals(t0 + k * 50_000_000L, p.periodStart_ns(), "the grid is absolute");
            assertTrue(woke >= p.periodStart_ns() && woke - p.periodStart_ns() <= 1_000, "woke " + (woke - p.periodStart_ns()));
        }
        PacerStats s = new PacerStats();
        p.drainStats(s);
        assertEquals(10, s.periods);
        assertEquals(10, s.commands);
        assertEquals(0, s.overruns);
        assertTrue(s.jitterMax_ms <= 0.001, s.toString());
        // latency of period 0 is 3 ms after the start; later periods began at their deadline plus < 1 us of spin
        assertTrue(s.latencyP50_ms >= 2.999 && s.latencyP50_ms <= 3.0 * 65 / 64, s.toString());
        assertTrue(c.parks >= 10 && c.spins >= 10);
        p.drainStats(s);
        assertEquals(0, s.periods, "a drain starts a new interval");
        p.totalStats(s);
        assertEquals(10, s.periods);
    }

    @Test
    void anOverrunIsCountedAndReanchorsWithoutCatchUp() {
        FakeClock c = new FakeClock();
        PeriodicPacer p = new PeriodicPacer(0.05, 0.001, 0, c);
        long t0 = p.awaitNextPeriod();
        c.now += 50_000_000L + 500_000; // 0.5 ms late: jitter, not an overrun, the grid is kept
        p.awaitNextPeriod();
        assertEquals(t0 + 50_000_000L, p.periodStart_ns());
        c.now += 170_000_000L; // 120 ms late: an overrun
        long late = c.now;
        assertEquals(late, p.awaitNextPeriod(), "an overrun returns at once");
        assertEquals(late, p.periodStart_ns(), "re-anchored at the arrival");
        long next = p.awaitNextPeriod();
        assertEquals(late + 50_000_000L, next, "then one full period, no burst");
        PacerStats s = new PacerStats();
        p.drainStats(s);
        assertEquals(1, s.overruns);
        assertEquals(3, s.periods);
        assertEquals(120.0, s.jitterMax_ms, 120.0 / 64);
        assertEquals(1, p.overruns());
    }

    @Test
    void restartStartsANewScheduleWithoutCountingTheGap() {
        FakeClock c = new FakeClock();
        PeriodicPacer p = new PeriodicPacer(0.05, 0.001, 0, c);
        p.awaitNextPeriod();
        p.restart();
        c.now += 5_000_000_000L; // a five-second reset
        long t = c.now;
        assertEquals(t, p.awaitNextPeriod());
        PacerStats s = new PacerStats();
        p.drainStats(s);
        assertEquals(0, s.periods);
        assertEquals(0, s.overruns);
    }

    @Test
    void anInterruptEndsTheWait() {
        PeriodicPacer p = new PeriodicPacer(10.0, 0.001, 0);
        p.awaitNextPeriod();
        Thread.currentThread().interrupt();
        long before = System.nanoTime();
        p.awaitNextPeriod();
        assertTrue(Thread.interrupted(), "the flag stays set");
        assertTrue(System.nanoTime() - before < 5_000_000_000L);
    }

    @Test
    void badConfigurationIsRefusedWithTheValue() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PeriodicPacer(0)).getMessage().contains("period"));
        assertThrows(IllegalArgumentException.class, () -> new PeriodicPacer(Double.NaN));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PeriodicPacer(0.05, 0.05, 0)).getMessage()
                .contains("tolerance"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PeriodicPacer(0.05, 0, -1)).getMessage()
                .contains("spin"));
    }
}

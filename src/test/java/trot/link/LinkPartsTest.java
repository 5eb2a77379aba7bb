package trot.link;

import org.junit.jupiter.api.Test;

import java.util.Random;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The link's small parts: the latency histogram, the sequence-gap counter, the State mailbox, the host clock. */
class LinkPartsTest {

    @Test
    void histogramIsExactBelow128AndWithin1Point6PercentAbove() {
        for (long v = 0; v < 128; v++) {
            assertEquals(v, LatencyHistogram.upperBound(LatencyHistogram.index(v)));
        }
        Random r = new Random(1);
        for (int t = 0; t < 100_000; t++) {
            long v = 128 + (r.nextLong() & ((1L << 40) - 1)) % ((1L << 40) - 128);
            int i = LatencyHistogram.index(v);
            long upper = LatencyHistogram.upperBound(i);
            assertTrue(upper >= v, v + " above its bucket's bound " + upper);
            assertTrue(upper - v <= v / 64, v + " in a bucket up to " + upper);
            if (i > 0) {
                assertTrue(LatencyHistogram.upperBound(i - 1) < v, "the bucket below ends before " + v);
            }
        }
        assertEquals(LatencyHistogram.index(1L << 41), LatencyHistogram.index(Long.MAX_VALUE), "huge values: the last bucket");
        assertEquals(127, LatencyHistogram.index(127));
        assertEquals(128, LatencyHistogram.index(128));
        assertEquals(129, LatencyHistogram.index(130));
        assertEquals(191, LatencyHistogram.index(255));
        assertEquals(192, LatencyHistogram.index(256));
        assertEquals(255, LatencyHistogram.upperBound(191));
    }

    @Test
    void histogramPercentilesMeanAndMax() {
        LatencyHistogram h = new LatencyHistogram();
        assertEquals(0, h.percentile(0.5));
        assertEquals(0, h.max());
        assertEquals(0, h.mean());
        for (int v = 1; v <= 100; v++) {
            h.record(v);
        }
        assertEquals(100, h.count());
        assertEquals(50, h.percentile(0.5));
        assertEquals(99, h.percentile(0.99));
        assertEquals(100, h.percentile(1));
        assertEquals(1, h.percentile(0));
        assertEquals(100, h.max());
        assertEquals(50.5, h.mean(), 1e-12);
        h.record(-5);
        assertEquals(0, h.percentile(0), "a negative value counts as 0");
        h.record(1_000_000);
        assertEquals(1_000_000, h.percentile(1), "never above the largest value");
        long p = h.percentile(0.995);
        assertTrue(p >= 100 && p <= 1_000_000);
        LatencyHistogram copy = new LatencyHistogram();
        copy.copyFrom(h);
        assertEquals(h.count(), copy.count());
        assertEquals(h.percentile(0.5), copy.percentile(0.5));
        assertEquals(h.max(), copy.max());
        assertEquals(h.mean(), copy.mean());
        h.clear();
        assertEquals(0, h.count());
        assertEquals(0, h.percentile(0.99));
        assertEquals(0, h.max());
        assertEquals(0, h.mean());
        assertThrows(IllegalArgumentException.class, () -> h.percentile(1.5));
        assertThrows(IllegalArgumentException.class, () -> h.percentile(-0.1));
        assertThrows(IllegalArgumentException.class, () -> h.percentile(Double.NaN));
        LatencyHistogram big = new LatencyHistogram();
        big.record(5000);
        big.record(5000);
        big.record(9000);
        assertEquals(5055, big.percentile(0.5), "the bucket's upper bound: 5000 lies in [4992, 5055]");
        assertEquals(9000, big.percentile(1.0));
    }

    @Test
    void seqTrackerCountsGapsDuplicatesAndLateArrivals() {
        SeqTracker t = new SeqTracker();
        t.accept(10);
        t.accept(11);
        assertEquals(0, t.lost);
        t.accept(14);                   // 12, 13 missing
        assertEquals(2, t.lost);
        t.accept(12);                   // late: fills a gap
        assertEquals(1, t.lost);
        assertEquals(1, t.reordered);
        t.accept(12);                   // again: a duplicate
        assertEquals(1, t.duplicated);
        t.accept(14);                   // the newest again
        assertEquals(2, t.duplicated);
        t.accept(9);                    // before the first seen: nothing to tell
        assertEquals(2, t.reordered);
        assertEquals(1, t.lost);
        t.accept(14 + 70);              // 69 lost
        assertEquals(70, t.lost);
        t.accept(14 + 70 - 64);         // outside the window: late, the gap stays counted
        assertEquals(3, t.reordered);
        assertEquals(70, t.lost);
        t.accept(14 + 70 - 63);         // inside: fills
        assertEquals(69, t.lost);
        t.accept(84 + 1_000_000);       // a jump: the device restarted its counter
        assertEquals(1, t.restarts);
        assertEquals(69, t.lost);
        t.accept(84 + 1_000_001);
        assertEquals(69, t.lost);
        t.accept(5);                    // a jump back
        assertEquals(2, t.restarts);
        t.reset();
        t.accept(0xFFFF_FFFFL);
        t.accept(0);                    // wraps
        t.accept(2);
        assertEquals(70, t.lost);
        t.accept(1);
        assertEquals(69, t.lost);
        SeqTracker w = new SeqTracker();
        w.accept(100);
        w.accept(100 + 64);             // a gap of exactly the window: the window restarts
        assertEquals(63, w.lost);
        w.accept(101);                  // 63 back: still inside
        assertEquals(62, w.lost);
        w.accept(100 + SeqTracker.RESTART_GAP + 64);
        assertEquals(62 + SeqTracker.RESTART_GAP - 1, w.lost, "a jump of exactly the restart gap is still loss");
    }

    @Test
    void mailboxHandsOverTheNewestStateWhole() throws Exception {
        StateMailbox m = new StateMailbox();
        State out = new State();
        out.fwTime_us = -7;
        assertEquals(0, m.read(out));
        assertEquals(-7, out.fwTime_us, "nothing published: unchanged");
        State s = new State();
        for (int i = 1; i <= 5; i++) {
            s.fwTime_us = i;
            m.publish(s, 100 + i);
        }
        assertEquals(5, m.read(out));
        assertEquals(5, out.fwTime_us);
        assertEquals(105, m.arrivalOfLastRead_us());
        assertEquals(5, m.read(out), "no newer one: the same again");
        // A writer and a reader at full speed: every copy is whole (all fields from one publish), serials only grow.
        Thread writer = new Thread(() -> {
            State w = new State();
            for (int i = 1; i <= 300_000; i++) {
                w.fwTime_us = i;
                java.util.Arrays.fill(w.q_rad, i);
                w.footForce_N[3] = i;
                m.publish(w, i);
            }
        });
        writer.start();
        long last = 0;
        while (writer.isAlive() || last < 300_005) {
            long n = m.read(out);
            assertTrue(n >= last, "serial went back from " + last + " to " + n);
            last = n;
            if (n > 5) {
                float f = out.fwTime_us;
                for (float q : out.q_rad) {
                    assertEquals(f, q, "a torn copy");
                }
                assertEquals(f, out.footForce_N[3], "a torn copy");
            }
            if (!writer.isAlive() && n == 300_005) {
                break;
            }
        }
        writer.join();
        assertEquals(300_000, out.fwTime_us);
    }

    @Test
    void hostClockIsMonotonicAndNeverZero() {
        long a = HostClock.now_us();
        assertTrue(a >= 1_000_000);
        long b = HostClock.now_us();
        assertTrue(b >= a);
    }

    @Test
    void statsCopyAndErrorNames() {
        LinkStats s = new LinkStats();
        assertEquals("none", s.describeErrors());
        s.rxErrors[FrameError.CRC.ordinal()] = 2;
        s.rxErrors[FrameError.COBS.ordinal()] = 1;
        assertEquals("cobs 1, crc 2", s.describeErrors());
        assertEquals(2, s.rxErrors(FrameError.CRC));
        s.framesSent = 1;
        s.commandsSent = 2;
        s.commandsNotSent = 3;
        s.packetsReceived = 4;
        s.statesReceived = 5;
        s.heartbeatsReceived = 6;
        s.faultsReceived = 7;
        s.unexpectedPackets = 8;
        s.staleHelloAcks = 9;
        s.rxErrorsTotal = 10;
        s.packetsLost = 11;
        s.packetsDuplicated = 12;
        s.packetsReordered = 13;
        s.rttCount = 14;
        s.rttP50_us = 15;
        s.rttP99_us = 16;
        s.rttMax_us = 17;
        s.rttMean_us = 18.5;
        s.linkLosses = 19;
        s.reconnects = 20;
        s.sessions = 21;
        s.staleEvents = 22;
        s.watchdogTrips = 23;
        s.deviceRxOk = 24;
        s.deviceRxBad = 25;
        s.deviceCommandsApplied = 26;
        s.deviceCommandsRejected = 27;
        s.framesSentAtDeviceHeartbeat = 28;
        s.commandsSentAtDeviceHeartbeat = 29;
        LinkStats c = new LinkStats();
        c.copyFrom(s);
        long[] got = {c.framesSent, c.commandsSent, c.commandsNotSent, c.packetsReceived, c.statesReceived,
                c.heartbeatsReceived, c.faultsReceived, c.unexpectedPackets, c.staleHelloAcks, c.rxErrorsTotal, c.packetsLost,
                c.packetsDuplicated, c.packetsReordered, c.rttCount, c.rttP50_us, c.rttP99_us, c.rttMax_us, 18, c.linkLosses,
                c.reconnects, c.sessions, c.staleEvents, c.watchdogTrips, c.deviceRxOk, c.deviceRxBad, c.deviceCommandsApplied,
                c.deviceCommandsRejected, c.framesSentAtDeviceHeartbeat, c.commandsSentAtDeviceHeartbeat};
        for (int i = 0; i < got.length; i++) {
            assertEquals(i + 1, got[i], "field " + i);
        }
        assertEquals(18.5, c.rttMean_us);
        assertEquals("cobs 1, crc 2", c.describeErrors());
    }

    @Test
    void histogramEdges() {
        assertEquals(129, LatencyHistogram.upperBound(128));
        assertEquals(2240, LatencyHistogram.index(1L << 40));
        assertEquals(2303, LatencyHistogram.index((1L << 41) - 1));
        assertEquals(2303, LatencyHistogram.index(Long.MAX_VALUE));
        assertEquals(2239, LatencyHistogram.index((1L << 40) - 1));
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 3; i++) {
            h.record(10);
            h.record(20);
        }
        assertEquals(10, h.percentile(0.5), "rank 3 of 6 is the last 10");
        assertEquals(20, h.percentile(0.51));
        h.clear();
        h.record(50);
        assertEquals(50, h.percentile(0), "clear() forgot the 10s and 20s");
        assertEquals(50, h.max());
        h.record(7);
        assertEquals(50, h.max());
        assertEquals(7, h.percentile(0.5));
    }

    @Test
    void seqTrackerWindowBits() {
        SeqTracker t = new SeqTracker();
        t.accept(10);
        t.accept(11);
        t.accept(12);
        t.accept(11);                   // received before: a duplicate, not a filled gap
        assertEquals(1, t.duplicated);
        assertEquals(0, t.lost);
        t.accept(10);                   // the very first again
        assertEquals(2, t.duplicated);
        t.accept(15);                   // 13, 14 lost
        t.accept(12);                   // 3 back, received before
        assertEquals(3, t.duplicated);
        assertEquals(2, t.lost);
        SeqTracker w = new SeqTracker();
        w.accept(100);
        w.accept(101);
        w.accept(102);
        w.accept(102 + 64);             // a jump of exactly the window: only the newest is known
        assertEquals(63, w.lost);
        w.accept(102 + 63);             // one back: not received, fills
        assertEquals(62, w.lost);
        assertEquals(1, w.reordered);
        SeqTracker back = new SeqTracker();
        back.accept(1_000_000);
        back.accept(1_000_000 - SeqTracker.RESTART_GAP);     // exactly the gap back: an old packet, not a restart
        assertEquals(0, back.restarts);
        assertEquals(1, back.reordered);
        back.accept(1_000_000 - SeqTracker.RESTART_GAP - 1); // one more: a restart
        assertEquals(1, back.restarts);
    }

    @Test
    void configDerivesItsTimes() {
        SerialLink.Config d = SerialLink.Config.defaults();
        assertEquals(150_000, d.withStatePeriod(50_000).staleAfter_us());
        assertEquals(1_500_000, d.withStatePeriod(50_000).sessionLostAfter_us());
        assertEquals(2_000_001, d.withStaleAfter(2_000_000).sessionLostAfter_us());
        assertEquals(1_000_000, d.withStaleAfter(20_000).sessionLostAfter_us());
    }

    @Test
    void hostClockCountsFromAboutOneSecondAtClassLoad() {
        long uptime_us = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() * 1000;
        long now = HostClock.now_us();
        assertTrue(now >= 1_000_000 && now <= 1_000_000 + uptime_us + 1_000_000, "now " + now + ", JVM up " + uptime_us);
    }
}

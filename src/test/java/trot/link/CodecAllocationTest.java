package trot.link;

import org.junit.jupiter.api.Test;
import trot.testing.Allocations;

import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Encoding and decoding allocate nothing once warmed up (the JVM's per-thread allocation counter over windows of
 * calls, {@link Allocations}: a one-off allocation by the JIT does not count, one per call does).
 */
class CodecAllocationTest {
    static final int WARMUP = 20_000, CALLS = 2_000, WINDOWS = 5;

    static long steady(Runnable r) {
        long[] w = Allocations.windows(r, WARMUP, CALLS, WINDOWS);
        long min = java.util.Arrays.stream(w).min().orElseThrow();
        if (min != 0) {
            System.out.println("  " + Allocations.describe(w, CALLS));
        }
        return min;
    }

    @Test
    void theCounterSeesAnAllocation() {
        Object[] sink = new Object[1];
        assertTrue(steady(() -> sink[0] = new byte[100]) >= CALLS * 100L);
    }

    @Test
    void crc32cAllocatesNothing() {
        CRC32C crc = new CRC32C();
        byte[] data = new byte[292];
        long[] sink = new long[1];
        assertEquals(0, steady(() -> {
            crc.reset();
            crc.update(data, 0, data.length);
            sink[0] += crc.getValue();
        }));
    }

    @Test
    void encodingAndDecodingAStateAllocateNothing() {
        State s = new State();
        Randomize.fill(s, new Random(1));
        FrameEncoder e = new FrameEncoder();
        FrameDecoder d = new FrameDecoder();
        byte[] wire = new byte[Protocol.MAX_WIRE];
        long[] seq = {0};
        assertEquals(0, steady(() -> {
            int n = e.encode(s, seq[0]++ & 0xFFFF_FFFFL, wire, 0);
            for (int i = 0; i < n; i++) {
                d.feed(wire[i]);
            }
        }));
        assertEquals(0, d.totalErrors());
        assertEquals(s.fwTime_us, d.state().fwTime_us);
    }

    @Test
    void encodingAndDecodingACommandInChunksAllocateNothing() {
        Command c = new Command();
        Randomize.fill(c, new Random(2));
        FrameEncoder e = new FrameEncoder();
        FrameDecoder d = new FrameDecoder();
        byte[] wire = new byte[Protocol.MAX_WIRE];
        long[] got = {0};
        FrameDecoder.Handler h = (decoder, type) -> got[0] += decoder.command().interp_us;
        assertEquals(0, steady(() -> {
            int n = e.encode(c, 5, wire, 0);
            d.feed(wire, 0, n, h);
        }));
        assertTrue(got[0] > 0);
    }

    @Test
    void droppingBadFramesAllocatesNothing() {
        FrameDecoder d = new FrameDecoder();
        byte[] garbage = new byte[1000];
        new Random(3).nextBytes(garbage);
        FrameDecoder.Handler h = (decoder, type) -> {
        };
        assertEquals(0, steady(() -> d.feed(garbage, 0, garbage.length, h)));
        assertTrue(d.totalErrors() > 0);
    }
}

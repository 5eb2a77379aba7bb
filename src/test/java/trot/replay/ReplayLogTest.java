package trot.replay;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trot.testing.Allocations;
import trot.util.Rng;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayLogTest {
    static final int O = 3, A = 2;
    static final int HEADER = 8 + 16 + "Test".length() + 4, RECORD = ReplayLog.recordBytes(O, A);

    /** Writes {@code n} transitions to a new log and to {@code direct} alike. */
    static void fill(Path file, int n, ReplayBuffer direct) throws IOException {
        Rng rng = new Rng(5);
        float[] o = new float[O], a = new float[A], o2 = new float[O];
        try (ReplayLog log = ReplayLog.create(file, "Test", O, A, false)) {
            for (int t = 1; t <= n; t++) {
                rng.fillGaussian(o, 0, O);
                rng.fillUniform(a, 0, A, -1, 1);
                rng.fillGaussian(o2, 0, O);
                float r = (float) rng.nextGaussian();
                boolean done = t % 7 == 0;
                log.append(10L * t, o, a, r, o2, done);
                if (direct != null) {
                    direct.add(o, a, r, o2, done);
                }
            }
        }
    }

    static void assertSameBatches(ReplayBuffer x, ReplayBuffer y) {
        Batch bx = new Batch(64, O, A), by = new Batch(64, O, A);
        for (int k = 0; k < 3; k++) {
            x.sample(bx);
            y.sample(by);
            assertArrayEquals(bx.observations.data, by.observations.data);
            assertArrayEquals(bx.actions.data, by.actions.data);
            assertArrayEquals(bx.rewards.data, by.rewards.data);
            assertArrayEquals(bx.nextObservations.data, by.nextObservations.data);
            assertArrayEquals(bx.masks.data, by.masks.data);
        }
    }

    @Test
    void theLogRebuildsTheBufferExactly(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("replay.log");
        ReplayBuffer direct = new ReplayBuffer(100, O, A, 9), rebuilt = new ReplayBuffer(100, O, A, 9);
        fill(f, 50, direct);
        assertEquals(HEADER + 50L * RECORD, Files.size(f), "the format's sizes");
        ReplayLog.Recovery r = ReplayLog.recover(f, "Test", O, A, 50, rebuilt);
        r.log().close();
        assertEquals(50, r.replayed());
        assertEquals(0, r.tornBytes());
        assertEquals(direct.added(), rebuilt.added());
        assertSameBatches(direct, rebuilt);
    }

    @Test
    void aTornTailOfAnyLengthIsCutAndCounted(@TempDir Path dir) throws Exception {
        Path whole = dir.resolve("whole.log");
        fill(whole, 10, null);
        byte[] bytes = Files.readAllBytes(whole);
        for (int cut = 1; cut < RECORD; cut++) {
            Path f = dir.resolve("torn.log");
            Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length - cut));
            ReplayLog.Recovery r = ReplayLog.recover(f, "Test", O, A, Long.MAX_VALUE, new ReplayBuffer(100, O, A, 1));
            try (ReplayLog log = r.log()) {
                assertEquals(9, r.replayed(), "cut " + cut);
                assertEquals(RECORD - cut, r.tornBytes());
                assertTrue(r.message().contains("a torn or corrupt tail of " + (RECORD - cut) + " bytes"), r.message());
                log.append(1000, new float[O], new float[A], 0, new float[O], false);
            }
            assertEquals(HEADER + 10L * RECORD, Files.size(f), "cut to the last good record, then one appended");
        }
    }

    @Test
    void recordsBeyondTheSnapshotAreDroppedAndACorruptOneInsideItIsAnError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("replay.log");
        fill(f, 20, null);
        ReplayLog.Recovery r = ReplayLog.recover(f, "Test", O, A, 12, new ReplayBuffer(100, O, A, 1));
        r.log().close();
        assertEquals(8, r.droppedAfterSnapshot());
        assertTrue(r.message().contains("8 transitions collected after the snapshot were dropped"), r.message());
        assertEquals(HEADER + 12L * RECORD, Files.size(f));

        byte[] bytes = Files.readAllBytes(f);
        bytes[HEADER + 5 * RECORD + 20] ^= 1;
        Files.write(f, bytes);
        IOException e = assertThrows(IOException.class,
                () -> ReplayLog.recover(f, "Test", O, A, 12, new ReplayBuffer(100, O, A, 1)));
        assertTrue(e.getMessage().contains("holds 5 valid transitions but the snapshot covers 12")
                && e.getMessage().contains("CRC-32C mismatch") && e.getMessage().contains(f.toString()), e.getMessage());
        assertArrayEquals(bytes, Files.readAllBytes(f), "a damaged log is left as it is");
    }

    @Test
    void foreignAndMissingLogsAreRefusedByName(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("replay.log");
        fill(f, 3, null);
        byte[] bytes = Files.readAllBytes(f);
        IOException e = assertThrows(IOException.class, () -> ReplayLog.recover(f, "Pendulum", O, A, 3, new ReplayBuffer(9, O, A, 1)));
        assertTrue(e.getMessage().contains("a log of Test (observations 3, actions 2), this run is Pendulum (3, 2)"), e.getMessage());
        e = assertThrows(IOException.class, () -> ReplayLog.recover(f, "Test", 4, A, 3, new ReplayBuffer(9, 4, A, 1)));
        assertTrue(e.getMessage().contains("this run is Test (4, 2)"), e.getMessage());
        byte[] v2 = bytes.clone();
        ByteBuffer.wrap(v2).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
        Path g = dir.resolve("v2.log");
        Files.write(g, v2);
        e = assertThrows(IOException.class, () -> ReplayLog.recover(g, "Test", O, A, 3, new ReplayBuffer(9, O, A, 1)));
        assertTrue(e.getMessage().contains("format version 2"), e.getMessage());
        Path h = dir.resolve("policy.ckpt");
        Files.write(h, "TROTCKPT and more".getBytes());
        e = assertThrows(IOException.class, () -> ReplayLog.recover(h, "Test", O, A, 0, new ReplayBuffer(9, O, A, 1)));
        assertTrue(e.getMessage().contains("not a trot replay log"), e.getMessage());
        assertArrayEquals(bytes, Files.readAllBytes(f), "untouched");
        NoSuchFileException m = assertThrows(NoSuchFileException.class,
                () -> ReplayLog.recover(dir.resolve("gone.log"), "Test", O, A, 0, new ReplayBuffer(9, O, A, 1)));
        assertTrue(m.getMessage().contains("gone.log"), m.getMessage());
    }

    @Test
    void appendingAllocatesNothing(@TempDir Path dir) throws Exception {
        float[] o = {1, 2, 3}, a = {0.5f, -0.5f}, o2 = {3, 2, 1};
        long[] step = {0};
        try (ReplayLog log = ReplayLog.create(dir.resolve("replay.log"), "Test", O, A, false)) {
            long[] w = Allocations.windows(() -> {
                try {
                    log.append(++step[0], o, a, 1f, o2, false);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, 20_000, 2_000, 4);
            assertEquals(0, java.util.Arrays.stream(w).min().orElseThrow(), "bytes allocated by 2,000 appends");
        }
    }
}

package trot.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotTest {
    static Snapshot.Builder sample(float first) {
        return Snapshot.builder().meta("kind", "run").meta("step", "42")
                .floatsAnd("w", new float[]{first, -2.5f, Float.MIN_VALUE})
                .longsAnd("rng", new long[]{Long.MIN_VALUE, 0, 7})
                .doublesAnd("sums", new double[]{Math.PI, Double.NaN});
    }

    @Test
    void whatIsWrittenReadsBackBitForBit(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("state.snap");
        sample(1f).write(f);
        Snapshot s = Snapshot.read(f);
        assertEquals(Map.of("kind", "run", "step", "42"), s.meta());
        float[] w = new float[3];
        long[] r = new long[3];
        double[] d = new double[2];
        s.floats("w", w);
        s.longs("rng", r);
        s.doubles("sums", d);
        assertArrayEquals(new float[]{1f, -2.5f, Float.MIN_VALUE}, w);
        assertArrayEquals(new long[]{Long.MIN_VALUE, 0, 7}, r);
        assertArrayEquals(new double[]{Math.PI, Double.NaN}, d);
        assertEquals(List.of("w", "rng", "sums"), List.copyOf(s.names()));
        assertFalse(Files.exists(dir.resolve("state.snap.tmp")), "no temporary file is left");
    }

    @Test
    void everyTruncationIsRefusedWithTheFileNamedAndTouchesNothing(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.snap");
        sample(1f).write(good);
        byte[] bytes = Files.readAllBytes(good);
        for (int n = 0; n < bytes.length; n++) {
            Path f = dir.resolve("cut.snap");
            byte[] cut = java.util.Arrays.copyOf(bytes, n);
            Files.write(f, cut);
            IOException e = assertThrows(IOException.class, () -> Snapshot.read(f), "cut to " + n + " bytes");
            assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("CRC-32C"), e.getMessage());
            assertArrayEquals(cut, Files.readAllBytes(f));
        }
    }

    @Test
    void everyFlippedBitIsFound(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("state.snap");
        sample(1f).write(f);
        byte[] bytes = Files.readAllBytes(f);
        for (int i = 8 + 4; i < bytes.length; i++) {
            byte[] bad = bytes.clone();
            bad[i] ^= 0x10;
            IOException e = assertThrows(IOException.class, () -> Snapshot.parse(f, bad), "bit flipped in byte " + i);
            assertTrue(e.getMessage().contains("CRC-32C mismatch"), e.getMessage());
        }
    }

    @Test
    void foreignFilesAndVersionsAreNamed(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("policy.ckpt");
        Checkpoint.save(ckpt, Map.of("kind", "policy"), List.of(new trot.nn.Param("w", 1, 1)));
        IOException e = assertThrows(IOException.class, () -> Snapshot.read(ckpt));
        assertTrue(e.getMessage().contains("not a trot snapshot") && e.getMessage().contains(ckpt.toString()), e.getMessage());

        Path f = dir.resolve("state.snap");
        sample(1f).write(f);
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
        Files.write(f, bytes);
        e = assertThrows(IOException.class, () -> Snapshot.read(f));
        assertTrue(e.getMessage().contains("format version 2, this trot reads version 1"), e.getMessage());

        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> Snapshot.read(dir.resolve("none.snap")));
        assertTrue(missing.getMessage().contains("none.snap"), missing.getMessage());
    }

    @Test
    void anEntryOfAnotherSizeOrTypeIsRefusedByName(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("state.snap");
        sample(1f).write(f);
        Snapshot s = Snapshot.read(f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.floats("w", new float[4]));
        assertTrue(e.getMessage().contains("entry w holds 3 float32 values, this run expects 4 float32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.longs("w", new long[3]));
        assertTrue(e.getMessage().contains("expects 3 int64"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.floats("missing", new float[1]));
        assertTrue(e.getMessage().contains("no entry missing") && e.getMessage().contains(f.toString()), e.getMessage());
    }

    /** A full disk: the device refuses a write half-way through the new snapshot. */
    @Test
    void aFullDiskDuringASaveLeavesThePreviousSnapshotIntact(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("state.snap");
        Snapshot.Builder big = Snapshot.builder().meta("kind", "run").floatsAnd("w", new float[100_000]);
        sample(1f).write(f);
        byte[] before = Files.readAllBytes(f);
        IOException e = assertThrows(IOException.class, () -> big.write(f, out -> new FilterOutputStream(out) {
            long written;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (written + len > 200_000) {
                    throw new IOException("No space left on device");
                }
                written += len;
                out.write(b, off, len);
            }
        }));
        assertEquals("No space left on device", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(f), "the previous snapshot is intact");
        assertEquals("42", Snapshot.read(f).meta("step"));
        assertFalse(Files.exists(dir.resolve("state.snap.tmp")), "the partial temporary file is removed");
    }
}

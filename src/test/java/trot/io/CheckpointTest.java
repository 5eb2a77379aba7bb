package trot.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trot.nn.MaskSource;
import trot.nn.Mlp;
import trot.nn.Param;
import trot.util.Rng;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoint round trips, the byte layout, every failure mode, and the atomic replacement. */
class CheckpointTest {
    @TempDir
    Path dir;

    static Mlp critic(long seed, int[] hidden) {
        Rng rng = new Rng(seed);
        return new Mlp(Mlp.Spec.dropoutLayerNorm(6, hidden, 1, 0.01f), 4, rng, MaskSource.geometric(rng.split()));
    }

    static Map<String, String> meta() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kind", "critic");
        m.put("observation_size", "6");
        m.put("hidden", "16,8");
        m.put("note", "unicode ok: θ̇ = 8 rad/s, a=b is fine in a value");
        m.put("empty", "");
        return m;
    }

    static float[][] values(List<Param> ps) {
        float[][] v = new float[ps.size()][];
        for (int i = 0; i < v.length; i++) {
            v[i] = ps.get(i).value.data.clone();
        }
        return v;
    }

    static void assertIOExceptionMentions(Path file, String... words) {
        IOException e = assertThrows(IOException.class, () -> Checkpoint.read(file));
        assertTrue(e.getMessage().contains(file.toString()), "message \"" + e.getMessage() + "\" should name the file");
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "message \"" + e.getMessage() + "\" should mention \"" + w + "\"");
        }
    }

    @Test
    void roundTripOfAnMlpRestoresEveryValueExactly() throws IOException {
        Mlp saved = critic(1, new int[]{16, 8});
        saved.params().get(0).value.data[3] = Float.NaN;           // odd values survive too
        saved.params().get(0).value.data[4] = Float.NEGATIVE_INFINITY;
        saved.params().get(0).value.data[5] = -0f;
        Path file = dir.resolve("sub/dir/critic.ckpt");
        Checkpoint.save(file, meta(), saved.params());

        Mlp loaded = critic(2, new int[]{16, 8});
        assertFalse(Arrays.deepEquals(values(saved.params()), values(loaded.params())), "the two networks start equal");
        Checkpoint ckpt = Checkpoint.read(file);
        assertEquals(meta(), ckpt.meta());
        assertEquals(new ArrayList<>(meta().keySet()), new ArrayList<>(ckpt.meta().keySet()), "metadata keeps its order");
        assertEquals("16,8", ckpt.meta("hidden"));
        assertEquals(saved.params().size(), ckpt.tensors().size());
        ckpt.loadInto(loaded.params());
        for (int i = 0; i < saved.params().size(); i++) {
            Param a = saved.params().get(i), b = loaded.params().get(i);
            for (int k = 0; k < a.size(); k++) {
                assertEquals(Float.floatToRawIntBits(a.value.data[k]), Float.floatToRawIntBits(b.value.data[k]),
                        a.name + "[" + k + "]");
            }
        }
        Checkpoint.Tensor w = ckpt.tensors().get("fc0.weight");
        assertEquals(6, w.rows());
        assertEquals(16, w.columns());
        assertFalse(Files.exists(AtomicFiles.tempFor(file)), "no temporary file is left behind");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ckpt.meta("seed"));
        assertTrue(e.getMessage().contains("seed") && e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void byteLayoutIsAsDocumented() throws IOException {
        Param p = new Param("w", 2, 3);
        for (int i = 0; i < 6; i++) {
            p.value.data[i] = i + 0.5f;                            // column-major: (0,0), (1,0), (0,1), ...
        }
        Path file = dir.resolve("tiny.ckpt");
        Checkpoint.save(file, Map.of("k", "v"), List.of(p));
        byte[] b = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[8];
        in.get(magic);
        assertEquals("TROTCKPT", new String(magic, StandardCharsets.US_ASCII));
        assertEquals(1, in.getInt(), "version");
        assertEquals(3, in.getInt(), "metadata length");
        byte[] m = new byte[3];
        in.get(m);
        assertEquals("k=v", new String(m, StandardCharsets.UTF_8));
        assertEquals(1, in.getInt(), "tensor count");
        assertEquals(1, in.getInt(), "name length");
        assertEquals('w', in.get());
        assertEquals(2, in.getInt(), "rows");
        assertEquals(3, in.getInt(), "columns");
        for (int i = 0; i < 6; i++) {
            assertEquals(i + 0.5f, in.getFloat(), "data[" + i + "]");
        }
        CRC32 crc = new CRC32();
        crc.update(b, 0, in.position());
        assertEquals((int) crc.getValue(), in.getInt(), "CRC-32 of everything before it");
        assertFalse(in.hasRemaining());
        assertEquals(8 + 4 + 4 + 3 + 4 + 4 + 1 + 8 + 24 + 4, b.length);
    }

    @Test
    void anEmptyCheckpointIsValid() throws IOException {
        Path file = dir.resolve("empty.ckpt");
        Checkpoint.save(file, Map.of(), List.of());
        Checkpoint c = Checkpoint.read(file);
        assertTrue(c.meta().isEmpty());
        assertTrue(c.tensors().isEmpty());
        c.loadInto(List.of());
    }

    @Test
    void loadIntoNamesMissingMismatchedAndExtraTensorsAndChangesNothing() throws IOException {
        Path file = dir.resolve("c.ckpt");
        Checkpoint.save(file, meta(), critic(1, new int[]{16, 8}).params());
        Checkpoint ckpt = Checkpoint.read(file);

        Mlp deeper = critic(3, new int[]{16, 8, 8});                // has fc3 and ln2, and fc2 is 8x8, not 8x1
        float[][] before = values(deeper.params());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ckpt.loadInto(deeper.params()));
        String msg = e.getMessage();
        assertTrue(msg.contains(file.toString()), msg);
        assertTrue(msg.contains("missing tensor fc3.weight"), msg);
        assertTrue(msg.contains("missing tensor ln2.gain"), msg);
        assertTrue(msg.contains("tensor fc2.weight is 8x1 in the file but 8x8 in the network"), msg);
        assertTrue(Arrays.deepEquals(before, values(deeper.params())), "a failed load must change nothing");

        Mlp wider = critic(4, new int[]{32, 8});
        e = assertThrows(IllegalArgumentException.class, () -> ckpt.loadInto(wider.params()));
        assertTrue(e.getMessage().contains("tensor fc0.weight is 6x16 in the file but 6x32 in the network"), e.getMessage());

        List<Param> fewer = critic(5, new int[]{16, 8}).params().subList(0, 2);
        e = assertThrows(IllegalArgumentException.class, () -> ckpt.loadInto(fewer));
        assertTrue(e.getMessage().contains("unexpected tensor fc2.weight (8x1)"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected tensor ln0.gain"), e.getMessage());
    }

    @Test
    void saveRejectsBadMetadataAndDuplicateNames() {
        Path file = dir.resolve("bad.ckpt");
        List<Param> ps = List.of(new Param("a", 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(file, Map.of("a=b", "v"), ps));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(file, Map.of("", "v"), ps));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(file, Map.of("k", "two\nlines"), ps));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(file, Map.of("k\r", "v"), ps));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.save(file, Map.of(), List.of(new Param("a", 1, 1), new Param("a", 2, 1))));
        assertTrue(e.getMessage().contains("named a"), e.getMessage());
        assertFalse(Files.exists(file));
    }

    Path saveSmall(String name) throws IOException {
        Path file = dir.resolve(name);
        Checkpoint.save(file, Map.of("kind", "policy", "step", "1000"), critic(1, new int[]{3}).params());
        return file;
    }

    @Test
    void badMagicWrongVersionAndTrailingBytesAreNamed() throws IOException {
        Path file = saveSmall("x.ckpt");
        byte[] good = Files.readAllBytes(file);

        byte[] b = good.clone();
        b[0] = 'X';
        Files.write(file, b);
        assertIOExceptionMentions(file, "not a trot checkpoint", "bad magic");

        Files.write(file, "hello, I am a CSV file\n1,2,3\n".getBytes(StandardCharsets.UTF_8));
        assertIOExceptionMentions(file, "bad magic");

        b = good.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
        Files.write(file, b);
        assertIOExceptionMentions(file, "unsupported version 2", "reads version 1");

        b = Arrays.copyOf(good, good.length + 3);
        Files.write(file, b);
        assertIOExceptionMentions(file, "3 unexpected bytes");

        b = good.clone();
        b[b.length - 8] ^= 0x01;                                     // the lowest bit of the last float
        Files.write(file, b);
        assertIOExceptionMentions(file, "CRC-32 mismatch");
    }

    @Test
    void everyTruncationIsReportedAsAnIOExceptionNamingTheFile() throws IOException {
        Path file = saveSmall("t.ckpt");
        byte[] good = Files.readAllBytes(file);
        for (int n = 0; n < good.length; n++) {
            Files.write(file, Arrays.copyOf(good, n));
            IOException e = assertThrows(IOException.class, () -> Checkpoint.read(file), "truncated to " + n + " bytes");
            assertEquals(IOException.class, e.getClass(), "truncated to " + n + " bytes: " + e);
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            if (n >= 12) {
                assertTrue(e.getMessage().contains("truncated"), "truncated to " + n + " bytes: " + e.getMessage());
            }
        }
    }

    @Test
    void everySingleByteCorruptionIsDetected() throws IOException {
        Path file = saveSmall("c.ckpt");
        byte[] good = Files.readAllBytes(file);
        for (int i = 0; i < good.length; i++) {
            for (int flip : new int[]{0x01, 0x80, 0xFF}) {
                byte[] b = good.clone();
                b[i] ^= (byte) flip;
                Files.write(file, b);
                IOException e = assertThrows(IOException.class, () -> Checkpoint.read(file),
                        "byte " + i + " xor " + flip + " went unnoticed");
                assertEquals(IOException.class, e.getClass(), "byte " + i + ": " + e);
                assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            }
        }
    }

    @Test
    void aMissingFileIsAnIOException() {
        assertThrows(NoSuchFileException.class, () -> Checkpoint.read(dir.resolve("nothing-here.ckpt")));
    }

    @Test
    void aFailedSaveLeavesThePreviousCheckpointIntact() throws IOException {
        Mlp first = critic(1, new int[]{4});
        Path file = dir.resolve("policy.ckpt");
        Checkpoint.save(file, Map.of("step", "1"), first.params());
        byte[] before = Files.readAllBytes(file);

        // the temporary file cannot be created: a directory is in its way
        Path tmp = AtomicFiles.tempFor(file);
        assertEquals(dir.resolve("policy.ckpt.tmp"), tmp);
        Files.createDirectory(tmp);
        assertThrows(IOException.class, () -> Checkpoint.save(file, Map.of("step", "2"), critic(2, new int[]{4}).params()));
        assertArrayEquals(before, Files.readAllBytes(file), "the previous checkpoint must be untouched");
        Files.delete(tmp);

        // a stale temporary file from a killed save is overwritten and removed
        Files.write(tmp, new byte[]{1, 2, 3});
        Mlp second = critic(3, new int[]{4});
        Checkpoint.save(file, Map.of("step", "3"), second.params());
        assertFalse(Files.exists(tmp));
        Checkpoint c = Checkpoint.read(file);
        assertEquals("3", c.meta("step"));
        Mlp check = critic(4, new int[]{4});
        c.loadInto(check.params());
        assertTrue(Arrays.deepEquals(values(second.params()), values(check.params())));
    }

    @Test
    void atomicWriteFailingMidwayKeepsTheTargetAndRemovesTheTemporary() throws IOException {
        Path file = dir.resolve("data.bin");
        Files.write(file, new byte[]{42});
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(file, out -> {
            out.write(new byte[100_000]);                             // some of it reaches the temporary file
            throw new IOException("simulated crash while writing");
        }, true));
        assertEquals("simulated crash while writing", e.getMessage());
        assertArrayEquals(new byte[]{42}, Files.readAllBytes(file));
        assertFalse(Files.exists(AtomicFiles.tempFor(file)));

        AtomicFiles.write(file, out -> {
            out.write(new byte[]{1, 2});
            out.close();                                               // closing is allowed
        }, true);
        assertArrayEquals(new byte[]{1, 2}, Files.readAllBytes(file));
    }
}

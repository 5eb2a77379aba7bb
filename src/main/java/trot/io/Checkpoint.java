package trot.io;

import trot.nn.Param;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Named tensors (the values of {@link Param}s) and key=value metadata in one binary file.
 *
 * <h2>Format, version 1 (all integers and floats little-endian)</h2>
 * <pre>
 *   bytes    "TROTCKPT"                      magic, 8 ASCII bytes
 *   int32    1                               version
 *   string   metadata                        "key=value" lines joined by '\n', in the order given
 *   int32    count                           number of tensors
 *   count times:
 *     string   name                          for example "fc0.weight"
 *     int32    rows
 *     int32    columns
 *     float32  data[rows * columns]          column-major, as FloatMatrix.data
 *   uint32   CRC-32                          of every byte before it
 * </pre>
 * A {@code string} is an int32 byte length followed by that many bytes of UTF-8.
 *
 * <p>Saving is atomic: the file is written to {@code <name>.tmp} beside it, forced to disk, then renamed over the
 * old checkpoint, so an interrupted save leaves the previous checkpoint intact. Reading checks the magic, the
 * version, every length against the file size and the CRC, and reports a damaged file as an {@link IOException}
 * naming the file and what is wrong.
 */
public final class Checkpoint {
    /** The first 8 bytes of every checkpoint. */
    public static final String MAGIC = "TROTCKPT";
    /** The format version this class writes and reads. */
    public static final int VERSION = 1;

    private static final byte[] MAGIC_BYTES = MAGIC.getBytes(StandardCharsets.US_ASCII);

    /**
     * One stored tensor: {@code rows x columns} floats, column-major.
     */
    public record Tensor(String name, int rows, int columns, float[] data) {
        /**
         * @throws IllegalArgumentException for a non-positive shape or {@code data} not of {@code rows * columns}
         */
        public Tensor {
            if (rows <= 0 || columns <= 0 || data == null || data.length != (long) rows * columns) {
                throw new IllegalArgumentException("Checkpoint.Tensor " + name + ": shape " + rows + "x" + columns
                        + " needs " + ((long) rows * columns) + " values, got " + (data == null ? "null" : data.length));
            }
            data = data.clone();
        }

        /** A copy of the values. */
        @Override
        public float[] data() {
            return data.clone();
        }

        String shape() {
            return rows + "x" + columns;
        }
    }

    private final Path source;
    private final Map<String, String> meta;
    private final Map<String, Tensor> tensors;

    private Checkpoint(Path source, Map<String, String> meta, Map<String, Tensor> tensors) {
        this.source = source;
        this.meta = Collections.unmodifiableMap(meta);
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** The metadata, in file order (unmodifiable). */
    public Map<String, String> meta() {
        return meta;
    }

    /**
     * The value of metadata {@code key}.
     *
     * @throws IllegalArgumentException when the checkpoint has no such key
     */
    public String meta(String key) {
        String v = meta.get(key);
        if (v == null) {
            throw new IllegalArgumentException("checkpoint " + source + " has no metadata key '" + key + "' (it has "
                    + meta.keySet() + ")");
        }
        return v;
    }

    /** The tensors by name, in file order (unmodifiable). */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** The file this checkpoint was read from. */
    public Path source() {
        return source;
    }

    /**
     * Saves {@code params}' values and {@code meta} to {@code file}, replacing it atomically (see the class
     * comment). Creates missing parent directories.
     *
     * @throws IllegalArgumentException for a metadata key that is empty or holds '=' or a line break, a value
     *                                  with a line break, or two parameters of the same name
     * @throws IOException              when the file cannot be written; an existing {@code file} is then unchanged
     */
    public static void save(Path file, Map<String, String> meta, List<Param> params) throws IOException {
        byte[] metaBytes = encodeMeta(meta).getBytes(StandardCharsets.UTF_8);
        Set<String> names = new HashSet<>();
        for (Param p : params) {
            if (p.name == null || p.name.isEmpty()) {
                throw new IllegalArgumentException("Checkpoint.save: every parameter needs a name, got " + p);
            }
            if (!names.add(p.name)) {
                throw new IllegalArgumentException("Checkpoint.save: two parameters are named " + p.name
                        + "; names must be unique to be matched on load");
            }
        }
        AtomicFiles.write(file, out -> {
            LittleEndianWriter w = new LittleEndianWriter(out);
            w.bytes(MAGIC_BYTES, MAGIC_BYTES.length);
            w.int32(VERSION);
            w.int32(metaBytes.length);
            w.bytes(metaBytes, metaBytes.length);
            w.int32(params.size());
            for (Param p : params) {
                byte[] name = p.name.getBytes(StandardCharsets.UTF_8);
                w.int32(name.length);
                w.bytes(name, name.length);
                w.int32(p.value.rows);
                w.int32(p.value.columns);
                w.floats(p.value.data, p.value.length);
            }
            w.finishWithCrc();
        }, true);
    }

    private static String encodeMeta(Map<String, String> meta) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : meta.entrySet()) {
            String k = e.getKey(), v = e.getValue();
            if (k == null || k.isEmpty() || k.indexOf('=') >= 0 || hasLineBreak(k)) {
                throw new IllegalArgumentException("Checkpoint.save: metadata key \"" + k
                        + "\" must be non-empty, without '=' or line breaks");
            }
            if (v == null || hasLineBreak(v)) {
                throw new IllegalArgumentException("Checkpoint.save: metadata value of " + k
                        + " must be non-null and on one line, got \"" + v + "\"");
            }
            if (b.length() > 0) {
                b.append('\n');
            }
            b.append(k).append('=').append(v);
        }
        return b.toString();
    }

    private static boolean hasLineBreak(String s) {
        return s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
    }

    /**
     * Reads a checkpoint written by {@link #save}.
     *
     * @throws IOException naming {@code file} and the problem when it cannot be read, is not a checkpoint (bad
     *                     magic), has another version, is truncated, or fails its CRC
     */
    public static Checkpoint read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 16) {
            throw new IOException("checkpoint " + file + ": " + size + " bytes is too large to be a trot checkpoint");
        }
        byte[] bytes = Files.readAllBytes(file);
        return new Reader(file, bytes).read();
    }

    /**
     * Copies the stored values into {@code params}, matched by name. Everything is checked before anything is
     * copied, so on failure {@code params} are unchanged.
     *
     * @throws IllegalArgumentException naming the file and every problem: a parameter with no stored tensor, a
     *                                  shape mismatch (name, both shapes), or a stored tensor that no parameter
     *                                  takes
     */
    public void loadInto(List<Param> params) {
        List<String> problems = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        for (Param p : params) {
            if (!taken.add(p.name)) {
                problems.add("two parameters are named " + p.name);
                continue;
            }
            Tensor t = tensors.get(p.name);
            if (t == null) {
                problems.add("missing tensor " + p.name + " (" + p.value.rows + "x" + p.value.columns + ")");
            } else if (t.rows != p.value.rows || t.columns != p.value.columns) {
                problems.add("tensor " + p.name + " is " + t.shape() + " in the file but " + p.value.rows + "x"
                        + p.value.columns + " in the network");
            }
        }
        for (String name : tensors.keySet()) {
            if (!taken.contains(name)) {
                problems.add("unexpected tensor " + name + " (" + tensors.get(name).shape() + ") that no parameter takes");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("checkpoint " + source + " does not fit the network: "
                    + String.join("; ", problems) + (meta.isEmpty() ? "" : " (checkpoint metadata: " + meta + ")"));
        }
        for (Param p : params) {
            float[] d = tensors.get(p.name).data;
            System.arraycopy(d, 0, p.value.data, 0, d.length);
        }
    }

    @Override
    public String toString() {
        return "Checkpoint(" + source + ", " + tensors.size() + " tensors, " + meta + ")";
    }

    /** Little-endian output with a running CRC-32. */
    private static final class LittleEndianWriter {
        private final OutputStream out;
        private final CRC32 crc = new CRC32();
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 15).order(ByteOrder.LITTLE_ENDIAN);

        LittleEndianWriter(OutputStream out) {
            this.out = out;
        }

        void int32(int v) throws IOException {
            room(4);
            buf.putInt(v);
        }

        void bytes(byte[] b, int n) throws IOException {
            for (int off = 0; off < n; ) {
                room(1);
                int k = Math.min(buf.remaining(), n - off);
                buf.put(b, off, k);
                off += k;
            }
        }

        void floats(float[] f, int n) throws IOException {
            for (int i = 0; i < n; i++) {
                room(4);
                buf.putFloat(f[i]);
            }
        }

        private void room(int n) throws IOException {
            if (buf.remaining() < n) {
                drain();
            }
        }

        private void drain() throws IOException {
            crc.update(buf.array(), 0, buf.position());
            out.write(buf.array(), 0, buf.position());
            buf.clear();
        }

        /** Writes everything pending, then the CRC of all bytes written (not itself included). */
        void finishWithCrc() throws IOException {
            drain();
            buf.putInt((int) crc.getValue());
            out.write(buf.array(), 0, 4);
            buf.clear();
        }
    }

    /** Parses a whole file held in memory, checking every length against what is left. */
    private static final class Reader {
        private final Path file;
        private final byte[] bytes;
        private final ByteBuffer in;

        Reader(Path file, byte[] bytes) {
            this.file = file;
            this.bytes = bytes;
            this.in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        private IOException fail(String problem) {
            return new IOException("checkpoint " + file + ": " + problem);
        }

        /** Throws unless {@code n} more bytes remain for {@code what}. */
        private void need(long n, String what) throws IOException {
            if (n > in.remaining()) {
                throw fail("truncated or corrupted: " + what + " needs " + n + " bytes at offset " + in.position()
                        + " but the file has only " + in.remaining() + " left (" + bytes.length + " bytes in all)");
            }
        }

        Checkpoint read() throws IOException {
            int magicHave = Math.min(MAGIC_BYTES.length, bytes.length);
            for (int i = 0; i < magicHave; i++) {
                if (bytes[i] != MAGIC_BYTES[i]) {
                    throw fail("not a trot checkpoint (bad magic: the file does not start with \"" + MAGIC + "\")");
                }
            }
            need(MAGIC_BYTES.length + 4, "the header (magic and version)");
            in.position(MAGIC_BYTES.length);
            int version = in.getInt();
            if (version != VERSION) {
                throw fail("unsupported version " + version + " (this trot reads version " + VERSION + ")");
            }
            String metaText = string("the metadata");
            Map<String, String> meta = parseMeta(metaText);
            need(4, "the tensor count");
            int count = in.getInt();
            if (count < 0) {
                throw fail("corrupted: negative tensor count " + count);
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (int k = 0; k < count; k++) {
                String name = string("the name of tensor " + k);
                need(8, "the shape of tensor " + name);
                int rows = in.getInt(), columns = in.getInt();
                if (rows <= 0 || columns <= 0) {
                    throw fail("corrupted: tensor " + name + " has shape " + rows + "x" + columns);
                }
                long n = (long) rows * columns;
                need(4 * n, "the data of tensor " + name + " (" + rows + "x" + columns + ")");
                float[] data = new float[(int) n];
                in.asFloatBuffer().get(data);
                in.position(in.position() + 4 * (int) n);
                if (tensors.put(name, new Tensor(name, rows, columns, data)) != null) {
                    throw fail("corrupted: two tensors are named " + name);
                }
            }
            need(4, "the CRC-32 at the end");
            int crcOffset = in.position();
            int stored = in.getInt();
            if (in.hasRemaining()) {
                throw fail("corrupted: " + in.remaining() + " unexpected bytes after the CRC-32");
            }
            CRC32 crc = new CRC32();
            crc.update(bytes, 0, crcOffset);
            if ((int) crc.getValue() != stored) {
                throw fail(String.format("corrupted: CRC-32 mismatch (stored %08x, computed %08x)", stored,
                        (int) crc.getValue()));
            }
            return new Checkpoint(file, meta, tensors);
        }

        private String string(String what) throws IOException {
            need(4, "the length of " + what);
            int n = in.getInt();
            if (n < 0) {
                throw fail("corrupted: negative length " + n + " for " + what);
            }
            need(n, what);
            String s = new String(bytes, in.position(), n, StandardCharsets.UTF_8);
            in.position(in.position() + n);
            return s;
        }

        private Map<String, String> parseMeta(String text) throws IOException {
            Map<String, String> meta = new LinkedHashMap<>();
            if (text.isEmpty()) {
                return meta;
            }
            for (String line : text.split("\n", -1)) {
                int eq = line.indexOf('=');
                if (eq <= 0) {
                    throw fail("corrupted: metadata line \"" + line + "\" is not key=value");
                }
                if (meta.put(line.substring(0, eq), line.substring(eq + 1)) != null) {
                    throw fail("corrupted: metadata key " + line.substring(0, eq) + " appears twice");
                }
            }
            return meta;
        }
    }
}

package trot.io;

import trot.util.StateReader;
import trot.util.StateWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;

/**
 * A run's complete state at a step boundary: key=value metadata and named arrays of float32, int64 and float64,
 * in one file that is replaced atomically (temporary file, fsync, rename, fsync of the folder: {@link AtomicFiles}).
 *
 * <h2>Format, version 1 (little-endian)</h2>
 * <pre>
 *   bytes    "TROTSNAP"                      magic, 8 ASCII bytes
 *   int32    1                               version
 *   string   metadata                        "key=value" lines joined by '\n'
 *   int32    count                           number of entries
 *   count times:
 *     string   name                          for example "learner.critic0.online.fc0.weight"
 *     uint8    type                          1 float32, 2 int64, 3 float64
 *     int32    length                        number of elements
 *     data     length elements of the type
 *   uint32   CRC-32C                         (Castagnoli) of every byte before it
 * </pre>
 * A {@code string} is an int32 byte length and that many bytes of UTF-8. A reader checks the magic, the version,
 * every length against the bytes left and the CRC before it returns anything, so a truncated, corrupt or foreign
 * file is an {@link IOException} naming the file and the problem, never a half-loaded state.
 *
 * <p>Built with {@link #builder()}, which copies what it is given (the {@link StateWriter} contract).
 */
public final class Snapshot implements StateReader {
    public static final String MAGIC = "TROTSNAP";
    public static final int VERSION = 1;
    private static final byte[] MAGIC_BYTES = MAGIC.getBytes(StandardCharsets.US_ASCII);
    private static final int FLOAT32 = 1, INT64 = 2, FLOAT64 = 3;
    private static final String[] TYPE_NAMES = {"?", "float32", "int64", "float64"};

    private final Path source;
    private final Map<String, String> meta;
    private final Map<String, Object> entries;

    private Snapshot(Path source, Map<String, String> meta, Map<String, Object> entries) {
        this.source = source;
        this.meta = Collections.unmodifiableMap(meta);
        this.entries = Collections.unmodifiableMap(entries);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The metadata, in file order. */
    public Map<String, String> meta() {
        return meta;
    }

    /**
     * @throws IllegalArgumentException naming the file when there is no such key
     */
    public String meta(String key) {
        String v = meta.get(key);
        if (v == null) {
            throw new IllegalArgumentException("snapshot " + source + " has no metadata key '" + key + "'");
        }
        return v;
    }

    /** Entry names, in file order. */
    public java.util.Set<String> names() {
        return entries.keySet();
    }

    /** The number of elements of entry {@code name}, or -1 when there is none. */
    public int length(String name) {
        Object v = entries.get(name);
        return v == null ? -1 : lengthOf(v);
    }

    /** Whether entry {@code name} holds float32 values. */
    public boolean isFloats(String name) {
        return entries.get(name) instanceof float[];
    }

    public Path source() {
        return source;
    }

    @Override
    public void floats(String name, float[] into) {
        float[] v = (float[]) entry(name, FLOAT32, into.length);
        System.arraycopy(v, 0, into, 0, v.length);
    }

    @Override
    public void longs(String name, long[] into) {
        long[] v = (long[]) entry(name, INT64, into.length);
        System.arraycopy(v, 0, into, 0, v.length);
    }

    @Override
    public void doubles(String name, double[] into) {
        double[] v = (double[]) entry(name, FLOAT64, into.length);
        System.arraycopy(v, 0, into, 0, v.length);
    }

    private Object entry(String name, int type, int length) {
        Object v = entries.get(name);
        if (v == null) {
            throw new IllegalArgumentException("snapshot " + source + " has no entry " + name
                    + " (it was written by another configuration or version of trot)");
        }
        int t = typeOf(v), n = lengthOf(v);
        if (t != type || n != length) {
            throw new IllegalArgumentException("snapshot " + source + ": entry " + name + " holds " + n + " "
                    + TYPE_NAMES[t] + " values, this run expects " + length + " " + TYPE_NAMES[type]
                    + " (the snapshot is of another configuration or size)");
        }
        return v;
    }

    private static int typeOf(Object v) {
        return v instanceof float[] ? FLOAT32 : v instanceof long[] ? INT64 : FLOAT64;
    }

    private static int lengthOf(Object v) {
        return v instanceof float[] f ? f.length : v instanceof long[] l ? l.length : ((double[]) v).length;
    }

    /** Collects metadata and copies of arrays, then writes them. */
    public static final class Builder implements StateWriter {
        private final Map<String, String> meta = new LinkedHashMap<>();
        private final Map<String, Object> entries = new LinkedHashMap<>();

        public Builder meta(String key, String value) {
            if (key == null || key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\n') >= 0
                    || value == null || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("Snapshot: metadata " + key + "=" + value
                        + " must be a non-empty key without '=' and values on one line");
            }
            meta.put(key, value);
            return this;
        }

        private void put(String name, Object copy) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("Snapshot: an entry needs a name");
            }
            if (entries.putIfAbsent(name, copy) != null) {
                throw new IllegalArgumentException("Snapshot: entry " + name + " written twice");
            }
        }

        @Override
        public void floats(String name, float[] values) {
            put(name, values.clone());
        }

        @Override
        public void longs(String name, long[] values) {
            put(name, values.clone());
        }

        @Override
        public void doubles(String name, double[] values) {
            put(name, values.clone());
        }

        /** {@link #floats} returning this builder. */
        public Builder floatsAnd(String name, float[] values) {
            floats(name, values);
            return this;
        }

        /** {@link #longs} returning this builder. */
        public Builder longsAnd(String name, long[] values) {
            longs(name, values);
            return this;
        }

        /** {@link #doubles} returning this builder. */
        public Builder doublesAnd(String name, double[] values) {
            doubles(name, values);
            return this;
        }

        /** What {@link #read} would return for the file {@link #write} writes (for tests and in-memory use). */
        public Snapshot build(Path source) {
            return new Snapshot(source, new LinkedHashMap<>(meta), new LinkedHashMap<>(entries));
        }

        /**
         * Replaces {@code file} atomically and durably with this snapshot.
         *
         * @throws IOException when it cannot be written (a full disk, say); {@code file} is then as it was
         */
        public void write(Path file) throws IOException {
            write(file, UnaryOperator.identity());
        }

        /** {@link #write(Path)} through {@code wrap} (tests inject failing streams). */
        void write(Path file, UnaryOperator<OutputStream> wrap) throws IOException {
            AtomicFiles.write(file, raw -> {
                OutputStream out = wrap.apply(raw);
                CRC32C crc = new CRC32C();
                ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                Sink s = new Sink(out, crc, buf);
                s.bytes(MAGIC_BYTES);
                s.int32(VERSION);
                StringBuilder m = new StringBuilder();
                for (Map.Entry<String, String> e : meta.entrySet()) {
                    if (m.length() > 0) {
                        m.append('\n');
                    }
                    m.append(e.getKey()).append('=').append(e.getValue());
                }
                s.string(m.toString());
                s.int32(entries.size());
                for (Map.Entry<String, Object> e : entries.entrySet()) {
                    Object v = e.getValue();
                    s.string(e.getKey());
                    s.room(5);
                    buf.put((byte) typeOf(v));
                    buf.putInt(lengthOf(v));
                    if (v instanceof float[] f) {
                        for (float x : f) {
                            s.room(4);
                            buf.putFloat(x);
                        }
                    } else if (v instanceof long[] l) {
                        for (long x : l) {
                            s.room(8);
                            buf.putLong(x);
                        }
                    } else {
                        for (double x : (double[]) v) {
                            s.room(8);
                            buf.putDouble(x);
                        }
                    }
                }
                s.drain();
                buf.putInt((int) crc.getValue());
                out.write(buf.array(), 0, 4);
                out.flush();
            }, true);
        }
    }

    private record Sink(OutputStream out, CRC32C crc, ByteBuffer buf) {
        void room(int n) throws IOException {
            if (buf.remaining() < n) {
                drain();
            }
        }

        void drain() throws IOException {
            crc.update(buf.array(), 0, buf.position());
            out.write(buf.array(), 0, buf.position());
            buf.clear();
        }

        void int32(int v) throws IOException {
            room(4);
            buf.putInt(v);
        }

        void bytes(byte[] b) throws IOException {
            for (int off = 0; off < b.length; ) {
                room(1);
                int k = Math.min(buf.remaining(), b.length - off);
                buf.put(b, off, k);
                off += k;
            }
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            int32(b.length);
            bytes(b);
        }
    }

    /**
     * Reads a snapshot written by {@link Builder#write}.
     *
     * @throws NoSuchFileException when there is no such file (the message names it)
     * @throws IOException         naming the file and the problem: not a snapshot, another version, truncated,
     *                             corrupt (CRC-32C mismatch)
     */
    public static Snapshot read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no snapshot here; is this the directory of a run"
                    + " that trot train wrote with snapshots on?");
        }
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 16) {
            throw new IOException("snapshot " + file + ": " + size + " bytes is too large to be a trot snapshot");
        }
        return parse(file, Files.readAllBytes(file));
    }

    /** Parses the bytes of a snapshot file ({@code file} only names it in messages). */
    public static Snapshot parse(Path file, byte[] bytes) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < Math.min(MAGIC_BYTES.length, bytes.length); i++) {
            if (bytes[i] != MAGIC_BYTES[i]) {
                throw fail(file, "not a trot snapshot (the file does not start with \"" + MAGIC + "\")");
            }
        }
        need(file, in, MAGIC_BYTES.length + 4, "the header");
        in.position(MAGIC_BYTES.length);
        int version = in.getInt();
        if (version != VERSION) {
            throw fail(file, "format version " + version + ", this trot reads version " + VERSION);
        }
        // The CRC first: every later complaint is then about a file as it was written, not a damaged one.
        if (bytes.length < 16) {
            throw fail(file, "truncated: " + bytes.length + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if ((int) crc.getValue() != stored) {
            throw fail(file, String.format("truncated or corrupt: CRC-32C mismatch (stored %08x, computed %08x over"
                    + " %d bytes)", stored, (int) crc.getValue(), bytes.length - 4));
        }
        ByteBuffer body = ByteBuffer.wrap(bytes, 0, bytes.length - 4).order(ByteOrder.LITTLE_ENDIAN);
        body.position(MAGIC_BYTES.length + 4);
        Map<String, String> meta = new LinkedHashMap<>();
        String text = string(file, body, "the metadata");
        if (!text.isEmpty()) {
            for (String line : text.split("\n", -1)) {
                int eq = line.indexOf('=');
                if (eq <= 0 || meta.put(line.substring(0, eq), line.substring(eq + 1)) != null) {
                    throw fail(file, "corrupt metadata line \"" + line + "\"");
                }
            }
        }
        need(file, body, 4, "the entry count");
        int count = body.getInt();
        if (count < 0) {
            throw fail(file, "corrupt: negative entry count " + count);
        }
        Map<String, Object> entries = new LinkedHashMap<>();
        for (int k = 0; k < count; k++) {
            String name = string(file, body, "the name of entry " + k);
            need(file, body, 5, "the type and length of entry " + name);
            int type = body.get(), n = body.getInt();
            if (n < 0) {
                throw fail(file, "corrupt: entry " + name + " has length " + n);
            }
            Object v;
            switch (type) {
                case FLOAT32 -> {
                    need(file, body, 4L * n, "the data of entry " + name);
                    float[] f = new float[n];
                    body.asFloatBuffer().get(f);
                    body.position(body.position() + 4 * n);
                    v = f;
                }
                case INT64 -> {
                    need(file, body, 8L * n, "the data of entry " + name);
                    long[] l = new long[n];
                    body.asLongBuffer().get(l);
                    body.position(body.position() + 8 * n);
                    v = l;
                }
                case FLOAT64 -> {
                    need(file, body, 8L * n, "the data of entry " + name);
                    double[] d = new double[n];
                    body.asDoubleBuffer().get(d);
                    body.position(body.position() + 8 * n);
                    v = d;
                }
                default -> throw fail(file, "corrupt: entry " + name + " has unknown type " + type);
            }
            if (entries.put(name, v) != null) {
                throw fail(file, "corrupt: two entries are named " + name);
            }
        }
        if (body.hasRemaining()) {
            throw fail(file, "corrupt: " + body.remaining() + " unexpected bytes before the CRC");
        }
        return new Snapshot(file, meta, entries);
    }

    private static IOException fail(Path file, String problem) {
        return new IOException("snapshot " + file + ": " + problem + "; the file is left as it is");
    }

    private static void need(Path file, ByteBuffer in, long n, String what) throws IOException {
        if (n > in.remaining()) {
            throw fail(file, "truncated or corrupt: " + what + " needs " + n + " bytes at offset " + in.position()
                    + ", only " + in.remaining() + " are left");
        }
    }

    private static String string(Path file, ByteBuffer in, String what) throws IOException {
        need(file, in, 4, "the length of " + what);
        int n = in.getInt();
        if (n < 0) {
            throw fail(file, "corrupt: negative length " + n + " for " + what);
        }
        need(file, in, n, what);
        String s = new String(in.array(), in.position(), n, StandardCharsets.UTF_8);
        in.position(in.position() + n);
        return s;
    }
}

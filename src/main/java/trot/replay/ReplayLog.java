package trot.replay;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * An append-only, checksummed log of every transition a run stored in its replay buffer, written as it arrives,
 * so a killed run can rebuild its buffer.
 *
 * <h2>Format, version 1 (little-endian)</h2>
 * <pre>
 *   header:
 *     bytes    "TROTRLOG"        magic, 8 ASCII bytes
 *     int32    1                 version
 *     int32    observation size  O
 *     int32    action size       A
 *     int32    n, bytes[n]       the environment's name, UTF-8
 *     uint32   CRC-32C           of the header bytes before it
 *   then one record per transition:
 *     uint32   length            of the payload: 8 + 4 (2 O + A + 1) + 1 bytes
 *     uint32   CRC-32C           of the payload
 *     payload: int64 step (the environment step that produced it, increasing), float32 s[O], float32 a[A]
 *              (the agent's action in [-1, 1]), float32 r, float32 s'[O], uint8 terminated (0 or 1)
 * </pre>
 *
 * <h2>Durability</h2>
 * {@link #append} hands each record to the operating system at once (one {@code write}): a kill -9 of the JVM
 * loses at most the record being written, which then shows as a torn tail. {@link #force} (fsync) is called by the
 * trainer before every snapshot and at a clean stop: a power loss or a crash of the host can lose the records
 * appended since, which the snapshot does not cover anyway (see {@code docs/recovery.md}).
 *
 * <h2>Recovery</h2>
 * {@link #recover} checks the header (a log of another environment, size or version is refused), replays the
 * records the snapshot covers into a buffer, and cuts what follows: valid records beyond the snapshot (collected
 * after it, and collected again identically by the resumed simulation) and a torn or corrupt tail, saying how many
 * of each it dropped. {@link #append} allocates nothing.
 */
public final class ReplayLog implements AutoCloseable {
    public static final String MAGIC = "TROTRLOG";
    public static final int VERSION = 1;
    private static final byte[] MAGIC_BYTES = MAGIC.getBytes(StandardCharsets.US_ASCII);

    private final Path file;
    private final FileChannel channel;
    private final int observationSize, actionSize, payloadBytes;
    private final ByteBuffer record;
    private final CRC32C crc = new CRC32C();
    private long count;
    private long lastStep;

    private ReplayLog(Path file, FileChannel channel, int observationSize, int actionSize, long count, long lastStep) {
        this.file = file;
        this.channel = channel;
        this.observationSize = observationSize;
        this.actionSize = actionSize;
        this.payloadBytes = payloadBytes(observationSize, actionSize);
        this.record = ByteBuffer.allocateDirect(8 + payloadBytes).order(ByteOrder.LITTLE_ENDIAN);
        this.count = count;
        this.lastStep = lastStep;
    }

    static int payloadBytes(int o, int a) {
        return 8 + 4 * (2 * o + a + 1) + 1;
    }

    /** Bytes one record takes in the file. */
    public static int recordBytes(int observationSize, int actionSize) {
        return 8 + payloadBytes(observationSize, actionSize);
    }

    /**
     * Creates a new, empty log (its header forced to disk).
     *
     * @param overwrite replace an existing file; otherwise an existing file is an error
     */
    public static ReplayLog create(Path file, String environment, int observationSize, int actionSize, boolean overwrite)
            throws IOException {
        if (observationSize <= 0 || actionSize <= 0) {
            throw new IllegalArgumentException("ReplayLog: sizes must be positive, got " + observationSize + ", " + actionSize);
        }
        byte[] header = header(environment, observationSize, actionSize);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ,
                overwrite ? StandardOpenOption.CREATE : StandardOpenOption.CREATE_NEW, StandardOpenOption.TRUNCATE_EXISTING);
        try {
            ByteBuffer b = ByteBuffer.wrap(header);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new ReplayLog(file, ch, observationSize, actionSize, 0, Long.MIN_VALUE);
    }

    private static byte[] header(String environment, int o, int a) {
        byte[] name = environment.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * 4 + name.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC_BYTES).putInt(VERSION).putInt(o).putInt(a).putInt(name.length).put(name);
        CRC32C c = new CRC32C();
        c.update(b.array(), 0, b.position());
        b.putInt((int) c.getValue());
        return b.array();
    }

    /**
     * Appends one transition and hands it to the operating system (no fsync). Allocation-free.
     *
     * @param step the environment step that produced it; must increase from record to record
     * @throws IllegalArgumentException for arrays of the wrong length or a step that does not increase
     * @throws IOException              when the write fails (a full disk): the log then ends with a torn record at
     *                                  worst, which recovery cuts
     */
    public void append(long step, float[] observation, float[] action, float reward, float[] nextObservation,
                       boolean terminated) throws IOException {
        if (observation.length != observationSize || nextObservation.length != observationSize
                || action.length != actionSize) {
            throw new IllegalArgumentException("ReplayLog " + file + ": a transition of " + observation.length + ", "
                    + action.length + ", " + nextObservation.length + " numbers, the log holds " + observationSize
                    + ", " + actionSize + ", " + observationSize);
        }
        if (step <= lastStep) {
            throw new IllegalArgumentException("ReplayLog " + file + ": step " + step + " after step " + lastStep);
        }
        final ByteBuffer r = record;
        r.clear();
        r.position(8);
        r.putLong(step);
        for (float v : observation) {
            r.putFloat(v);
        }
        for (float v : action) {
            r.putFloat(v);
        }
        r.putFloat(reward);
        for (float v : nextObservation) {
            r.putFloat(v);
        }
        r.put((byte) (terminated ? 1 : 0));
        r.flip();
        r.position(8);
        crc.reset();
        crc.update(r);
        r.putInt(0, payloadBytes);
        r.putInt(4, (int) crc.getValue());
        r.position(0);
        while (r.hasRemaining()) {
            channel.write(r);
        }
        count++;
        lastStep = step;
    }

    /** Forces every record appended so far to the storage device (fsync): what survives a power loss. */
    public void force() throws IOException {
        channel.force(false);
    }

    /** The step of the last record (Long.MIN_VALUE for an empty log). */
    public long lastStep() {
        return lastStep;
    }

    /** Records in the log. */
    public long count() {
        return count;
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        if (channel.isOpen()) {
            try {
                channel.force(false);
            } finally {
                channel.close();
            }
        }
    }

    /** What {@link #recover} found and did. */
    public record Recovery(ReplayLog log, long replayed, long droppedAfterSnapshot, long tornBytes, String tornReason) {
        /** One line for the user: what was replayed and what was cut. */
        public String message() {
            StringBuilder b = new StringBuilder("replay log " + log.file + ": " + replayed + " transitions replayed");
            if (droppedAfterSnapshot > 0) {
                b.append("; ").append(droppedAfterSnapshot).append(" transitions collected after the snapshot were"
                        + " dropped (the resumed run collects them again)");
            }
            if (tornBytes > 0) {
                b.append("; a torn or corrupt tail of ").append(tornBytes).append(" bytes (").append(tornReason)
                        .append(") was cut: at most one transition that was being written when the run stopped");
            }
            return b.toString();
        }
    }

    /**
     * Opens the log of a run to resume it: checks the header, adds the first {@code keep} records to
     * {@code into} (in order, through {@link ReplayBuffer#add}), and, only once all of that has succeeded, cuts
     * the file after them and opens it for appending.
     *
     * @param keep the records the snapshot covers; {@code Long.MAX_VALUE} for every valid record (keeping the
     *             transitions collected after the snapshot, as a robot's run may want)
     * @throws NoSuchFileException when the file is missing
     * @throws IOException naming the file and the problem when it is not a replay log, of another version,
     *                     environment or size, or holds fewer than {@code keep} valid records; the file is then
     *                     unchanged (the buffer may hold some of them: discard it)
     */
    public static Recovery recover(Path file, String environment, int observationSize, int actionSize, long keep,
                                   ReplayBuffer into) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "the replay log is missing; without it the run's"
                    + " transitions cannot be rebuilt (start the run again, or restore the file)");
        }
        if (into.observationSize() != observationSize || into.actionSize() != actionSize) {
            throw new IllegalArgumentException("ReplayLog.recover: the buffer holds " + into.observationSize() + " and "
                    + into.actionSize() + " numbers, the log " + observationSize + " and " + actionSize);
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        boolean ok = false;
        try {
            long size = ch.size();
            byte[] expected = header(environment, observationSize, actionSize);
            ByteBuffer h = ByteBuffer.allocate((int) Math.min(size, 4096)).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, h, 0);
            h.flip();
            checkHeader(file, h, expected, environment, observationSize, actionSize);
            final int payload = payloadBytes(observationSize, actionSize);
            final ByteBuffer r = ByteBuffer.allocateDirect(8 + payload).order(ByteOrder.LITTLE_ENDIAN);
            final float[] o = new float[observationSize], a = new float[actionSize], o2 = new float[observationSize];
            final CRC32C c = new CRC32C();
            long pos = expected.length, replayed = 0, beyond = 0, lastStep = Long.MIN_VALUE, keptEnd = pos, keptLast = lastStep;
            String torn = null;
            while (pos < size) {
                if (size - pos < 8 + payload) {
                    torn = "a record of " + (size - pos) + " bytes where " + (8 + payload) + " were due";
                    break;
                }
                r.clear();
                readFully(ch, r, pos);
                int length = r.getInt(0), stored = r.getInt(4);
                if (length != payload) {
                    torn = "a record length of " + Integer.toUnsignedString(length) + " where " + payload + " was due";
                    break;
                }
                r.position(8);
                c.reset();
                c.update(r);
                if ((int) c.getValue() != stored) {
                    torn = "a CRC-32C mismatch";
                    break;
                }
                long step = r.getLong(8);
                byte term = r.get(8 + payload - 1);
                if (step <= lastStep || (term != 0 && term != 1)) {
                    torn = step <= lastStep ? "step " + step + " after step " + lastStep : "a terminated flag of " + term;
                    break;
                }
                lastStep = step;
                if (replayed < keep) {
                    r.position(16);
                    r.asFloatBuffer().get(o);
                    r.position(16 + 4 * observationSize);
                    r.asFloatBuffer().get(a);
                    float reward = r.getFloat(16 + 4 * (observationSize + actionSize));
                    r.position(16 + 4 * (observationSize + actionSize + 1));
                    r.asFloatBuffer().get(o2);
                    into.add(o, a, reward, o2, term == 1);
                    replayed++;
                    keptEnd = pos + 8 + payload;
                    keptLast = step;
                } else {
                    beyond++;
                }
                pos += 8 + payload;
            }
            if (keep != Long.MAX_VALUE && replayed < keep) {
                throw new IOException("replay log " + file + ": holds " + replayed + " valid transitions but the snapshot"
                        + " covers " + keep + (torn != null ? " (then " + torn + " at offset " + pos + ")" : "")
                        + "; the log is damaged or belongs to another run; the file is left as it is");
            }
            long tornBytes = size - pos;
            if (keptEnd < size) {
                ch.truncate(keptEnd);
                ch.force(true);
            }
            ch.position(keptEnd);
            ok = true;
            return new Recovery(new ReplayLog(file, ch, observationSize, actionSize, replayed, keptLast), replayed,
                    beyond, tornBytes, torn);
        } finally {
            if (!ok) {
                ch.close();
            }
        }
    }

    private static void checkHeader(Path file, ByteBuffer h, byte[] expected, String environment, int o, int a)
            throws IOException {
        String what = "replay log " + file + ": ";
        String tail = "; the file is left as it is";
        for (int i = 0; i < Math.min(MAGIC_BYTES.length, h.limit()); i++) {
            if (h.get(i) != MAGIC_BYTES[i]) {
                throw new IOException(what + "not a trot replay log (it does not start with \"" + MAGIC + "\")" + tail);
            }
        }
        if (h.limit() < 24) {
            throw new IOException(what + "truncated header (" + h.limit() + " bytes)" + tail);
        }
        int version = h.getInt(8), fo = h.getInt(12), fa = h.getInt(16), n = h.getInt(20);
        if (version != VERSION) {
            throw new IOException(what + "format version " + version + ", this trot reads version " + VERSION + tail);
        }
        if (n < 0 || 24L + n + 4 > h.limit()) {
            throw new IOException(what + "truncated or corrupt header (name length " + n + ")" + tail);
        }
        byte[] name = new byte[n];
        h.get(24, name);
        CRC32C c = new CRC32C();
        c.update(h.array(), 0, 24 + n);
        if ((int) c.getValue() != h.getInt(24 + n)) {
            throw new IOException(what + "corrupt header (CRC-32C mismatch)" + tail);
        }
        String env = new String(name, StandardCharsets.UTF_8);
        if (!env.equals(environment) || fo != o || fa != a) {
            throw new IOException(what + "a log of " + env + " (observations " + fo + ", actions " + fa
                    + "), this run is " + environment + " (" + o + ", " + a + ")" + tail);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                return;
            }
            pos += n;
        }
    }
}

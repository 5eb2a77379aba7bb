package trot.link;

import java.util.zip.CRC32C;

/**
 * Wire bytes to messages (protocol.md section 1): accumulates bytes up to a 0x00, then checks the frame in the
 * spec's order (too_long, cobs, too_short, crc, version, length, type, payload_length). A frame that fails a check
 * is counted under its {@link FrameError} and dropped: the messages are only written by a good packet. A good
 * packet is decoded into this decoder's own message of its type ({@link #state()}, ...), which stays valid until the
 * next good packet of that type.
 *
 * <p>Use from one thread. Allocates nothing after construction.
 *
 * <pre>{@code
 * int r = decoder.feed(b);
 * if (r == Protocol.STATE) use(decoder.state(), decoder.seq());
 * else if (r == FrameDecoder.ERROR) log(decoder.error());
 * }</pre>
 */
public final class FrameDecoder {
    /** {@link #feed} result: no frame completed (or an empty frame, which is ignored). */
    public static final int NONE = -1;
    /** {@link #feed} result: the frame completed was dropped; {@link #error()} says why. */
    public static final int ERROR = -2;

    /** Receives the frames {@link #feed(byte[], int, int, Handler)} completes. */
    public interface Handler {
        /** A good packet of {@code type} ({@link Protocol#STATE}, ...), decoded into {@code decoder}'s message. */
        void onPacket(FrameDecoder decoder, int type);

        /** A dropped frame. */
        default void onError(FrameDecoder decoder, FrameError error) {
        }
    }

    private final byte[] frame = new byte[Protocol.MAX_FRAME];
    private final byte[] packet = new byte[Protocol.MAX_FRAME];
    private final CRC32C crc = new CRC32C();
    private int length;
    private boolean overflowed;
    private final long[] errors = new long[FrameError.count()];
    private long good;

    private int type;
    private long seq;
    private int headerVersion;
    private FrameError error;

    private final Hello hello = new Hello();
    private final HelloAck helloAck = new HelloAck();
    private final Command command = new Command();
    private final Arm arm = new Arm();
    private final State state = new State();
    private final Heartbeat heartbeat = new Heartbeat();
    private final Estop estop = new Estop();
    private final Fault fault = new Fault();

    /**
     * Feeds one byte.
     *
     * @return {@link #NONE} while a frame is incomplete (and for an empty frame); the type of the good packet this
     *         byte completed ({@link Protocol#STATE}, ..., always positive); or {@link #ERROR}
     */
    public int feed(byte b) {
        if (b != 0) {
            if (length < Protocol.MAX_FRAME) {
                frame[length++] = b;
            } else {
                overflowed = true;
            }
            return NONE;
        }
        int result;
        if (overflowed) {
            result = fail(FrameError.TOO_LONG);
        } else if (length == 0) {
            result = NONE;
        } else {
            result = check(Cobs.decode(frame, 0, length, packet, 0));
        }
        length = 0;
        overflowed = false;
        return result;
    }

    /** Feeds {@code n} bytes from {@code buf[offset..]}, telling {@code handler} about each frame they complete. */
    public void feed(byte[] buf, int offset, int n, Handler handler) {
        for (int i = offset, end = offset + n; i < end; i++) {
            int r = feed(buf[i]);
            if (r == ERROR) {
                handler.onError(this, error);
            } else if (r != NONE) {
                handler.onPacket(this, r);
            }
        }
    }

    /** Forgets a partly received frame (after reopening a port); the counters stay. */
    public void resetFrame() {
        length = 0;
        overflowed = false;
    }

    private int check(int n) {
        if (n < 0) {
            return fail(FrameError.COBS);
        }
        if (n < Protocol.HEADER_BYTES + Protocol.CRC_BYTES) {
            return fail(FrameError.TOO_SHORT);
        }
        int body = n - Protocol.CRC_BYTES;
        crc.reset();
        crc.update(packet, 0, body);
        if ((int) crc.getValue() != LittleEndian.i32(packet, body)) {
            return fail(FrameError.CRC);
        }
        int version = LittleEndian.u8(packet, 0);
        int t = LittleEndian.u8(packet, 1);
        int declared = LittleEndian.u16(packet, 2);
        // Hello and HelloAck keep their layout in every version, so a version mismatch can be told (section 4).
        if (version != Protocol.VERSION && t != Protocol.HELLO && t != Protocol.HELLO_ACK) {
            return fail(FrameError.VERSION);
        }
        if (Protocol.HEADER_BYTES + declared + Protocol.CRC_BYTES != n) {
            return fail(FrameError.LENGTH);
        }
        int expected = Protocol.payloadLength(t);
        if (expected == -1) {
            return fail(FrameError.TYPE);
        }
        if (declared != expected) {
            return fail(FrameError.PAYLOAD_LENGTH);
        }
        message(t).decodePayload(packet, Protocol.HEADER_BYTES);
        type = t;
        seq = LittleEndian.u32(packet, 4);
        headerVersion = version;
        good++;
        return t;
    }

    private int fail(FrameError e) {
        errors[e.ordinal()]++;
        error = e;
        return ERROR;
    }

    /** This decoder's message of a type v1 knows; IllegalArgumentException for another. */
    public Message message(int type) {
        switch (type) {
            case Protocol.HELLO: return hello;
            case Protocol.HELLO_ACK: return helloAck;
            case Protocol.COMMAND: return command;
            case Protocol.ARM: return arm;
            case Protocol.STATE: return state;
            case Protocol.HEARTBEAT: return heartbeat;
            case Protocol.ESTOP: return estop;
            case Protocol.FAULT: return fault;
            default: throw new IllegalArgumentException("protocol v1 has no message type " + type);
        }
    }

    /** Type of the last good packet (0 before the first). */
    public int type() {
        return type;
    }

    /** The header seq of the last good packet. */
    public long seq() {
        return seq;
    }

    /** The header version of the last good packet (not 1 only for a Hello or HelloAck of another version). */
    public int headerVersion() {
        return headerVersion;
    }

    /** Why the last dropped frame was dropped (null before the first). */
    public FrameError error() {
        return error;
    }

    /** Good packets so far. */
    public long goodPackets() {
        return good;
    }

    /** Frames dropped with error {@code e} so far. */
    public long errors(FrameError e) {
        return errors[e.ordinal()];
    }

    /** Frames dropped so far, every kind. */
    public long totalErrors() {
        long sum = 0;
        for (long e : errors) {
            sum += e;
        }
        return sum;
    }

    public Hello hello() {
        return hello;
    }

    public HelloAck helloAck() {
        return helloAck;
    }

    public Command command() {
        return command;
    }

    public Arm arm() {
        return arm;
    }

    public State state() {
        return state;
    }

    public Heartbeat heartbeat() {
        return heartbeat;
    }

    public Estop estop() {
        return estop;
    }

    public Fault fault() {
        return fault;
    }
}

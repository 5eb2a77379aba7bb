package trot.link;

/**
 * Why a receiver dropped a frame (protocol.md section 1), in the order the checks run. A dropped frame is counted
 * and never applied or delivered.
 */
public enum FrameError {
    /** More than {@link Protocol#MAX_FRAME} bytes before a 0x00. */
    TOO_LONG("too_long"),
    /** A COBS code byte points past the end of the frame. */
    COBS("cobs"),
    /** The packet is shorter than a header and a CRC (12 bytes). */
    TOO_SHORT("too_short"),
    /** The CRC-32C does not match. */
    CRC("crc"),
    /** The header's version is not 1 (Hello and HelloAck excepted). */
    VERSION("version"),
    /** The header's length does not match the packet's size. */
    LENGTH("length"),
    /** A type v1 does not know. */
    TYPE("type"),
    /** The length is not the type's payload length. */
    PAYLOAD_LENGTH("payload_length");

    private static final FrameError[] ALL = values();
    private final String wireName;

    FrameError(String wireName) {
        this.wireName = wireName;
    }

    /** The name protocol.md and vectors.txt use ("too_long", "crc", ...). */
    public String wireName() {
        return wireName;
    }

    /** The error of a wire name; IllegalArgumentException for an unknown one. */
    public static FrameError ofWireName(String name) {
        for (FrameError e : ALL) {
            if (e.wireName.equals(name)) {
                return e;
            }
        }
        throw new IllegalArgumentException("no frame error is called '" + name + "'; the kinds are too_long, cobs,"
                + " too_short, crc, version, length, type, payload_length");
    }

    /** The kinds by ordinal, without the copy that {@code values()} makes. */
    static FrameError of(int ordinal) {
        return ALL[ordinal];
    }

    static int count() {
        return ALL.length;
    }
}

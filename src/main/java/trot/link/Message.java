package trot.link;

import static trot.link.LittleEndian.put16;
import static trot.link.LittleEndian.put32;
import static trot.link.LittleEndian.put8;

/**
 * One message of the protocol (section 3 of protocol.md): a mutable object with public primitive fields named as
 * in the spec (camel case, units in the name where the spec has one: {@code hostTime_us}, {@code qTarget_rad}).
 * Messages are made once and reused; encoding and decoding allocate nothing.
 *
 * <p>Integer fields hold the wire value: u8 and u16 in an {@code int}, u32 in a {@code long} within
 * [0, 2<sup>32</sup>), u64 in a {@code long} read as unsigned (use {@link Long#toUnsignedString} to print one).
 * Encoding a field outside its wire range is an {@link IllegalArgumentException}; it is never silently truncated.
 */
public abstract class Message {
    Message() {
    }

    /** The type code ({@link Protocol#STATE}, ...). */
    public abstract int type();

    /** The payload length of this type, in bytes. */
    public final int payloadLength() {
        return Protocol.payloadLength(type());
    }

    /**
     * Writes the payload (little-endian, reserved bytes zero) into {@code buf[offset .. offset + payloadLength())}.
     *
     * @throws IllegalArgumentException when a field is outside its wire range (the message names it)
     */
    public abstract void encodePayload(byte[] buf, int offset);

    /** Reads every field from the payload at {@code buf[offset .. offset + payloadLength())}. */
    public abstract void decodePayload(byte[] buf, int offset);

    /** The message's type name as vectors.txt writes it ("STATE"). */
    @Override
    public String toString() {
        return Protocol.typeName(type());
    }

    final void putU8(byte[] b, int i, int v, String field) {
        if ((v & ~0xFF) != 0) {
            throw outOfRange(field, v, "0..255");
        }
        put8(b, i, v);
    }

    final void putU16(byte[] b, int i, int v, String field) {
        if ((v & ~0xFFFF) != 0) {
            throw outOfRange(field, v, "0..65535");
        }
        put16(b, i, v);
    }

    final void putU32(byte[] b, int i, long v, String field) {
        if ((v & ~0xFFFF_FFFFL) != 0) {
            throw outOfRange(field, v, "0..4294967295");
        }
        put32(b, i, v);
    }

    private IllegalArgumentException outOfRange(String field, long v, String range) {
        return new IllegalArgumentException(getClass().getSimpleName() + "." + field + " is a wire field of range "
                + range + ", got " + v + ": set it within the range before encoding");
    }
}

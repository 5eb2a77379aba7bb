package trot.link;

import static trot.link.LittleEndian.u16;
import static trot.link.LittleEndian.u32;
import static trot.link.LittleEndian.zero;

/**
 * Host to device, 16 bytes, layout frozen for every protocol version: the start of a session.
 * Type {@link Protocol#HELLO}; fields and offsets as in protocol.md section 3.
 */
public final class Hello extends Message {
    /** The version the host speaks ({@link Protocol#VERSION}). */
    public int protocolVersion;
    /** A random non-zero number the host draws for this connection. */
    public long session;
    /** How often the host wants State, 1,000 .. 100,000 us. */
    public long statePeriod_us;

    @Override
    public int type() {
        return Protocol.HELLO;
    }

    @Override
    public void encodePayload(byte[] b, int o) {
        zero(b, o, o + Protocol.HELLO_LEN);
        putU16(b, o, protocolVersion, "protocolVersion");
        putU32(b, o + 4, session, "session");
        putU32(b, o + 8, statePeriod_us, "statePeriod_us");
    }

    @Override
    public void decodePayload(byte[] b, int o) {
        protocolVersion = u16(b, o);
        session = u32(b, o + 4);
        statePeriod_us = u32(b, o + 8);
    }

    /** Copies every field of {@code other} into this message. */
    public void copyFrom(Hello other) {
        protocolVersion = other.protocolVersion;
        session = other.session;
        statePeriod_us = other.statePeriod_us;
    }
}

package trot.link;

import static trot.link.LittleEndian.u32;

/**
 * Host to device, 4 bytes: latch damping now, in any state.
 * Type {@link Protocol#ESTOP}; fields and offsets as in protocol.md section 3.
 */
public final class Estop extends Message {
    /** The host's reason code (0 operator, 1 host interlock, 2 host shutting down). */
    public long reason;

    @Override
    public int type() {
        return Protocol.ESTOP;
    }

    @Override
    public void encodePayload(byte[] b, int o) {
        putU32(b, o, reason, "reason");
    }

    @Override
    public void decodePayload(byte[] b, int o) {
        reason = u32(b, o);
    }

    /** Copies every field of {@code other} into this message. */
    public void copyFrom(Estop other) {
        reason = other.reason;
    }
}

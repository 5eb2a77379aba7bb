package trot.link;

import static trot.link.LittleEndian.u32;
import static trot.link.LittleEndian.zero;

/**
 * Host to device, 8 bytes: arm, clearing the named latched faults whose cause is gone.
 * Type {@link Protocol#ARM}; fields and offsets as in protocol.md section 3.
 */
public final class Arm extends Message {
    /** The latched faults to clear ({@link Protocol#FAULT_WATCHDOG} | ...). */
    public long clearFaults;

    @Override
    public int type() {
        return Protocol.ARM;
    }

    @Override
    public void encodePayload(byte[] b, int o) {
        zero(b, o, o + Protocol.ARM_LEN);
        putU32(b, o, clearFaults, "clearFaults");
    }

    @Override
    public void decodePayload(byte[] b, int o) {
        clearFaults = u32(b, o);
    }

    /** Copies every field of {@code other} into this message. */
    public void copyFrom(Arm other) {
        clearFaults = other.clearFaults;
    }
}

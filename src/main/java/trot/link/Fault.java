package trot.link;

import static trot.link.LittleEndian.f32;
import static trot.link.LittleEndian.put64;
import static trot.link.LittleEndian.putF32;
import static trot.link.LittleEndian.u32;
import static trot.link.LittleEndian.u64;
import static trot.link.LittleEndian.u8;
import static trot.link.LittleEndian.zero;

/**
 * Device to host, 24 bytes: a fault was raised.
 * Type {@link Protocol#FAULT}; fields and offsets as in protocol.md section 3.
 */
public final class Fault extends Message {
    /** When the fault was raised, device clock, us (unsigned). */
    public long fwTime_us;
    /** The fault raised (one bit). */
    public long fault;
    /** All latched faults after raising it. */
    public long faults;
    /** The joint concerned, or 0xFF. */
    public int joint;
    /** The measured value that raised it (0 when none). */
    public float value;

    @Override
    public int type() {
        return Protocol.FAULT;
    }

    @Override
    public void encodePayload(byte[] b, int o) {
        zero(b, o, o + Protocol.FAULT_LEN);
        put64(b, o, fwTime_us);
        putU32(b, o + 8, fault, "fault");
        putU32(b, o + 12, faults, "faults");
        putU8(b, o + 16, joint, "joint");
        putF32(b, o + 20, value);
    }

    @Override
    public void decodePayload(byte[] b, int o) {
        fwTime_us = u64(b, o);
        fault = u32(b, o + 8);
        faults = u32(b, o + 12);
        joint = u8(b, o + 16);
        value = f32(b, o + 20);
    }

    /** Copies every field of {@code other} into this message. */
    public void copyFrom(Fault other) {
        fwTime_us = other.fwTime_us;
        fault = other.fault;
        faults = other.faults;
        joint = other.joint;
        value = other.value;
    }
}

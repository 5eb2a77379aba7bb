package trot.link;

import static trot.link.LittleEndian.f32;
import static trot.link.LittleEndian.put64;
import static trot.link.LittleEndian.putF32;
import static trot.link.LittleEndian.u32;
import static trot.link.LittleEndian.u64;
import static trot.link.LittleEndian.u8;
import static trot.link.LittleEndian.zero;

/**
 * Host to device, 208 bytes: joint targets and gains. The packet's seq is the command's sequence number.
 * Type {@link Protocol#COMMAND}; fields and offsets as in protocol.md section 3.
 */
public final class Command extends Message {
    /** The host's monotonic clock when it sent the command, us (unsigned). */
    public long hostTime_us;
    /** 0 damp, 1 hold, 2 run ({@link Protocol#MODE_RUN}). */
    public int mode;
    /** 0 in v1 (the device rejects other flags). */
    public int flags;
    /** Time over which the device ramps to these targets, 0 .. 1,000,000 us. */
    public long interp_us;
    /** Joint targets, rad (FR hip, FR thigh, FR calf, FL ..., RR ..., RL ...). */
    public final float[] qTarget_rad = new float[Protocol.JOINTS];
    /** Stiffness per joint, N m/rad, 0 .. 500. */
    public final float[] kp = new float[Protocol.JOINTS];
    /** Damping per joint, N m s/rad, 0 .. 50. */
    public final float[] kd = new float[Protocol.JOINTS];
    /** Feed-forward torque per joint, N m. */
    public final float[] tauFf_Nm = new float[Protocol.JOINTS];

    @Override
    public int type() {
        return Protocol.COMMAND;
    }

    @Override
    public void encodePayload(byte[] b, int o) {
        zero(b, o, o + Protocol.COMMAND_LEN);
        put64(b, o, hostTime_us);
        putU8(b, o + 8, mode, "mode");
        putU8(b, o + 9, flags, "flags");
        putU32(b, o + 12, interp_us, "interp_us");
        for (int j = 0; j < Protocol.JOINTS; j++) {
            putF32(b, o + 16 + 16 * j, qTarget_rad[j]);
        }
        for (int j = 0; j < Protocol.JOINTS; j++) {
            putF32(b, o + 20 + 16 * j, kp[j]);
        }
        for (int j = 0; j < Protocol.JOINTS; j++) {
            putF32(b, o + 24 + 16 * j, kd[j]);
        }
        for (int j = 0; j < Protocol.JOINTS; j++) {
            putF32(b, o + 28 + 16 * j, tauFf_Nm[j]);
        }
    }

    @Override
    public void decodePayload(byte[] b, int o) {
        hostTime_us = u64(b, o);
        mode = u8(b, o + 8);
        flags = u8(b, o + 9);
        interp_us = u32(b, o + 12);
        for (int j = 0; j < Protocol.JOINTS; j++) {
            qTarget_rad[j] = f32(b, o + 16 + 16 * j);
        }
        for (int j = 0; j < Protocol.JOINTS; j++) {
            kp[j] = f32(b, o + 20 + 16 * j);
        }
        for (int j = 0; j < Protocol.JOINTS; j++) {
            kd[j] = f32(b, o + 24 + 16 * j);
        }
        for (int j = 0; j < Protocol.JOINTS; j++) {
            tauFf_Nm[j] = f32(b, o + 28 + 16 * j);
        }
    }

    /** Copies every field of {@code other} into this message. */
    public void copyFrom(Command other) {
        hostTime_us = other.hostTime_us;
        mode = other.mode;
        flags = other.flags;
        interp_us = other.interp_us;
        System.arraycopy(other.qTarget_rad, 0, qTarget_rad, 0, Protocol.JOINTS);
        System.arraycopy(other.kp, 0, kp, 0, Protocol.JOINTS);
        System.arraycopy(other.kd, 0, kd, 0, Protocol.JOINTS);
        System.arraycopy(other.tauFf_Nm, 0, tauFf_Nm, 0, Protocol.JOINTS);
    }
}

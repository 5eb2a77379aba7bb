package trot.link;

import static trot.link.LittleEndian.f32;
import static trot.link.LittleEndian.put64;
import static trot.link.LittleEndian.putF32;
import static trot.link.LittleEndian.u32;
import static trot.link.LittleEndian.u64;
import static trot.link.LittleEndian.u8;
import static trot.link.LittleEndian.zero;

/**
 * Device to host, 280 bytes: what the robot measures, sampled in the control tick.
 * Type {@link Protocol#STATE}; fields and offsets as in protocol.md section 3.
 */
public final class State extends Message {
    /** The device's microsecond clock when the state was sampled (unsigned). */
    public long fwTime_us;
    /** HostTime_us of the last command applied (0 before the first) (unsigned). */
    public long echoHostTime_us;
    /** Seq of the last command applied (0 before the first). */
    public long lastCommandSeq;
    /** Latched faults ({@link Protocol#FAULT_WATCHDOG}, ...). */
    public long faults;
    /** Status bits ({@link Protocol#STATUS_ARMED}, ...). */
    public long status;
    /** What the motors do now: 0 damp, 1 hold, 2 run. */
    public int mode;
    /** IMU orientation, w x y z (trunk to world). */
    public final float[] quat = new float[4];
    /** Angular velocity in the trunk frame, rad/s. */
    public final float[] gyro_radps = new float[3];
    /** Specific force in the trunk frame, m/s^2 (about +9.81 on z at rest). */
    public final float[] accel_mps2 = new float[3];
    /** Joint angles, rad. */
    public final float[] q_rad = new float[Protocol.JOINTS];
    /** Joint velocities, rad/s. */
    public final float[] dq_radps = new float[Protocol.JOINTS];
    /** Estimated joint torques, N m. */
    public final float[] tauEst_Nm = new float[Protocol.JOINTS];
    /** Motor temperatures, degrees Celsius. */
    public final float[] temp_C = new float[Protocol.JOINTS];
    /** Foot contact forces, N (FR, FL, RR, RL). */
    public final float[] footForce_N = new float[4];

    @Override
    public int type() {
        return Protocol.STATE;
    }

    @Override
    public void encodePayload(byte[] b, int o) {
        zero(b, o, o + Protocol.STATE_LEN);
        put64(b, o, fwTime_us);
        put64(b, o + 8, echoHostTime_us);
        putU32(b, o + 16, lastCommandSeq, "lastCommandSeq");
        putU32(b, o + 20, faults, "faults");
        putU32(b, o + 24, status, "status");
        putU8(b, o + 28, mode, "mode");
        for (int i = 0; i < 4; i++) {
            putF32(b, o + 32 + 4 * i, quat[i]);
        }
        for (int i = 0; i < 3; i++) {
            putF32(b, o + 48 + 4 * i, gyro_radps[i]);
        }
        for (int i = 0; i < 3; i++) {
            putF32(b, o + 60 + 4 * i, accel_mps2[i]);
        }
        for (int j = 0; j < Protocol.JOINTS; j++) {
            putF32(b, o + 72 + 16 * j, q_rad[j]);
        }
        for (int j = 0; j < Protocol.JOINTS; j++) {
            putF32(b, o + 76 + 16 * j, dq_radps[j]);
        }
        for (int j = 0; j < Protocol.JOINTS; j++) {
            putF32(b, o + 80 + 16 * j, tauEst_Nm[j]);
        }
        for (int j = 0; j < Protocol.JOINTS; j++) {
            putF32(b, o + 84 + 16 * j, temp_C[j]);
        }
        for (int i = 0; i < 4; i++) {
            putF32(b, o + 264 + 4 * i, footForce_N[i]);
        }
    }

    @Override
    public void decodePayload(byte[] b, int o) {
        fwTime_us = u64(b, o);
        echoHostTime_us = u64(b, o + 8);
        lastCommandSeq = u32(b, o + 16);
        faults = u32(b, o + 20);
        status = u32(b, o + 24);
        mode = u8(b, o + 28);
        for (int i = 0; i < 4; i++) {
            quat[i] = f32(b, o + 32 + 4 * i);
        }
        for (int i = 0; i < 3; i++) {
            gyro_radps[i] = f32(b, o + 48 + 4 * i);
        }
        for (int i = 0; i < 3; i++) {
            accel_mps2[i] = f32(b, o + 60 + 4 * i);
        }
        for (int j = 0; j < Protocol.JOINTS; j++) {
            q_rad[j] = f32(b, o + 72 + 16 * j);
        }
        for (int j = 0; j < Protocol.JOINTS; j++) {
            dq_radps[j] = f32(b, o + 76 + 16 * j);
        }
        for (int j = 0; j < Protocol.JOINTS; j++) {
            tauEst_Nm[j] = f32(b, o + 80 + 16 * j);
        }
        for (int j = 0; j < Protocol.JOINTS; j++) {
            temp_C[j] = f32(b, o + 84 + 16 * j);
        }
        for (int i = 0; i < 4; i++) {
            footForce_N[i] = f32(b, o + 264 + 4 * i);
        }
    }

    /** Copies every field of {@code other} into this message. */
    public void copyFrom(State other) {
        fwTime_us = other.fwTime_us;
        echoHostTime_us = other.echoHostTime_us;
        lastCommandSeq = other.lastCommandSeq;
        faults = other.faults;
        status = other.status;
        mode = other.mode;
        System.arraycopy(other.quat, 0, quat, 0, 4);
        System.arraycopy(other.gyro_radps, 0, gyro_radps, 0, 3);
        System.arraycopy(other.accel_mps2, 0, accel_mps2, 0, 3);
        System.arraycopy(other.q_rad, 0, q_rad, 0, Protocol.JOINTS);
        System.arraycopy(other.dq_radps, 0, dq_radps, 0, Protocol.JOINTS);
        System.arraycopy(other.tauEst_Nm, 0, tauEst_Nm, 0, Protocol.JOINTS);
        System.arraycopy(other.temp_C, 0, temp_C, 0, Protocol.JOINTS);
        System.arraycopy(other.footForce_N, 0, footForce_N, 0, 4);
    }
}

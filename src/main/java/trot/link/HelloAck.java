package trot.link;

import static trot.link.LittleEndian.u16;
import static trot.link.LittleEndian.u32;
import static trot.link.LittleEndian.u8;
import static trot.link.LittleEndian.zero;

/**
 * Device to host, 36 bytes, layout frozen for every protocol version: the answer to a Hello.
 * Type {@link Protocol#HELLO_ACK}; fields and offsets as in protocol.md section 3.
 */
public final class HelloAck extends Message {
    /** The version the device speaks. */
    public int protocolVersion;
    /** 0 accepted, 1 refused: protocol version mismatch, 2 refused: bad state_period_us. */
    public int status;
    /** Number of joints the device drives (12). */
    public int joints;
    /** The Hello's session, echoed. */
    public long session;
    /** The State period granted. */
    public long statePeriod_us;
    /** Major &lt;&lt; 16 | minor &lt;&lt; 8 | patch. */
    public long firmwareVersion;
    /** Number of foot force sensors (4). */
    public int feet;
    /** ASCII name of the robot, NUL-padded (see {@link #robotName()}). */
    public final byte[] robot = new byte[16];

    @Override
    public int type() {
        return Protocol.HELLO_ACK;
    }

    @Override
    public void encodePayload(byte[] b, int o) {
        zero(b, o, o + Protocol.HELLO_ACK_LEN);
        putU16(b, o, protocolVersion, "protocolVersion");
        putU8(b, o + 2, status, "status");
        putU8(b, o + 3, joints, "joints");
        putU32(b, o + 4, session, "session");
        putU32(b, o + 8, statePeriod_us, "statePeriod_us");
        putU32(b, o + 12, firmwareVersion, "firmwareVersion");
        putU8(b, o + 16, feet, "feet");
        System.arraycopy(robot, 0, b, o + 20, 16);
    }

    @Override
    public void decodePayload(byte[] b, int o) {
        protocolVersion = u16(b, o);
        status = u8(b, o + 2);
        joints = u8(b, o + 3);
        session = u32(b, o + 4);
        statePeriod_us = u32(b, o + 8);
        firmwareVersion = u32(b, o + 12);
        feet = u8(b, o + 16);
        System.arraycopy(b, o + 20, robot, 0, 16);
    }

    /** Copies every field of {@code other} into this message. */
    public void copyFrom(HelloAck other) {
        protocolVersion = other.protocolVersion;
        status = other.status;
        joints = other.joints;
        session = other.session;
        statePeriod_us = other.statePeriod_us;
        firmwareVersion = other.firmwareVersion;
        feet = other.feet;
        System.arraycopy(other.robot, 0, robot, 0, 16);
    }

    /** The robot's name: the ASCII bytes of {@link #robot} up to the first NUL (allocates: not for a control loop). */
    public String robotName() {
        int n = 0;
        while (n < robot.length && robot[n] != 0) {
            n++;
        }
        return new String(robot, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Sets {@link #robot} to an ASCII name of at most 16 bytes, NUL-padded. */
    public void setRobotName(String name) {
        byte[] ascii = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (ascii.length > robot.length) {
            throw new IllegalArgumentException("HelloAck.robot holds at most 16 ASCII bytes, got \"" + name + "\"");
        }
        java.util.Arrays.fill(robot, (byte) 0);
        System.arraycopy(ascii, 0, robot, 0, ascii.length);
    }
}

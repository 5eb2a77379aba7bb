package trot.link;

/**
 * The constants of the trot serial protocol v1 ({@code hardware/protocol/protocol.md}, the whole contract):
 * framing sizes, message types and payload lengths, modes, fault and status bits.
 */
public final class Protocol {
    private Protocol() {
    }

    /** The protocol version trot speaks, in every packet header and in Hello. */
    public static final int VERSION = 1;
    /** Joints and feet of a v1 robot (FR, FL, RR, RL; hip, thigh, calf). */
    public static final int JOINTS = 12, FEET = 4;

    /** Header (version, type, length, seq) and CRC bytes of a packet. */
    public static final int HEADER_BYTES = 8, CRC_BYTES = 4;
    /** The largest payload (State). */
    public static final int MAX_PAYLOAD = 280;
    /** The largest packet: header, State payload, CRC. */
    public static final int MAX_PACKET = HEADER_BYTES + MAX_PAYLOAD + CRC_BYTES;
    /** Bytes before a 0x00 that a receiver accepts; more is error {@code too_long}. */
    public static final int MAX_FRAME = 300;
    /** Room for the largest frame on the wire: COBS of the largest packet and the 0x00 delimiter. */
    public static final int MAX_WIRE = MAX_PACKET + MAX_PACKET / 254 + 2;

    /** Message types (protocol.md section 3). */
    public static final int HELLO = 0x01, HELLO_ACK = 0x02, COMMAND = 0x10, ARM = 0x11, STATE = 0x20, HEARTBEAT = 0x30,
            ESTOP = 0x40, FAULT = 0x50;
    /** Payload lengths, in bytes. */
    public static final int HELLO_LEN = 16, HELLO_ACK_LEN = 36, COMMAND_LEN = 208, ARM_LEN = 8, STATE_LEN = 280,
            HEARTBEAT_LEN = 32, ESTOP_LEN = 4, FAULT_LEN = 24;

    /** Modes of Command and State. */
    public static final int MODE_DAMP = 0, MODE_HOLD = 1, MODE_RUN = 2;

    /** Latched fault bits (State.faults, Fault.fault, Arm.clear_faults). */
    public static final int FAULT_WATCHDOG = 1, FAULT_ESTOP = 1 << 1, FAULT_JOINT_LIMIT = 1 << 2,
            FAULT_OVER_TEMPERATURE = 1 << 3, FAULT_SENSOR = 1 << 4, FAULT_RESET = 1 << 5;
    /** Status bits (State.status), not latched. */
    public static final int STATUS_ARMED = 1, STATUS_SESSION = 1 << 1, STATUS_TARGET_CLIPPED = 1 << 2,
            STATUS_TORQUE_SATURATED = 1 << 3, STATUS_TEMPERATURE_WARNING = 1 << 4;
    /** HelloAck.status. */
    public static final int HELLO_ACCEPTED = 0, HELLO_VERSION_MISMATCH = 1, HELLO_BAD_PERIOD = 2;
    /** Estop.reason codes trot uses. */
    public static final int ESTOP_OPERATOR = 0, ESTOP_HOST_INTERLOCK = 1, ESTOP_HOST_SHUTDOWN = 2;
    /** The range of Hello.state_period_us. */
    public static final int MIN_STATE_PERIOD_US = 1_000, MAX_STATE_PERIOD_US = 100_000;
    /** The largest Command.interp_us. */
    public static final int MAX_INTERP_US = 1_000_000;
    /** Command validation bounds of the device: kp in [0, 500] N m/rad, kd in [0, 50] N m s/rad. */
    public static final float MAX_KP = 500f, MAX_KD = 50f;
    /** The device's watchdog: damping after this long without a valid Command while armed. */
    public static final int WATCHDOG_US = 100_000;

    /** Payload length of a type, or -1 for a type v1 does not know. */
    public static int payloadLength(int type) {
        switch (type) {
            case HELLO: return HELLO_LEN;
            case HELLO_ACK: return HELLO_ACK_LEN;
            case COMMAND: return COMMAND_LEN;
            case ARM: return ARM_LEN;
            case STATE: return STATE_LEN;
            case HEARTBEAT: return HEARTBEAT_LEN;
            case ESTOP: return ESTOP_LEN;
            case FAULT: return FAULT_LEN;
            default: return -1;
        }
    }

    /** "HELLO", "COMMAND", ... as in vectors.txt; null for an unknown type. */
    public static String typeName(int type) {
        switch (type) {
            case HELLO: return "HELLO";
            case HELLO_ACK: return "HELLO_ACK";
            case COMMAND: return "COMMAND";
            case ARM: return "ARM";
            case STATE: return "STATE";
            case HEARTBEAT: return "HEARTBEAT";
            case ESTOP: return "ESTOP";
            case FAULT: return "FAULT";
            default: return null;
        }
    }

    /** The fault bits' names joined with '|' ("WATCHDOG|RESET"), "none" for 0; allocates (for messages and logs). */
    public static String faultNames(long faults) {
        String[] names = {"WATCHDOG", "ESTOP", "JOINT_LIMIT", "OVER_TEMPERATURE", "SENSOR", "RESET"};
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            if ((faults & (1L << i)) != 0) {
                if (b.length() > 0) {
                    b.append('|');
                }
                b.append(i < names.length ? names[i] : "bit" + i);
            }
        }
        return b.length() == 0 ? "none" : b.toString();
    }

    /** "damp", "hold", "run", or "mode N". */
    public static String modeName(int mode) {
        switch (mode) {
            case MODE_DAMP: return "damp";
            case MODE_HOLD: return "hold";
            case MODE_RUN: return "run";
            default: return "mode " + mode;
        }
    }
}

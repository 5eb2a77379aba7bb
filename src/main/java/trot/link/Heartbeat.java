package trot.link;

import static trot.link.LittleEndian.put64;
import static trot.link.LittleEndian.u32;
import static trot.link.LittleEndian.u64;

/**
 * Both directions, 32 bytes: liveness and the sender's counters. It never feeds the device's watchdog.
 * Type {@link Protocol#HEARTBEAT}; fields and offsets as in protocol.md section 3.
 */
public final class Heartbeat extends Message {
    /** The sender's clock, us (unsigned). */
    public long time_us;
    /** Time_us of the last Heartbeat received from the peer (0 before the first) (unsigned). */
    public long echoTime_us;
    /** Good packets the sender has received. */
    public long rxOk;
    /** Packets the sender dropped (every error kind). */
    public long rxBad;
    /** Commands applied (device) or sent (host). */
    public long commandsApplied;
    /** Commands received and not applied (device; 0 from the host). */
    public long commandsRejected;

    @Override
    public int type() {
        return Protocol.HEARTBEAT;
    }

    @Override
    public void encodePayload(byte[] b, int o) {
        put64(b, o, time_us);
        put64(b, o + 8, echoTime_us);
        putU32(b, o + 16, rxOk, "rxOk");
        putU32(b, o + 20, rxBad, "rxBad");
        putU32(b, o + 24, commandsApplied, "commandsApplied");
        putU32(b, o + 28, commandsRejected, "commandsRejected");
    }

    @Override
    public void decodePayload(byte[] b, int o) {
        time_us = u64(b, o);
        echoTime_us = u64(b, o + 8);
        rxOk = u32(b, o + 16);
        rxBad = u32(b, o + 20);
        commandsApplied = u32(b, o + 24);
        commandsRejected = u32(b, o + 28);
    }

    /** Copies every field of {@code other} into this message. */
    public void copyFrom(Heartbeat other) {
        time_us = other.time_us;
        echoTime_us = other.echoTime_us;
        rxOk = other.rxOk;
        rxBad = other.rxBad;
        commandsApplied = other.commandsApplied;
        commandsRejected = other.commandsRejected;
    }
}

package trot.link;

/**
 * What a {@link SerialLink} has counted since it was opened: a snapshot that {@link SerialLink#stats(LinkStats)}
 * fills (reuse one object; filling it allocates nothing). Counts are of packets unless named otherwise.
 */
public final class LinkStats {
    /** Frames written to the port (every type), commands among them. */
    public long framesSent, commandsSent;
    /** Commands the caller asked to send that were not: no session, port down, or the transmit queue full. */
    public long commandsNotSent;
    /** Good packets received, States, device Heartbeats and Faults among them. */
    public long packetsReceived, statesReceived, heartbeatsReceived, faultsReceived;
    /** States older (by fw_time_us) than one already handed over: delayed or reordered, dropped. */
    public long statesOutOfOrder;
    /** Packets of a type the device never sends (Hello, Command, Arm, Estop), ignored. */
    public long unexpectedPackets;
    /** HelloAcks that did not answer the Hello of this session, ignored. */
    public long staleHelloAcks;
    /** Frames dropped, per {@link FrameError} (by ordinal), and their sum. */
    public final long[] rxErrors = new long[FrameError.values().length];
    public long rxErrorsTotal;
    /** From gaps in the device's seq: packets lost on the way to the host, duplicated, arriving out of order. */
    public long packetsLost, packetsDuplicated, packetsReordered;
    /**
     * Round-trip times, us: the host clock when the first State reflecting a new command arrived minus the command's
     * host time. They include the wait for the device's next State sample (up to one State period) and its 1 ms tick,
     * so with State every 10 ms they spread over about 1 .. 11 ms even on a pseudo-terminal.
     */
    public long rttCount, rttP50_us, rttP99_us, rttMax_us;
    public double rttMean_us;
    /** Times the link was lost (port gone, or no State for too long), reopened, and sessions established. */
    public long linkLosses, reconnects, sessions;
    /** Times no State came for the stale time (see {@link SerialLink.Config#staleAfter_us()}). */
    public long staleEvents;
    /**
     * Times the device's State (in order) showed its watchdog fault newly latched. A trip during an outage that
     * follows an Arm so closely that no State showed the fault cleared cannot be told from the latch before the
     * Arm (a new session's State does not say which it is; the protocol has no trip counter), so it is missed.
     */
    public long watchdogTrips;
    /** The device's counters from its last Heartbeat (rx_ok, rx_bad, commands_applied, commands_rejected). */
    public long deviceRxOk, deviceRxBad, deviceCommandsApplied, deviceCommandsRejected;
    /** {@link #framesSent} and {@link #commandsSent} when that Heartbeat arrived (0 before the first). */
    public long framesSentAtDeviceHeartbeat, commandsSentAtDeviceHeartbeat;

    /** Frames dropped with {@code e}. */
    public long rxErrors(FrameError e) {
        return rxErrors[e.ordinal()];
    }

    public void copyFrom(LinkStats o) {
        framesSent = o.framesSent;
        commandsSent = o.commandsSent;
        commandsNotSent = o.commandsNotSent;
        packetsReceived = o.packetsReceived;
        statesReceived = o.statesReceived;
        statesOutOfOrder = o.statesOutOfOrder;
        heartbeatsReceived = o.heartbeatsReceived;
        faultsReceived = o.faultsReceived;
        unexpectedPackets = o.unexpectedPackets;
        staleHelloAcks = o.staleHelloAcks;
        System.arraycopy(o.rxErrors, 0, rxErrors, 0, rxErrors.length);
        rxErrorsTotal = o.rxErrorsTotal;
        packetsLost = o.packetsLost;
        packetsDuplicated = o.packetsDuplicated;
        packetsReordered = o.packetsReordered;
        rttCount = o.rttCount;
        rttP50_us = o.rttP50_us;
        rttP99_us = o.rttP99_us;
        rttMax_us = o.rttMax_us;
        rttMean_us = o.rttMean_us;
        linkLosses = o.linkLosses;
        reconnects = o.reconnects;
        sessions = o.sessions;
        staleEvents = o.staleEvents;
        watchdogTrips = o.watchdogTrips;
        deviceRxOk = o.deviceRxOk;
        deviceRxBad = o.deviceRxBad;
        deviceCommandsApplied = o.deviceCommandsApplied;
        deviceCommandsRejected = o.deviceCommandsRejected;
        framesSentAtDeviceHeartbeat = o.framesSentAtDeviceHeartbeat;
        commandsSentAtDeviceHeartbeat = o.commandsSentAtDeviceHeartbeat;
    }

    /** The errors as "crc 2, cobs 1" ("none" when there are none); allocates. */
    public String describeErrors() {
        StringBuilder b = new StringBuilder();
        for (FrameError e : FrameError.values()) {
            if (rxErrors[e.ordinal()] != 0) {
                b.append(b.length() == 0 ? "" : ", ").append(e.wireName()).append(' ').append(rxErrors[e.ordinal()]);
            }
        }
        return b.length() == 0 ? "none" : b.toString();
    }
}

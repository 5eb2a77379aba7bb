package trot.link;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The host side of the trot serial protocol v1 (hardware/protocol/protocol.md): one link to one device over one
 * {@link Port}.
 *
 * <h2>Threads</h2>
 * A daemon reader thread owns the port's reads: it decodes frames, answers the handshake, sends the host's
 * Heartbeat (about every 100 ms), hands each State to the caller through a triple buffer, measures round trips,
 * and reopens the port after a loss. Callers send Command, Arm and Estop from their own thread: a send encodes
 * into the link's buffer and writes under a lock that the reader thread only holds for its own short writes, so a
 * control thread never waits on the reader; {@link #readState} never blocks at all. Sends, {@link #readState} and
 * {@link #isStale} allocate nothing.
 *
 * <h2>Sessions, losses, arming</h2>
 * {@link #open} opens the port and starts the handshake: a Hello with a random non-zero session, repeated every
 * 250 ms until a HelloAck with that session. A HelloAck that refuses (another protocol version, a bad State period)
 * stops the link: it says why ({@link #awaitSession}) and sends nothing more. When the port goes away (a read
 * returns -1 or fails, a write fails), or no State comes for {@link Config#sessionLostAfter_us}, the link counts a
 * loss, tells the listener and logs it, then tries to reopen the same port every
 * {@link Config#reconnectInterval_us} and shakes hands again. The device is disarmed after every new session, and
 * the link never arms it by itself: after a reconnect the caller must call {@link #arm} again.
 *
 * <h2>Sequence numbers</h2>
 * The host's seq counts every packet it sends and runs on across sessions and reconnects (never restarts), so a
 * command delayed from an earlier session can never look newer than the current ones. Gaps in the device's seq
 * count as packets lost ({@link LinkStats#packetsLost}).
 *
 * <pre>{@code
 * try (SerialLink link = SerialLink.open("/dev/ttyACM0", 1_000_000, SerialLink.Config.defaults(), listener)) {
 *     link.awaitSession(2000);
 *     link.arm(Protocol.FAULT_RESET | Protocol.FAULT_WATCHDOG);
 *     every period: link.readState(state); ... link.sendCommand(command);
 * }
 * }</pre>
 */
public final class SerialLink implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("trot.link");

    /**
     * The link's timing.
     *
     * @param statePeriod_us      the State period asked of the device, 1,000 .. 100,000 us
     * @param staleAfter_us       {@link #isStale} when no State came for this long (and a stale event is counted)
     * @param sessionLostAfter_us no State for this long, with the port still there, counts as a lost session: the link
     *                            shakes hands again (the device may have restarted)
     * @param helloInterval_us    the Hello is repeated this often until it is answered (250 ms)
     * @param reconnectInterval_us a lost port is tried again this often (100 ms)
     * @param heartbeatInterval_us the host's Heartbeat period (about; the reader wakes at least every 100 ms)
     * @param maxQueuedBytes      a Command is not sent (and counted as not sent) while more bytes than this wait in
     *                            the port's transmit queue: never queue more than the line carries
     */
    public record Config(int statePeriod_us, long staleAfter_us, long sessionLostAfter_us, long helloInterval_us,
                         long reconnectInterval_us, long heartbeatInterval_us, int maxQueuedBytes) {
        public Config {
            if (statePeriod_us < Protocol.MIN_STATE_PERIOD_US || statePeriod_us > Protocol.MAX_STATE_PERIOD_US) {
                throw new IllegalArgumentException("SerialLink: the State period must be 1,000 .. 100,000 us"
                        + " (protocol.md section 3), got " + statePeriod_us);
            }
            if (staleAfter_us < statePeriod_us || sessionLostAfter_us <= staleAfter_us) {
                throw new IllegalArgumentException("SerialLink: the stale time must be at least one State period and"
                        + " the session-lost time longer than it; got State period " + statePeriod_us + " us, stale after "
                        + staleAfter_us + " us, session lost after " + sessionLostAfter_us + " us");
            }
            if (helloInterval_us <= 0 || reconnectInterval_us <= 0 || heartbeatInterval_us <= 0 || maxQueuedBytes < 0) {
                throw new IllegalArgumentException("SerialLink: the Hello, reconnect and heartbeat intervals must be"
                        + " positive and the queue limit non-negative; got " + helloInterval_us + ", " + reconnectInterval_us
                        + ", " + heartbeatInterval_us + " us and " + maxQueuedBytes + " bytes");
            }
        }

        /** State every 10 ms; stale after 100 ms (the device's watchdog time); a new session after 1 s without State. */
        public static Config defaults() {
            return new Config(10_000, 100_000, 1_000_000, 250_000, 100_000, 100_000, 1024);
        }

        /** The same with another State period; the stale time stays at least 3 periods. */
        public Config withStatePeriod(int period_us) {
            long stale = Math.max(staleAfter_us, 3L * period_us);
            return new Config(period_us, stale, Math.max(sessionLostAfter_us, 10 * stale), helloInterval_us,
                    reconnectInterval_us, heartbeatInterval_us, maxQueuedBytes);
        }

        public Config withStaleAfter(long stale_us) {
            return new Config(statePeriod_us, stale_us, Math.max(sessionLostAfter_us, stale_us + 1), helloInterval_us,
                    reconnectInterval_us, heartbeatInterval_us, maxQueuedBytes);
        }
    }

    /** Events of the link, called on its reader thread: keep them short and do not block. */
    public interface Listener {
        /** A session starts (the first, or after a loss; called just before it counts as connected): the device is disarmed. */
        default void onSession(HelloAck ack) {
        }

        /** The link was lost; it reconnects by itself. */
        default void onLinkLost(String reason) {
        }

        /** No State came for the stale time. */
        default void onStale(long age_us) {
        }

        /** The device raised a fault. */
        default void onFault(Fault fault) {
        }

        /**
         * A State of the current session arrived (in order: older, delayed ones are dropped before this), just after
         * it was handed to {@link #readState}. {@code state} is the link's own object, valid only during the call:
         * copy what you need, do not keep it, do not block. For work that must see every State (an estimator that
         * integrates the IMU), not only the newest one {@link #readState} gives.
         */
        default void onState(State state) {
        }

        /** The device refused the handshake; the link stops. */
        default void onRefused(String message) {
        }
    }

    /** Where the link is. */
    public enum Phase {
        /** The port is gone; the link tries to reopen it. */
        DISCONNECTED,
        /** The port is open; Hello sent, no answer yet. */
        HANDSHAKING,
        /** A session is running: State arrives, commands are sent. */
        CONNECTED,
        /** The device refused the handshake; the link does nothing more. */
        REFUSED,
        /** {@link #close} was called. */
        CLOSED
    }

    private final Port.Opener opener;
    private final Config config;
    private final Listener listener;
    private final String portName;
    private final Thread reader;

    // Sending: everything below is guarded by writeLock.
    private final ReentrantLock writeLock = new ReentrantLock();
    private final FrameEncoder encoder = new FrameEncoder();
    private final byte[] tx = new byte[Protocol.MAX_WIRE];
    private final Hello hello = new Hello();
    private final Arm armMessage = new Arm();
    private final Estop estopMessage = new Estop();
    private final Heartbeat heartbeatOut = new Heartbeat();
    private volatile long nextSeq = 1; // written under writeLock
    private volatile int helloVersion = Protocol.VERSION;
    private volatile long framesSent, commandsSent, commandsNotSent;
    private volatile String writeFailure;

    // Shared.
    private volatile Port port;          // written by the reader thread, under writeLock
    private volatile Phase phase = Phase.HANDSHAKING; // changed under phaseLock, which awaitSession waits on
    private final Object phaseLock = new Object();
    private volatile long session;
    private volatile long lastState_us;
    private volatile boolean closing;
    private volatile String refusal;
    private volatile LinkException.Kind refusalKind;
    private final StateMailbox mailbox = new StateMailbox();
    private final Fault lastFault = new Fault();

    // The reader thread's; counters are read by stats() under statsLock.
    private final Object statsLock = new Object();
    private final FrameDecoder decoder = new FrameDecoder();
    private final SeqTracker deviceSeq = new SeqTracker();
    private final LatencyHistogram rtt = new LatencyHistogram();
    private final HelloAck ack = new HelloAck();
    private long statesReceived, heartbeatsReceived, faultsReceived, unexpected, staleAcks;
    private long linkLosses, reconnects, sessions, staleEvents, watchdogTrips;
    private long deviceRxOk, deviceRxBad, deviceApplied, deviceRejected, sentAtHeartbeat, commandsAtHeartbeat;
    private long peerHeartbeatTime_us;
    private long now_us;                 // when the bytes being decoded arrived
    private long lastHello_us, lastHeartbeat_us, lastReopen_us;
    private long sessionFirstSeq, lastCommandSeqSeen = -1, previousFaults, lastFwTime_us, statesOutOfOrder;
    private boolean haveSessionState;
    private boolean stale;
    private PortException.Reason lastReopenFailure;

    private SerialLink(Port.Opener opener, Port first, Config config, Listener listener) {
        this.opener = opener;
        this.config = config;
        this.listener = listener != null ? listener : new Listener() {
        };
        this.portName = first.name();
        this.port = first;
        this.reader = new Thread(this::run, "trot-link " + portName);
        reader.setDaemon(true);
    }

    /**
     * Opens a serial port by path through jSerialComm (8N1, {@code baud}) and starts the handshake.
     *
     * @throws PortException when the port does not exist, is busy or lacks permission: the message says which, and
     *                       what to do
     */
    public static SerialLink open(String path, int baud, Config config, Listener listener) throws PortException {
        return open(JSerialPort.opener(path, baud), config, listener);
    }

    /** Opens the port {@code opener} gives (now, and again after each loss) and starts the handshake. */
    public static SerialLink open(Port.Opener opener, Config config, Listener listener) throws PortException {
        return open(opener, config, listener, Protocol.VERSION);
    }

    /** For tests of the version check: a link whose Hello claims {@code helloVersion} (header and payload). */
    static SerialLink open(Port.Opener opener, Config config, Listener listener, int helloVersion) throws PortException {
        Port first = opener.open();
        SerialLink link = new SerialLink(opener, first, config, listener);
        link.helloVersion = helloVersion;
        link.startHandshake(HostClock.now_us(), true);
        link.reader.start();
        return link;
    }

    // ------------------------------------------------------------------------------------------------ the caller's

    /**
     * Waits until a session runs.
     *
     * @throws LinkException when the device refused the handshake (the message says why and what to do), did not
     *                       answer within {@code timeout_ms}, or the link was closed
     */
    public void awaitSession(long timeout_ms) throws LinkException, InterruptedException {
        long deadline = System.nanoTime() + timeout_ms * 1_000_000L;
        synchronized (phaseLock) {
            while (phase != Phase.CONNECTED) {
                if (phase == Phase.REFUSED) {
                    throw new LinkException(refusalKind, refusal);
                }
                if (phase == Phase.CLOSED) {
                    throw new LinkException(LinkException.Kind.CLOSED, "the link to " + portName + " is closed");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new LinkException(LinkException.Kind.TIMEOUT, "no session with the device at " + portName
                            + " within " + timeout_ms + " ms (" + (port == null ? "the port is gone"
                            : "the Hello got no answer") + "): check that this is the robot's port, that the firmware"
                            + " runs and speaks the trot protocol, and the baud rate");
                }
                phaseLock.wait(Math.max(1, left / 1_000_000L));
            }
        }
    }

    /** Where the link is now. */
    public Phase phase() {
        return phase;
    }

    /** The port's name. */
    public String portName() {
        return portName;
    }

    /**
     * Sends a Command, stamping {@code command.hostTime_us} with the host clock ({@link HostClock}). Allocates
     * nothing.
     *
     * @return the packet's seq, or -1 when it was not sent: no session, the port is gone, or the transmit queue holds
     *         more than {@link Config#maxQueuedBytes} (counted in {@link LinkStats#commandsNotSent})
     * @throws IllegalArgumentException when a field is outside its wire range (e.g. mode above 255)
     */
    public long sendCommand(Command command) {
        writeLock.lock();
        try {
            Port p = port;
            if (phase != Phase.CONNECTED || p == null || p.queuedBytes() > config.maxQueuedBytes()) {
                commandsNotSent++;
                return -1;
            }
            command.hostTime_us = HostClock.now_us();
            long seq = sendLocked(p, command);
            if (seq < 0) {
                commandsNotSent++;
            } else {
                commandsSent++;
            }
            return seq;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Asks the device to arm, clearing the latched faults {@code clearFaults} ({@link Protocol#FAULT_RESET} |
     * {@link Protocol#FAULT_WATCHDOG} after power-on). The device arms when no fault remains latched; State's status
     * bit {@link Protocol#STATUS_ARMED} tells.
     *
     * @return the packet's seq, or -1 when there is no session
     */
    public long arm(long clearFaults) {
        writeLock.lock();
        try {
            Port p = port;
            if (phase != Phase.CONNECTED || p == null) {
                return -1;
            }
            armMessage.clearFaults = clearFaults;
            return sendLocked(p, armMessage);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Sends an Estop: the device latches damping at once, session or not.
     *
     * @return the packet's seq, or -1 when the port is gone
     */
    public long estop(long reason) {
        writeLock.lock();
        try {
            Port p = port;
            if (p == null) {
                return -1;
            }
            estopMessage.reason = reason;
            return sendLocked(p, estopMessage);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Copies the newest State into {@code out} without waiting and without allocating.
     *
     * @return the State's serial number since the link opened (1, 2, ...; a caller sees whether it is new by
     *         comparing), or 0 when no State has come yet (then {@code out} is unchanged)
     */
    public long readState(State out) {
        return mailbox.read(out);
    }

    /** True when there is no session, or no State came for {@link Config#staleAfter_us}. */
    public boolean isStale() {
        return phase != Phase.CONNECTED || HostClock.now_us() - lastState_us > config.staleAfter_us();
    }

    /** The host time ({@link HostClock}) the newest State arrived at; 0 before the first. */
    public long lastStateTime_us() {
        return lastState_us;
    }

    /** Fills {@code out} with the link's counters; allocates nothing. */
    public void stats(LinkStats out) {
        synchronized (statsLock) {
            out.framesSent = framesSent;
            out.commandsSent = commandsSent;
            out.commandsNotSent = commandsNotSent;
            out.packetsReceived = decoder.goodPackets();
            out.statesReceived = statesReceived;
            out.statesOutOfOrder = statesOutOfOrder;
            out.heartbeatsReceived = heartbeatsReceived;
            out.faultsReceived = faultsReceived;
            out.unexpectedPackets = unexpected;
            out.staleHelloAcks = staleAcks;
            for (int i = 0; i < FrameError.count(); i++) {
                out.rxErrors[i] = decoder.errors(FrameError.of(i));
            }
            out.rxErrorsTotal = decoder.totalErrors();
            out.packetsLost = deviceSeq.lost;
            out.packetsDuplicated = deviceSeq.duplicated;
            out.packetsReordered = deviceSeq.reordered;
            out.rttCount = rtt.count();
            out.rttP50_us = rtt.percentile(0.5);
            out.rttP99_us = rtt.percentile(0.99);
            out.rttMax_us = rtt.max();
            out.rttMean_us = rtt.mean();
            out.linkLosses = linkLosses;
            out.reconnects = reconnects;
            out.sessions = sessions;
            out.staleEvents = staleEvents;
            out.watchdogTrips = watchdogTrips;
            out.deviceRxOk = deviceRxOk;
            out.deviceRxBad = deviceRxBad;
            out.deviceCommandsApplied = deviceApplied;
            out.deviceCommandsRejected = deviceRejected;
            out.framesSentAtDeviceHeartbeat = sentAtHeartbeat;
            out.commandsSentAtDeviceHeartbeat = commandsAtHeartbeat;
        }
    }

    /** Copies the round-trip histogram into {@code out}. */
    public void roundTrips(LatencyHistogram out) {
        synchronized (statsLock) {
            out.copyFrom(rtt);
        }
    }

    /** Copies the last Fault the device sent into {@code out}; false when none came yet. */
    public boolean lastFault(Fault out) {
        synchronized (statsLock) {
            out.copyFrom(lastFault);
            return faultsReceived > 0;
        }
    }

    /** Stops the reader thread and closes the port. Sends nothing: the device's watchdog damps the robot. */
    @Override
    public void close() {
        closing = true;
        reader.interrupt();
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Port p = detachPort();
        if (p != null) {
            p.close();
        }
        setPhase(Phase.CLOSED);
    }

    // ------------------------------------------------------------------------------------------------ sending

    /** Encodes and writes under writeLock; returns the seq, or -1 when the write failed (the reader notices). */
    private long sendLocked(Port p, Message m) {
        long seq = nextSeq;
        int n = m == hello ? encoder.encode(m, seq, helloVersion, tx, 0) : encoder.encode(m, seq, tx, 0);
        nextSeq = (seq + 1) & 0xFFFF_FFFFL;
        try {
            p.write(tx, 0, n);
        } catch (java.io.IOException e) {
            if (writeFailure == null) {
                writeFailure = "a write failed: " + e.getMessage();
            }
            return -1;
        }
        framesSent++;
        return seq;
    }

    private void sendHello(long now_us) {
        writeLock.lock();
        try {
            Port p = port;
            if (p != null) {
                hello.protocolVersion = helloVersion;
                hello.session = session;
                hello.statePeriod_us = config.statePeriod_us();
                sendLocked(p, hello);
            }
        } finally {
            writeLock.unlock();
        }
        lastHello_us = now_us;
    }

    private void sendHeartbeat(long now_us) {
        writeLock.lock();
        try {
            Port p = port;
            if (p != null) {
                heartbeatOut.time_us = now_us;
                heartbeatOut.echoTime_us = peerHeartbeatTime_us;
                heartbeatOut.rxOk = decoder.goodPackets() & 0xFFFF_FFFFL;
                heartbeatOut.rxBad = decoder.totalErrors() & 0xFFFF_FFFFL;
                heartbeatOut.commandsApplied = commandsSent & 0xFFFF_FFFFL;
                heartbeatOut.commandsRejected = 0;
                sendLocked(p, heartbeatOut);
            }
        } finally {
            writeLock.unlock();
        }
        lastHeartbeat_us = now_us;
    }

    /** A single 0x00 flushes the device's partial frame after (re)opening (section 1, "Sending"). */
    private void sendFlush(Port p) {
        writeLock.lock();
        try {
            tx[0] = 0;
            p.write(tx, 0, 1);
        } catch (java.io.IOException e) {
            if (writeFailure == null) {
                writeFailure = "a write failed: " + e.getMessage();
            }
        } finally {
            writeLock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------------ the reader

    private void run() {
        byte[] rx = new byte[1024];
        FrameDecoder.Handler handler = new FrameDecoder.Handler() {
            @Override
            public void onPacket(FrameDecoder d, int type) {
                packet(type);
            }
        };
        while (!closing) {
            Port p = port;
            if (phase == Phase.REFUSED) {
                break;
            }
            if (p == null) {
                reopen();
                continue;
            }
            int n;
            try {
                n = p.read(rx, 0, rx.length);
            } catch (java.io.IOException e) {
                if (!closing) {
                    lose("reading the port failed: " + e.getMessage());
                }
                continue;
            }
            if (closing) {
                break;
            }
            if (n < 0) {
                lose("the port reported a disconnect (unplugged, or the device closed it)");
                continue;
            }
            now_us = HostClock.now_us();
            if (n > 0) {
                synchronized (statsLock) {
                    decoder.feed(rx, 0, n, handler);
                }
            }
            String failed = writeFailure;
            if (failed != null) {
                lose(failed);
                continue;
            }
            timers(HostClock.now_us());
        }
        if (phase == Phase.REFUSED) {
            Port gone = detachPort();
            if (gone != null) {
                gone.close();
            }
        }
    }

    private void timers(long now) {
        Phase ph = phase;
        if (ph == Phase.HANDSHAKING && now - lastHello_us >= config.helloInterval_us()) {
            sendHello(now);
        }
        if (ph == Phase.CONNECTED) {
            if (now - lastHeartbeat_us >= config.heartbeatInterval_us()) {
                sendHeartbeat(now);
            }
            long age = now - lastState_us;
            if (age > config.sessionLostAfter_us()) {
                synchronized (statsLock) {
                    linkLosses++;
                }
                String reason = "no State from " + portName + " for " + age / 1000 + " ms while the port is open (did"
                        + " the device restart?): starting a new session; the device is disarmed until arm() is called";
                LOG.warning(reason);
                listener.onLinkLost(reason);
                startHandshake(now, false);
            } else if (age > config.staleAfter_us() && !stale) {
                stale = true;
                synchronized (statsLock) {
                    staleEvents++;
                }
                listener.onStale(age);
            }
        }
    }

    private void startHandshake(long now, boolean first) {
        long s;
        do {
            s = ThreadLocalRandom.current().nextInt() & 0xFFFF_FFFFL;
        } while (s == 0);
        session = s;
        setPhase(Phase.HANDSHAKING);
        Port p = port;
        if (p != null) {
            sendFlush(p);
        }
        sendHello(now);
        if (first) {
            lastReopen_us = now;
        }
    }

    private void packet(int type) {
        deviceSeq.accept(decoder.seq());
        switch (type) {
            case Protocol.HELLO_ACK -> helloAck();
            case Protocol.STATE -> state();
            case Protocol.HEARTBEAT -> {
                Heartbeat h = decoder.heartbeat();
                heartbeatsReceived++;
                peerHeartbeatTime_us = h.time_us;
                deviceRxOk = h.rxOk;
                deviceRxBad = h.rxBad;
                deviceApplied = h.commandsApplied;
                deviceRejected = h.commandsRejected;
                sentAtHeartbeat = framesSent;
                commandsAtHeartbeat = commandsSent;
            }
            case Protocol.FAULT -> {
                faultsReceived++;
                lastFault.copyFrom(decoder.fault());
                listener.onFault(lastFault);
            }
            default -> unexpected++;
        }
    }

    private void helloAck() {
        HelloAck a = decoder.helloAck();
        if (phase != Phase.HANDSHAKING || a.session != session) {
            staleAcks++;
            return;
        }
        if (a.status == Protocol.HELLO_ACCEPTED && a.protocolVersion == helloVersion) {
            ack.copyFrom(a);
            sessions++;
            sessionFirstSeq = nextSeq;
            haveSessionState = false;
            lastState_us = now_us;
            stale = false;
            lastHeartbeat_us = 0;
            LOG.info("session " + Long.toHexString(session) + " with " + a.robotName() + " (firmware "
                    + (a.firmwareVersion >> 16) + "." + (a.firmwareVersion >> 8 & 0xFF) + "." + (a.firmwareVersion & 0xFF)
                    + ", " + a.joints + " joints, " + a.feet + " feet, State every " + a.statePeriod_us + " us) on "
                    + portName + "; the device is disarmed");
            listener.onSession(ack);
            // The stale clock starts now, not when the HelloAck came: the log line (JUL's first use can take 100 ms)
            // and the listener ran in between.
            lastState_us = HostClock.now_us();
            setPhase(Phase.CONNECTED);
        } else if (a.status == Protocol.HELLO_VERSION_MISMATCH || a.protocolVersion != helloVersion) {
            refuse(LinkException.Kind.VERSION_MISMATCH, "the device speaks protocol v" + a.protocolVersion + ", trot speaks v"
                    + helloVersion + ": update the firmware (or trot) so that both speak the same version;"
                    + " the link will not run");
        } else if (a.status == Protocol.HELLO_BAD_PERIOD) {
            refuse(LinkException.Kind.REFUSED_PERIOD, "the device refused a State period of " + config.statePeriod_us()
                    + " us: ask for one it supports (protocol.md allows 1,000 .. 100,000 us; the device offered "
                    + a.statePeriod_us + " us)");
        } else {
            refuse(LinkException.Kind.REFUSED, "the device refused the Hello with status " + a.status
                    + ", which protocol v1 does not define: check the firmware");
        }
    }

    private void refuse(LinkException.Kind kind, String message) {
        refusalKind = kind;
        refusal = message;
        LOG.severe(message);
        setPhase(Phase.REFUSED);
        listener.onRefused(message);
    }

    private void state() {
        if (phase != Phase.CONNECTED) {
            return; // a State of an earlier session, before its HelloAck
        }
        State s = decoder.state();
        if (haveSessionState && Long.compareUnsigned(s.fwTime_us, lastFwTime_us) <= 0) {
            statesOutOfOrder++; // delayed or reordered on the way: older than one already handed over
            return;
        }
        haveSessionState = true;
        lastFwTime_us = s.fwTime_us;
        long now = now_us;
        statesReceived++;
        mailbox.publish(s, now);
        lastState_us = now;
        stale = false;
        listener.onState(s);
        long cmd = s.lastCommandSeq;
        if (cmd != lastCommandSeqSeen) {
            lastCommandSeqSeen = cmd;
            // Only commands of this link's session: after a new session the device may still echo older ones.
            long sentSince = (cmd - sessionFirstSeq) & 0xFFFF_FFFFL;
            long sentBefore = (nextSeq - sessionFirstSeq) & 0xFFFF_FFFFL;
            if (s.echoHostTime_us != 0 && sentSince < sentBefore) {
                rtt.record(now - s.echoHostTime_us);
            }
        }
        boolean watchdog = (s.faults & Protocol.FAULT_WATCHDOG) != 0;
        if (watchdog && (previousFaults & Protocol.FAULT_WATCHDOG) == 0) {
            watchdogTrips++;
        }
        previousFaults = s.faults;
    }

    private void lose(String reason) {
        Port p = detachPort();
        if (p != null) {
            p.close();
        }
        synchronized (statsLock) {
            linkLosses++;
        }
        writeFailure = null;
        setPhase(Phase.DISCONNECTED);
        String message = "lost the link to " + portName + " (" + reason + "); reopening it every "
                + config.reconnectInterval_us() / 1000 + " ms; the device will be disarmed after the new handshake";
        LOG.warning(message);
        listener.onLinkLost(message);
        lastReopen_us = HostClock.now_us();
        lastReopenFailure = null;
    }

    private void reopen() {
        long wait_us = lastReopen_us + config.reconnectInterval_us() - HostClock.now_us();
        if (wait_us > 0) {
            try {
                Thread.sleep(wait_us / 1000, (int) (wait_us % 1000) * 1000);
            } catch (InterruptedException e) {
                return; // close() interrupts
            }
        }
        lastReopen_us = HostClock.now_us();
        Port p;
        try {
            p = opener.open();
        } catch (PortException e) {
            if (e.reason() != lastReopenFailure && e.reason() != PortException.Reason.NOT_FOUND) {
                LOG.log(Level.WARNING, "reopening " + portName + ": " + e.getMessage());
            }
            lastReopenFailure = e.reason();
            return;
        }
        if (closing) {
            p.close();
            return;
        }
        writeLock.lock();
        try {
            port = p;
        } finally {
            writeLock.unlock();
        }
        synchronized (statsLock) {
            reconnects++;
            decoder.resetFrame();
            deviceSeq.reset();
        }
        LOG.info("reopened " + portName + "; shaking hands");
        startHandshake(HostClock.now_us(), false);
    }

    private Port detachPort() {
        writeLock.lock();
        try {
            Port p = port;
            port = null;
            return p;
        } finally {
            writeLock.unlock();
        }
    }

    private void setPhase(Phase p) {
        synchronized (phaseLock) {
            if (phase != Phase.CLOSED && !(phase == Phase.REFUSED && p != Phase.CLOSED)) {
                phase = p;
            }
            phaseLock.notifyAll();
        }
    }
}

package trot.link;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A device in Java for testing the link's logic without the emulator: the handshake (with a protocol version of
 * its choosing), State every period, Heartbeat every 100 ms, the arm/fault latches, the watchdog, Estop and the
 * command sequence rule of protocol.md sections 4-6, over {@link MemoryPipe}s. Its robot does not move.
 * {@link #unplug} cuts the line; {@link #plugIn} makes a new one, which the host's {@link #opener} then opens.
 */
final class FakeDevice implements AutoCloseable {
    final int version;
    volatile boolean sendStates = true;
    volatile boolean answerHellos = true;
    /** When set, every good packet to the host also goes out with one byte flipped first. */
    volatile boolean corruptCopies;
    volatile int helloStatusOverride = -1;
    /** The watchdog time; tests that only count commands raise it, so that a stalled test thread cannot trip it. */
    volatile long watchdog_us = Protocol.WATCHDOG_US;
    /** Stop reading the line (the host's bytes pile up in the pipe). */
    volatile boolean paused;
    /** Send every State twice (the same packet: a duplicate on the line). */
    volatile boolean duplicateStates;
    /** Skip every n-th State's sending, seq counted all the same (lost on the line); 0: none. */
    volatile int loseEveryNthState;
    /** The host's reads throw (a failing port). */
    volatile boolean hostReadsThrow;
    /** The host's writes throw (a failing port). */
    volatile boolean hostWritesThrow;
    /** What the device saw: Hello sessions and header versions, the first byte on each new line, host Heartbeats. */
    final List<Long> helloSessions = new ArrayList<>();
    final List<Integer> helloHeaderVersions = new ArrayList<>();
    final List<Integer> firstBytes = new ArrayList<>();
    final List<long[]> hostHeartbeats = new ArrayList<>(); // {rxOk, rxBad, commandsApplied, commandsRejected, echoTime_us}
    long lastHeartbeatSent_us;
    /** Host ports opened and closed, and opener calls. */
    final java.util.concurrent.atomic.AtomicInteger opens = new java.util.concurrent.atomic.AtomicInteger(),
            closes = new java.util.concurrent.atomic.AtomicInteger(), openAttempts = new java.util.concurrent.atomic.AtomicInteger();
    private boolean awaitingFirstByte = true;
    private int statesSent;

    private final Object lock = new Object();
    private final Port.Opener deviceSide; // null: in-memory pipes
    private MemoryPipe toDevice, toHost;
    private volatile Port line;           // the device's end
    private boolean plugged;
    private final Thread reader, ticker;
    private volatile boolean closing;

    // Guarded by lock.
    private final FrameEncoder encoder = new FrameEncoder();
    private final FrameDecoder decoder = new FrameDecoder();
    private final byte[] wire = new byte[Protocol.MAX_WIRE];
    private long seq = 1000;
    private boolean session, armed;
    private long sessionId, period_us = 10_000, lastApplied, lastCommand_us, lastState_us, lastHeartbeat_us;
    private boolean haveApplied;
    long faults = Protocol.FAULT_RESET;
    int mode;
    long echoHostTime_us, lastCommandSeq;
    final List<long[]> applied = new ArrayList<>();   // {seq, hostTime_us, mode}
    int hellos, arms, estops, rejected, watchdogTrips;

    /** A device on in-memory pipes; the host opens them with {@link #opener}. */
    FakeDevice(int version) {
        this(version, null);
    }

    /**
     * A device on the port {@code deviceSide} opens (one end of a socat pty pair, say); it reopens it after a loss.
     */
    FakeDevice(int version, Port.Opener deviceSide) {
        this.version = version;
        this.deviceSide = deviceSide;
        if (deviceSide == null) {
            plugIn();
        }
        reader = new Thread(this::read, "fake-device-reader");
        reader.setDaemon(true);
        ticker = new Thread(this::tickEveryMillisecond, "fake-device-ticker");
        ticker.setDaemon(true);
        reader.start();
        ticker.start();
    }

    Port.Opener opener() {
        return () -> {
            openAttempts.incrementAndGet();
            synchronized (lock) {
                if (!plugged) {
                    throw new PortException(PortException.Reason.NOT_FOUND, "fake device unplugged");
                }
                Port inner = MemoryPipe.port("fake", toHost, toDevice);
                MemoryPipe in = toDevice;
                opens.incrementAndGet();
                return new Port() {
                    @Override
                    public int read(byte[] buf, int offset, int max) throws IOException {
                        if (hostReadsThrow) {
                            throw new IOException("the fake port failed");
                        }
                        return inner.read(buf, offset, max);
                    }

                    @Override
                    public void write(byte[] buf, int offset, int n) throws IOException {
                        if (hostWritesThrow) {
                            throw new IOException("the fake port failed");
                        }
                        inner.write(buf, offset, n);
                    }

                    @Override
                    public int queuedBytes() {
                        return in.size();
                    }

                    @Override
                    public void close() {
                        closes.incrementAndGet();
                        inner.close();
                    }

                    @Override
                    public String name() {
                        return inner.name();
                    }
                };
            }
        };
    }

    /** Unplugs in the middle of sending a State: the host has half a frame when the line goes. */
    void unplugMidFrame() {
        synchronized (lock) {
            State st = new State();
            int n = encoder.encode(st, seq++ & 0xFFFF_FFFFL, wire, 0);
            try {
                line.write(wire, 0, n / 2);
            } catch (IOException e) {
                // gone already
            }
            plugged = false;
            toDevice.cut();
            toHost.cut();
        }
    }

    void unplug() {
        synchronized (lock) {
            plugged = false;
            toDevice.cut();
            toHost.cut();
        }
    }

    void plugIn() {
        synchronized (lock) {
            toDevice = new MemoryPipe();
            toHost = new MemoryPipe();
            line = MemoryPipe.port("fake device side", toDevice, toHost);
            plugged = true;
            decoder.resetFrame();
            awaitingFirstByte = true;
            seq += 1000; // the device's seq runs on while unplugged: the host must not count that as loss
        }
    }

    boolean armed() {
        synchronized (lock) {
            return armed;
        }
    }

    long faults() {
        synchronized (lock) {
            return faults;
        }
    }

    int appliedCount() {
        synchronized (lock) {
            return applied.size();
        }
    }

    private void read() {
        byte[] buf = new byte[512];
        while (!closing) {
            Port p = line;
            if (paused) {
                sleep(1);
                continue;
            }
            if (p == null) {
                if (deviceSide != null) {
                    try {
                        Port opened = deviceSide.open();
                        synchronized (lock) {
                            line = opened;
                            plugged = true;
                            decoder.resetFrame();
                        }
                        continue;
                    } catch (PortException e) {
                        // not there yet
                    }
                }
                sleep(5);
                continue;
            }
            int n;
            try {
                n = p.read(buf, 0, buf.length);
            } catch (IOException e) {
                n = -1;
            }
            synchronized (lock) {
                if (n < 0) {
                    if (deviceSide != null) {
                        p.close();
                        line = null;
                        plugged = false;
                    } else {
                        sleep(1);
                    }
                    continue;
                }
                long now = HostClock.now_us();
                if (n > 0 && awaitingFirstByte) {
                    firstBytes.add(buf[0] & 0xFF);
                    awaitingFirstByte = false;
                }
                for (int i = 0; i < n; i++) {
                    int r = decoder.feed(buf[i]);
                    if (r > 0) {
                        handle(r, now);
                    }
                }
            }
        }
    }

    private void tickEveryMillisecond() {
        while (!closing) {
            synchronized (lock) {
                tick(HostClock.now_us());
            }
            sleep(1);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(int type, long now) {
        switch (type) {
            case Protocol.HELLO -> {
                hellos++;
                Hello h = decoder.hello();
                helloSessions.add(h.session);
                helloHeaderVersions.add(decoder.headerVersion());
                if (!answerHellos) {
                    return;
                }
                HelloAck a = new HelloAck();
                a.protocolVersion = version;
                a.session = h.session;
                a.joints = 12;
                a.feet = 4;
                a.firmwareVersion = 0x000100;
                a.setRobotName("fake");
                a.statePeriod_us = h.statePeriod_us;
                if (helloStatusOverride >= 0) {
                    a.status = helloStatusOverride;
                } else if (h.protocolVersion != version) {
                    a.status = Protocol.HELLO_VERSION_MISMATCH;
                } else {
                    a.status = Protocol.HELLO_ACCEPTED;
                    session = true;
                    sessionId = h.session;
                    period_us = h.statePeriod_us;
                    armed = false;
                    haveApplied = false;
                    mode = Protocol.MODE_DAMP;
                }
                send(a);
            }
            case Protocol.ARM -> {
                arms++;
                if (!session) {
                    rejected++;
                    return;
                }
                faults &= ~decoder.arm().clearFaults; // every cause is gone at once on this device
                armed = faults == 0;
                lastCommand_us = now;
            }
            case Protocol.ESTOP -> {
                estops++;
                faults |= Protocol.FAULT_ESTOP;
                armed = false;
                mode = Protocol.MODE_DAMP;
            }
            case Protocol.COMMAND -> {
                long s = decoder.seq();
                if (!session || !armed || (haveApplied && (int) (s - lastApplied) <= 0)) {
                    rejected++;
                    return;
                }
                haveApplied = true;
                lastApplied = s;
                lastCommand_us = now;
                Command c = decoder.command();
                mode = c.mode;
                echoHostTime_us = c.hostTime_us;
                lastCommandSeq = s;
                applied.add(new long[]{s, c.hostTime_us, c.mode});
            }
            case Protocol.HEARTBEAT -> {
                Heartbeat h = decoder.heartbeat();
                hostHeartbeats.add(new long[]{h.rxOk, h.rxBad, h.commandsApplied, h.commandsRejected, h.echoTime_us});
            }
            default -> {
            }
        }
    }

    private void tick(long now) {
        if (armed && now - lastCommand_us > watchdog_us) {
            armed = false;
            faults |= Protocol.FAULT_WATCHDOG;
            mode = Protocol.MODE_DAMP;
            watchdogTrips++;
            Fault f = new Fault();
            f.fault = Protocol.FAULT_WATCHDOG;
            f.faults = faults;
            f.joint = 0xFF;
            f.fwTime_us = now;
            send(f);
        }
        if (session && sendStates && now - lastState_us >= period_us) {
            lastState_us = now;
            State s = new State();
            s.fwTime_us = now;
            s.echoHostTime_us = echoHostTime_us;
            s.lastCommandSeq = lastCommandSeq;
            s.faults = faults;
            s.status = (armed ? Protocol.STATUS_ARMED : 0) | Protocol.STATUS_SESSION;
            s.mode = armed ? mode : Protocol.MODE_DAMP;
            s.quat[0] = 1;
            s.accel_mps2[2] = 9.81f;
            statesSent++;
            if (loseEveryNthState > 0 && statesSent % loseEveryNthState == 0) {
                seq++; // sent, and lost on the way
            } else {
                send(s);
                if (duplicateStates) {
                    seq--;
                    send(s);
                }
            }
        }
        if (now - lastHeartbeat_us >= 100_000) {
            lastHeartbeat_us = now;
            Heartbeat h = new Heartbeat();
            h.time_us = now;
            lastHeartbeatSent_us = now;
            h.rxOk = decoder.goodPackets();
            h.rxBad = decoder.totalErrors();
            h.commandsApplied = applied.size();
            h.commandsRejected = rejected;
            send(h);
        }
    }

    private void send(Message m) {
        Port out = line;
        if (!plugged || out == null) {
            return;
        }
        int n = encoder.encode(m, seq++ & 0xFFFF_FFFFL, wire, 0);
        try {
            if (corruptCopies) {
                byte[] bad = wire.clone();
                bad[n / 2] ^= 0x20;
                if (bad[n / 2] == 0) {
                    bad[n / 2] = 0x55;
                }
                out.write(bad, 0, n);
            }
            out.write(wire, 0, n);
        } catch (IOException e) {
            // unplugged while sending
        }
    }

    @Override
    public void close() throws InterruptedException {
        closing = true;
        reader.join(1000);
        ticker.join(1000);
        Port p = line;
        if (p != null) {
            p.close();
        }
        if (deviceSide == null) {
            unplug();
        }
    }
}

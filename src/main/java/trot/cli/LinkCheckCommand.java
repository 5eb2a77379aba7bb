package trot.cli;

import picocli.CommandLine.Option;
import trot.link.Command;
import trot.link.HelloAck;
import trot.link.LinkException;
import trot.link.LinkStats;
import trot.link.PortException;
import trot.link.Protocol;
import trot.link.SerialLink;
import trot.link.State;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code trot link-check}: checks the serial link to a robot (or the emulator) end to end. Shakes hands, arms, holds
 * a pose at a fixed command rate for a while, damps, and reports what was sent, received, lost and rejected each
 * way, the round-trip times, stale periods, link losses and watchdog faults. Exit code 0 for a clean link (nothing
 * lost, dropped or rejected, no fault, no loss of the link), 1 otherwise, 2 for bad input.
 */
@picocli.CommandLine.Command(name = "link-check", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check the serial link to the robot: handshake, arm, hold the standing pose (mode run, targets",
                "[0.05, 0.9, -1.8] rad per leg, kp 60, kd 4, interpolated over the command period) at --rate-hz for",
                "--seconds, then damp; report commands sent, states received, packets lost each way, receive errors,",
                "round-trip times, stale periods, link losses, reconnects and watchdog faults.",
                "Exit code 0: a clean link; 1: something was lost, dropped or rejected, or a fault; 2: bad input.",
                "Against the emulator: `trot emulate --link /tmp/trot-a1` in one terminal, then",
                "`trot link-check --port /tmp/trot-a1` in another."})
final class LinkCheckCommand implements Callable<Integer> {
    static final float[] STAND_RAD = {0.05f, 0.9f, -1.8f};

    @Option(names = "--port", required = true, description = "The robot's serial port (/dev/ttyACM0, or the emulator's pty).")
    String port;

    @Option(names = "--seconds", defaultValue = "60", description = "How long to command (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--rate-hz", defaultValue = "20", description = "Commands per second (default ${DEFAULT-VALUE}).")
    double rateHz;

    @Option(names = "--baud", defaultValue = "1000000", description = "Baud rate, 8N1 (default ${DEFAULT-VALUE}; a pty ignores it).")
    int baud;

    @Option(names = "--state-period-us", defaultValue = "10000",
            description = "The State period asked of the device, 1000 .. 100000 us (default ${DEFAULT-VALUE}).")
    int statePeriod_us;

    @Option(names = "--hold", description = "Hold the measured pose (mode hold) instead of commanding the standing pose: for a real robot that is not standing.")
    boolean hold;

    @Override
    public Integer call() throws InterruptedException {
        PrintStream out = System.out;
        if (!(seconds > 0) || !(rateHz > 0 && rateHz <= 1000) || baud <= 0) {
            System.err.println("trot link-check: --seconds must be positive, --rate-hz in (0, 1000] and --baud positive;"
                    + " got " + seconds + ", " + rateHz + " and " + baud);
            return 2;
        }
        SerialLink.Config config;
        try {
            config = SerialLink.Config.defaults().withStatePeriod(statePeriod_us);
        } catch (IllegalArgumentException e) {
            System.err.println("trot link-check: " + e.getMessage());
            return 2;
        }
        long period_ns = Math.round(1e9 / rateHz);
        AtomicLong sessions = new AtomicLong();
        long started = System.nanoTime();
        HelloAck[] device = {null};
        SerialLink.Listener listener = new SerialLink.Listener() {
            @Override
            public void onSession(HelloAck ack) {
                sessions.incrementAndGet();
                HelloAck copy = new HelloAck();
                copy.copyFrom(ack);
                device[0] = copy;
            }

            @Override
            public void onLinkLost(String reason) {
                System.err.println("trot link-check: " + reason);
            }

            @Override
            public void onStale(long age_us) {
                System.err.printf(Locale.ROOT, "trot link-check: no State for %.1f ms (at %.3f s)%n", age_us / 1e3,
                        (System.nanoTime() - started) / 1e9);
            }
        };
        SerialLink link;
        try {
            link = SerialLink.open(port, baud, config, listener);
        } catch (PortException e) {
            System.err.println("trot link-check: " + e.getMessage());
            return 2;
        }
        try (link) {
            try {
                link.awaitSession(3000);
            } catch (LinkException e) {
                System.err.println("trot link-check: " + e.getMessage());
                return 1;
            }
            State state = new State();
            // The baseline of the device's counters first: once armed, its watchdog wants a command every 100 ms.
            LinkStats base = new LinkStats();
            awaitHeartbeat(link, base);
            long armedSession = sessions.get();
            if (!arm(link, state)) {
                System.err.println("trot link-check: the device did not arm within 1 s; latched faults: "
                        + Protocol.faultNames(state.faults));
                return 1;
            }

            Command command = new Command();
            command.mode = hold ? Protocol.MODE_HOLD : Protocol.MODE_RUN;
            command.interp_us = Math.min(Protocol.MAX_INTERP_US, period_ns / 1000);
            for (int j = 0; j < Protocol.JOINTS; j++) {
                command.qTarget_rad[j] = STAND_RAD[j % 3];
                command.kp[j] = 60;
                command.kd[j] = 4;
            }
            long rearms = 0;
            long start = System.nanoTime();
            long end = start + Math.round(seconds * 1e9);
            for (long next = start; next < end; next += period_ns) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                if (sessions.get() != armedSession && link.phase() == SerialLink.Phase.CONNECTED) {
                    // A new session after a loss: the device is disarmed; this check arms it again, explicitly.
                    armedSession = sessions.get();
                    System.err.println("trot link-check: new session after a loss: arming again");
                    rearms++;
                    link.arm(Protocol.FAULT_RESET | Protocol.FAULT_WATCHDOG);
                }
                link.sendCommand(command);
            }
            // Damp, and keep damping (which feeds the watchdog) until the device's counters have come back in
            // at least two Heartbeats; the watchdog trips after this command exits, as it should.
            command.mode = Protocol.MODE_DAMP;
            long dampEnd = System.nanoTime() + Math.max(300_000_000L, 3L * statePeriod_us * 1000);
            for (long next = System.nanoTime(); next < dampEnd; next += Math.min(period_ns, 50_000_000L)) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                link.sendCommand(command);
            }
            LinkStats s = new LinkStats();
            link.stats(s);
            link.readState(state);
            return report(out, s, base, device[0], period_ns, rearms, state);
        }
    }

    /** Arms (clearing RESET and WATCHDOG) and waits up to 1 s for a State that says armed. */
    private static boolean arm(SerialLink link, State state) throws InterruptedException {
        link.arm(Protocol.FAULT_RESET | Protocol.FAULT_WATCHDOG);
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (link.readState(state) > 0 && (state.status & Protocol.STATUS_ARMED) != 0) {
                return true;
            }
            Thread.sleep(5);
        }
        return false;
    }

    /** The counters as of the next device Heartbeat (at most 500 ms): the baseline of the device's counters. */
    private static void awaitHeartbeat(SerialLink link, LinkStats base) throws InterruptedException {
        link.stats(base);
        long heartbeats = base.heartbeatsReceived;
        long deadline = System.nanoTime() + 500_000_000L;
        while (base.heartbeatsReceived == heartbeats && System.nanoTime() < deadline) {
            Thread.sleep(2);
            link.stats(base);
        }
    }

    private int report(PrintStream out, LinkStats s, LinkStats base, HelloAck device, long period_ns, long rearms,
                       State last) {
        long hostSent = s.framesSentAtDeviceHeartbeat - base.framesSentAtDeviceHeartbeat;
        long deviceOk = s.deviceRxOk - base.deviceRxOk, deviceBad = s.deviceRxBad - base.deviceRxBad;
        long toDeviceLost = Math.max(0, hostSent - deviceOk - deviceBad);
        long applied = s.deviceCommandsApplied - base.deviceCommandsApplied;
        long rejected = s.deviceCommandsRejected - base.deviceCommandsRejected;
        out.printf(Locale.ROOT, "trot link-check: %s, %.1f s at %.1f Hz%s%n", port, seconds, 1e9 / period_ns,
                device == null ? "" : String.format(Locale.ROOT, " (robot %s, firmware %d.%d.%d, State every %d us)",
                        device.robotName(), device.firmwareVersion >> 16, device.firmwareVersion >> 8 & 0xFF,
                        device.firmwareVersion & 0xFF, device.statePeriod_us));
        out.printf(Locale.ROOT, "  commands sent      %d (not sent: %d)%n", s.commandsSent, s.commandsNotSent);
        out.printf(Locale.ROOT, "  states received    %d%n", s.statesReceived);
        out.printf(Locale.ROOT, "  host -> device     %d frames sent; the device received %d good, dropped %d bad: %d lost;"
                + " commands applied %d, rejected %d%n", hostSent, deviceOk, deviceBad, toDeviceLost, applied, rejected);
        out.printf(Locale.ROOT, "  device -> host     %d packets received, %d lost, %d duplicated, %d out of order%n",
                s.packetsReceived, s.packetsLost, s.packetsDuplicated, s.packetsReordered);
        out.printf(Locale.ROOT, "  receive errors     %d (%s)%n", s.rxErrorsTotal, s.describeErrors());
        out.printf(Locale.ROOT, "  round trip         p50 %.3f ms, p99 %.3f ms, max %.3f ms (%d commands)%n",
                s.rttP50_us / 1e3, s.rttP99_us / 1e3, s.rttMax_us / 1e3, s.rttCount);
        out.printf(Locale.ROOT, "  stale periods      %d%n", s.staleEvents);
        out.printf(Locale.ROOT, "  link losses        %d, reconnects %d, re-arms %d%n", s.linkLosses, s.reconnects, rearms);
        out.printf(Locale.ROOT, "  watchdog faults    %d; latched now: %s, mode %s%n", s.watchdogTrips,
                Protocol.faultNames(last.faults), Protocol.modeName(last.mode));
        boolean clean = s.packetsLost == 0 && s.rxErrorsTotal == 0 && toDeviceLost == 0 && deviceBad == 0 && rejected == 0
                && s.commandsNotSent == 0 && s.linkLosses == 0 && s.watchdogTrips == 0 && s.faultsReceived == 0
                && applied == s.commandsSentAtDeviceHeartbeat - base.commandsSentAtDeviceHeartbeat;
        out.println(clean ? "  result: clean" : "  result: NOT clean");
        return clean ? 0 : 1;
    }
}

package trot.link;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The host link against the REAL emulator (the C firmware core on MuJoCo, hardware/firmware/build/trot-emulator)
 * over a REAL pseudo-terminal: the handshake, commanding the standing pose, the device's watchdog, Estop, a version
 * mismatch, and the emulator's fault injector (drops, corruption, duplicates, delays, reordering, unplugs) checked
 * against the emulator's log of the commands it applied. Skipped when the emulator is not built, unless
 * TROT_REQUIRE_EMULATOR is set (as in CI).
 *
 * <p>The fault runs send {@value #CI_FRAMES} commands per fault setting at about 1 kHz. The long variant, at least
 * 10<sup>5</sup> commands per setting (about 100 s each):
 * <pre>
 *   mvn -B test -Dtest=EmulatorLinkTest -Dtrot.link.faultFrames=100000
 * </pre>
 */
@Tag("emulator")
class EmulatorLinkTest {
    static final int CI_FRAMES = 3000;
    static final long ARM_ALL = Protocol.FAULT_RESET | Protocol.FAULT_WATCHDOG | Protocol.FAULT_ESTOP;

    @BeforeAll
    static void built() {
        Emulator.assumeBuilt();
    }

    static boolean awaitState(SerialLink link, State s, long timeout_ms, java.util.function.Predicate<State> p)
            throws InterruptedException {
        long end = System.nanoTime() + timeout_ms * 1_000_000L;
        while (System.nanoTime() < end) {
            if (link.readState(s) > 0 && p.test(s)) {
                return true;
            }
            Thread.sleep(1);
        }
        return false;
    }

    /** Commands the standing pose at {@code hz} for {@code ms}; returns the host time of the last command sent. */
    static long command(SerialLink link, Command c, double hz, long ms) {
        long period = Math.round(1e9 / hz);
        long start = System.nanoTime(), end = start + ms * 1_000_000L;
        long last = 0;
        for (long next = start; next < end; next += period) {
            LockSupport.parkNanos(next - System.nanoTime());
            if (link.sendCommand(c) >= 0) {
                last = c.hostTime_us;
            }
        }
        return last;
    }

    @Test
    void standingPoseThenWatchdogThenEstop() throws Exception {
        SerialLinkTest.Events events = new SerialLinkTest.Events();
        try (Emulator emulator = new Emulator();
             SerialLink link = SerialLink.open(emulator.port, 1_000_000, SerialLink.Config.defaults(), events)) {
            link.awaitSession(3000);
            State s = new State();
            assertTrue(awaitState(link, s, 1000, x -> true), "State arrives");
            assertEquals(0, s.status & Protocol.STATUS_ARMED, "the firmware boots disarmed");
            assertTrue((s.faults & Protocol.FAULT_RESET) != 0, "with RESET latched: " + Protocol.faultNames(s.faults));
            link.arm(Protocol.FAULT_RESET | Protocol.FAULT_WATCHDOG);
            assertTrue(awaitState(link, s, 1000, x -> (x.status & Protocol.STATUS_ARMED) != 0), "armed");

            Command c = SerialLinkTest.standing();
            c.interp_us = 14_000;
            long lastSent = command(link, c, 70, 2500);
            assertTrue(awaitState(link, s, 200, x -> x.echoHostTime_us == c.hostTime_us), "the last command is applied");
            assertEquals(Protocol.MODE_RUN, s.mode);
            for (int j = 0; j < Protocol.JOINTS; j++) {
                assertEquals(c.qTarget_rad[j], s.q_rad[j], 0.25, "joint " + j + " near the standing pose");
            }
            LinkStats st = new LinkStats();
            link.stats(st);
            assertTrue(st.statesReceived > 200, "states " + st.statesReceived);
            assertTrue(st.rttCount > 100, "round trips " + st.rttCount);
            assertTrue(st.rttP50_us > 0 && st.rttP99_us < 200_000, "rtt p50 " + st.rttP50_us + " p99 " + st.rttP99_us);
            assertEquals(0, st.rxErrorsTotal, st.describeErrors());
            assertEquals(0, st.packetsLost);
            assertEquals(0, st.commandsNotSent);
            assertEquals(0, st.watchdogTrips);
            System.out.printf(Locale.ROOT, "emulator, 70 Hz: %d commands, %d states, rtt p50 %.3f ms p99 %.3f ms max %.3f ms%n",
                    st.commandsSent, st.statesReceived, st.rttP50_us / 1e3, st.rttP99_us / 1e3, st.rttMax_us / 1e3);

            // Stop commanding: the watchdog damps 100 ms after the last command, seen within a State period.
            assertTrue(awaitState(link, s, 1000, x -> (x.faults & Protocol.FAULT_WATCHDOG) != 0), "watchdog");
            long seenAfter_us = link.lastStateTime_us() - lastSent;
            assertEquals(Protocol.MODE_DAMP, s.mode);
            assertEquals(0, s.status & Protocol.STATUS_ARMED);
            assertTrue(seenAfter_us >= 95_000 && seenAfter_us <= 100_000 + 10_000 + 30_000,
                    "the watchdog State arrived " + seenAfter_us + " us after the last command");
            SerialLinkTest.await("the Fault", 1000, () -> events.count("fault WATCHDOG") == 1);
            link.stats(st);
            assertEquals(1, st.watchdogTrips);
            System.out.printf(Locale.ROOT, "emulator: watchdog damping seen %.1f ms after the last command%n", seenAfter_us / 1e3);

            // Commands are ignored until re-armed.
            long before = s.lastCommandSeq;
            command(link, c, 100, 100);
            Thread.sleep(30);
            link.readState(s);
            assertEquals(before, s.lastCommandSeq, "disarmed by the watchdog: commands are not applied");

            // Estop latches at once and holds through commands until an Arm clears it.
            link.arm(Protocol.FAULT_WATCHDOG);
            assertTrue(awaitState(link, s, 1000, x -> (x.status & Protocol.STATUS_ARMED) != 0), "re-armed");
            command(link, c, 100, 200);
            assertTrue(link.estop(Protocol.ESTOP_OPERATOR) > 0);
            assertTrue(awaitState(link, s, 500, x -> (x.faults & Protocol.FAULT_ESTOP) != 0), "estop latched");
            assertEquals(Protocol.MODE_DAMP, s.mode);
            before = s.lastCommandSeq;
            command(link, c, 100, 200);
            Thread.sleep(30);
            link.readState(s);
            assertEquals(before, s.lastCommandSeq, "commands are ignored after an Estop");
            assertTrue((s.faults & Protocol.FAULT_ESTOP) != 0, "still latched");
            link.arm(ARM_ALL);
            assertTrue(awaitState(link, s, 1000, x -> (x.status & Protocol.STATUS_ARMED) != 0 && x.faults == 0),
                    "an Arm naming ESTOP clears it");
            long seq = link.sendCommand(c);
            assertTrue(awaitState(link, s, 500, x -> x.lastCommandSeq == seq), "commands apply again");
            link.sendCommand(c); // and stop: the watchdog takes it from here
            Map<String, Double> summary = emulator.stop();
            assertEquals(1, summary.get("estops").intValue());
            assertTrue(summary.get("watchdog_trips") >= 1);
            assertEquals(0, summary.get("frames_rx_bad").intValue());
        }
    }

    @Test
    void aHelloOfAnotherVersionIsRefusedWithTheVersions() throws Exception {
        try (Emulator emulator = new Emulator()) {
            try (SerialLink link = SerialLink.open(JSerialPort.opener(emulator.port, 1_000_000), SerialLink.Config.defaults(),
                    null, 2)) {
                LinkException e = assertThrows(LinkException.class, () -> link.awaitSession(3000));
                assertEquals(LinkException.Kind.VERSION_MISMATCH, e.kind());
                assertTrue(e.getMessage().startsWith("the device speaks protocol v1, trot speaks v2: "), e.getMessage());
                assertEquals(-1, link.sendCommand(SerialLinkTest.standing()));
            }
            // The same device takes a v1 host afterwards.
            try (SerialLink link = SerialLink.open(emulator.port, 1_000_000, SerialLink.Config.defaults(), null)) {
                link.awaitSession(3000);
            }
        }
    }

    /** What one fault run measured, for the table. */
    record FaultRun(String spec, long sent, long applied, long rejected, long hostLost, long hostRxErrors,
                    long linkLosses, long reconnects, long unplugs, long hostWatchdog, long deviceWatchdog,
                    Map<String, Double> summary) {
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "drop=0.01,corrupt=0.001,duplicate=0.01,delay=0.01:20,reorder=0.01",
            "drop=0.05,corrupt=0.02,duplicate=0.05,reorder=0.05",
            "drop=0.01,corrupt=0.001,duplicate=0.01,delay=0.01:20,reorder=0.01,unplug=0.0005:300"})
    void theFaultInjectorNeverMakesTheDeviceApplyAWrongOrOldCommand(String faults, @TempDir Path dir) throws Exception {
        int frames = Integer.getInteger("trot.link.faultFrames", CI_FRAMES);
        FaultRun r = faultRun(faults, frames, dir);
        System.out.printf(Locale.ROOT, "fault run %-85s sent %7d applied %7d rejected %6d | host: lost %5d rx errors %5d"
                        + " losses %3d reconnects %3d | unplugs %3d | watchdog host %3d device %3d%n", r.spec(), r.sent(),
                r.applied(), r.rejected(), r.hostLost(), r.hostRxErrors(), r.linkLosses(), r.reconnects(), r.unplugs(),
                r.hostWatchdog(), r.deviceWatchdog());
        StringBuilder injected = new StringBuilder();
        r.summary().forEach((k, v) -> {
            if (k.startsWith("faults_injected_") && v > 0) {
                injected.append(' ').append(k.substring(16)).append('=').append(v.longValue());
            }
        });
        System.out.println("  injected:" + injected);
    }

    static FaultRun faultRun(String faults, int frames, Path dir) throws Exception {
        Path log = dir.resolve("applied.log");
        Path link = dir.resolve("a1");
        Map<Long, long[]> sent = new HashMap<>();
        AtomicLong sessions = new AtomicLong();
        SerialLink.Listener listener = new SerialLink.Listener() {
            @Override
            public void onSession(HelloAck ack) {
                sessions.incrementAndGet();
            }
        };
        LinkStats st = new LinkStats();
        Map<String, Double> summary;
        try (Emulator emulator = new Emulator("--link", link.toString(), "--faults", faults, "--fault-seed", "7",
                "--log-commands", log.toString(), "--quiet");
             SerialLink l = SerialLink.open(link.toString(), 1_000_000, SerialLink.Config.defaults(), listener)) {
            l.awaitSession(3000);
            long armedSession = 0, statesAtSession = -1, lastArm = 0;
            State state = new State();
            Command c = SerialLinkTest.standing();
            c.interp_us = 1000;
            byte[] payload = new byte[Protocol.COMMAND_LEN];
            CRC32C crc = new CRC32C();
            long period = 1_000_000; // 1 kHz
            long next = System.nanoTime();
            int commands = 0;
            while (commands < frames) {
                next += period;
                LockSupport.parkNanos(next - System.nanoTime());
                if (sessions.get() != armedSession) {
                    // A new session (the first, or after an unplug): the device is disarmed. Look at a State of this
                    // session first (it shows a watchdog trip during the outage), then arm: explicitly, as a caller must.
                    if (statesAtSession < 0) {
                        l.stats(st);
                        statesAtSession = st.statesReceived;
                    }
                    l.stats(st);
                    if (st.statesReceived > statesAtSession + 1 && l.phase() == SerialLink.Phase.CONNECTED) {
                        armedSession = sessions.get();
                        statesAtSession = -1;
                        l.arm(ARM_ALL);
                        lastArm = System.nanoTime();
                    }
                } else if (commands % 10 == 0 && System.nanoTime() - lastArm > 50_000_000L && l.readState(state) > 0
                        && (state.status & Protocol.STATUS_ARMED) == 0) {
                    l.arm(ARM_ALL); // the Arm was dropped or corrupted on the way (or a stall tripped the watchdog)
                    lastArm = System.nanoTime();
                }
                for (int j = 0; j < Protocol.JOINTS; j++) {
                    c.qTarget_rad[j] = (float) (new double[]{0.05, 0.9, -1.8}[j % 3] + 0.05 * Math.sin(commands * 0.01 + j));
                }
                long seq = l.sendCommand(c);
                if (seq >= 0) {
                    c.encodePayload(payload, 0);
                    crc.reset();
                    crc.update(payload, 0, payload.length);
                    sent.put(seq, new long[]{c.hostTime_us, crc.getValue(), c.mode});
                    commands++;
                }
            }
            Thread.sleep(400); // the final watchdog trip, seen by the host
            l.awaitSession(3000);
            Thread.sleep(100);
            l.stats(st);
            summary = emulator.stop();
        }
        List<String> lines = Files.readAllLines(log);
        long previous = -1;
        for (String line : lines) {
            String[] f = line.trim().split(" ");
            assertEquals(4, f.length, "log line '" + line + "'");
            long seq = Long.parseLong(f[0]);
            long[] mine = sent.get(seq);
            assertTrue(mine != null, "the device applied seq " + seq + ", which the host never sent as a command");
            assertEquals(mine[0], Long.parseUnsignedLong(f[1]), "host_time_us of seq " + seq);
            assertEquals(String.format("%08x", mine[1]), f[2], "payload CRC of seq " + seq + ": a changed command was applied");
            assertEquals(mine[2], Long.parseLong(f[3]), "mode of seq " + seq);
            assertTrue(seq > previous, "seq " + seq + " applied after " + previous
                    + ": never twice, and in increasing order (the host's seq never restarts)");
            previous = seq;
        }
        long unplugs = summary.get("unplugs").longValue();
        assertEquals(summary.get("commands_applied").longValue(), lines.size(), "every applied command is logged");
        assertTrue(lines.size() > frames / 2, "most commands are applied: " + lines.size() + " of " + frames);
        assertEquals(unplugs, st.linkLosses, "every unplug is one loss the host reports, and nothing else is");
        assertEquals(unplugs, st.reconnects, "every unplug is followed by a reconnect");
        assertEquals(unplugs + 1, st.sessions);
        long deviceTrips = summary.get("watchdog_trips").longValue();
        // A trip in an outage that comes within a State period of an Arm is invisible to the host (see
        // LinkStats.watchdogTrips): allow a few of those among many unplugs, none without unplugs.
        assertTrue(st.watchdogTrips <= deviceTrips && deviceTrips - st.watchdogTrips <= unplugs / 10,
                "the host saw " + st.watchdogTrips + " of the device's " + deviceTrips + " watchdog trips (" + unplugs + " unplugs)");
        if (unplugs == 0) {
            assertEquals(deviceTrips, st.watchdogTrips, "the host saw every watchdog trip of the device");
        }
        assertFalse(st.commandsSent < frames);
        long dropped = summary.get("faults_injected_drop_to_host").longValue()
                + summary.get("faults_injected_corrupt_to_host").longValue();
        if (unplugs == 0) {
            // A frame dropped before the host's first good packet, or after the last one it counted, leaves no gap.
            assertTrue(st.packetsLost <= dropped && st.packetsLost >= dropped - 2, "the host counts the frames dropped or"
                    + " corrupted on their way as lost: " + st.packetsLost + " of " + dropped);
        }
        return new FaultRun(faults, st.commandsSent, lines.size(), summary.get("commands_rejected").longValue(),
                st.packetsLost, st.rxErrorsTotal, st.linkLosses, st.reconnects, unplugs, st.watchdogTrips,
                summary.get("watchdog_trips").longValue(), summary);
    }
}

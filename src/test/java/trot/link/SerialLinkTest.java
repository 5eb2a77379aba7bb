package trot.link;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The link's logic against a device written in Java ({@link FakeDevice}) over in-memory pipes. */
class SerialLinkTest {

    static final int SLACK = 5;

    /**
     * Waits until {@code condition} holds. The timeout is a bound on a shared, loaded CI machine, never a measured
     * time: it is stretched {@value #SLACK} times (a passing wait returns as soon as the condition holds).
     */
    static void await(String what, long timeout_ms, BooleanSupplier condition) throws InterruptedException {
        long bound_ms = timeout_ms * SLACK;
        long end = System.nanoTime() + bound_ms * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + bound_ms + " ms waiting for: " + what);
            }
            Thread.sleep(2);
        }
    }

    static Command standing() {
        Command c = new Command();
        c.mode = Protocol.MODE_RUN;
        c.interp_us = 10_000;
        for (int j = 0; j < Protocol.JOINTS; j++) {
            c.qTarget_rad[j] = new float[]{0.05f, 0.9f, -1.8f}[j % 3];
            c.kp[j] = 60;
            c.kd[j] = 4;
        }
        return c;
    }

    /** Records the listener's events. */
    static final class Events implements SerialLink.Listener {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onSession(HelloAck ack) {
            events.add("session " + ack.robotName());
        }

        @Override
        public void onLinkLost(String reason) {
            events.add("lost " + reason);
        }

        @Override
        public void onStale(long age_us) {
            events.add("stale");
        }

        @Override
        public void onFault(Fault fault) {
            events.add("fault " + Protocol.faultNames(fault.fault));
        }

        @Override
        public void onRefused(String message) {
            events.add("refused " + message);
        }

        long count(String prefix) {
            synchronized (events) {
                return events.stream().filter(e -> e.startsWith(prefix)).count();
            }
        }
    }

    @Test
    void handshakeArmCommandAndState() throws Exception {
        Events events = new Events();
        try (FakeDevice device = new FakeDevice(1);
             SerialLink link = SerialLink.open(device.opener(), SerialLink.Config.defaults(), events)) {
            device.watchdog_us = 10_000_000; // this test counts commands; a stall of the test thread must not trip it
            link.awaitSession(2000);
            assertEquals(SerialLink.Phase.CONNECTED, link.phase());
            assertEquals(List.of("session fake"), events.events);
            State s = new State();
            await("a State", 1000, () -> link.readState(s) > 0);
            assertEquals(0, s.status & Protocol.STATUS_ARMED, "disarmed after the handshake");
            assertTrue(link.arm(Protocol.FAULT_RESET | Protocol.FAULT_WATCHDOG) > 0);
            await("armed", 1000, () -> link.readState(s) > 0 && (s.status & Protocol.STATUS_ARMED) != 0);
            Command c = standing();
            long last = -1;
            for (int i = 0; i < 50; i++) {
                long seq = link.sendCommand(c);
                assertTrue(seq > last, "seq grows: " + seq + " after " + last);
                last = seq;
                Thread.sleep(5);
            }
            long lastSeq = last;
            await("the last command's state", 1000, () -> link.readState(s) > 0 && s.lastCommandSeq == lastSeq);
            assertEquals(Protocol.MODE_RUN, s.mode);
            LinkStats st = new LinkStats();
            link.stats(st);
            assertEquals(50, st.commandsSent);
            assertEquals(0, st.commandsNotSent);
            assertTrue(st.statesReceived > 10, "states " + st.statesReceived);
            assertTrue(st.rttCount > 10, "round trips measured: " + st.rttCount);
            assertTrue(st.rttP50_us > 0 && st.rttP50_us <= st.rttP99_us && st.rttP99_us <= st.rttMax_us);
            assertTrue(st.rttMax_us < 200_000, "rtt max " + st.rttMax_us);
            assertEquals(0, st.rxErrorsTotal);
            assertEquals(0, st.packetsLost);
            assertEquals(0, st.linkLosses);
            assertEquals(1, st.sessions);
            assertEquals(0, st.watchdogTrips);
            assertEquals(50, device.appliedCount());
            assertFalse(link.isStale());
            assertTrue(link.lastStateTime_us() > 0);
        }
    }

    @Test
    void theWatchdogTripIsSeenAndNothingReArmsSilently() throws Exception {
        Events events = new Events();
        try (FakeDevice device = new FakeDevice(1);
             SerialLink link = SerialLink.open(device.opener(), SerialLink.Config.defaults(), events)) {
            link.awaitSession(2000);
            link.arm(Protocol.FAULT_RESET | Protocol.FAULT_WATCHDOG);
            await("armed", 1000, device::armed);
            link.sendCommand(standing());
            State s = new State();
            await("watchdog", 1000, () -> link.readState(s) > 0 && (s.faults & Protocol.FAULT_WATCHDOG) != 0);
            assertEquals(Protocol.MODE_DAMP, s.mode);
            await("fault event", 1000, () -> events.count("fault WATCHDOG") == 1);
            LinkStats st = new LinkStats();
            link.stats(st);
            assertEquals(1, st.watchdogTrips);
            assertEquals(1, st.faultsReceived);
            Fault f = new Fault();
            assertTrue(link.lastFault(f));
            assertEquals(Protocol.FAULT_WATCHDOG, f.fault);
            int before = device.appliedCount();
            link.sendCommand(standing());
            Thread.sleep(50);
            assertEquals(before, device.appliedCount(), "disarmed: commands are not applied");
            assertEquals(1, device.arms, "the link armed exactly once: when asked");
        }
    }

    @Test
    void aVersionMismatchIsRefusedWithTheVersions() throws Exception {
        Events events = new Events();
        try (FakeDevice device = new FakeDevice(2);
             SerialLink link = SerialLink.open(device.opener(), SerialLink.Config.defaults(), events)) {
            LinkException e = assertThrows(LinkException.class, () -> link.awaitSession(2000));
            assertEquals(LinkException.Kind.VERSION_MISMATCH, e.kind());
            assertTrue(e.getMessage().startsWith("the device speaks protocol v2, trot speaks v1: "), e.getMessage());
            assertEquals(SerialLink.Phase.REFUSED, link.phase());
            assertEquals(-1, link.sendCommand(standing()), "a refused link sends nothing");
            assertEquals(-1, link.arm(0));
            await("the reader stops and lets go of the port", 1000, () -> link.estop(0) == -1);
            int hellos = device.hellos;
            Thread.sleep(400);
            assertEquals(hellos, device.hellos, "no more Hellos after a refusal");
            assertEquals(1, events.count("refused the device speaks protocol v2"));
        }
    }

    @Test
    void theHostSpeakingAnotherVersionIsRefusedToo() throws Exception {
        try (FakeDevice device = new FakeDevice(1);
             SerialLink link = SerialLink.open(device.opener(), SerialLink.Config.defaults(), null, 2)) {
            LinkException e = assertThrows(LinkException.class, () -> link.awaitSession(2000));
            assertTrue(e.getMessage().startsWith("the device speaks protocol v1, trot speaks v2"), e.getMessage());
            assertEquals(1, device.hellos);
        }
    }

    @Test
    void aRefusedStatePeriodSaysSo() throws Exception {
        try (FakeDevice device = new FakeDevice(1)) {
            device.helloStatusOverride = Protocol.HELLO_BAD_PERIOD;
            try (SerialLink link = SerialLink.open(device.opener(), SerialLink.Config.defaults(), null)) {
                LinkException e = assertThrows(LinkException.class, () -> link.awaitSession(2000));
                assertEquals(LinkException.Kind.REFUSED_PERIOD, e.kind());
                assertTrue(e.getMessage().contains("refused a State period of 10000 us"), e.getMessage());
            }
            device.helloStatusOverride = 7;
            try (SerialLink link = SerialLink.open(device.opener(), SerialLink.Config.defaults(), null)) {
                LinkException e = assertThrows(LinkException.class, () -> link.awaitSession(2000));
                assertEquals(LinkException.Kind.REFUSED, e.kind());
                assertTrue(e.getMessage().contains("status 7"), e.getMessage());
            }
        }
    }

    @Test
    void noAnswerTimesOutWithAClearMessage() throws Exception {
        try (FakeDevice device = new FakeDevice(1)) {
            device.answerHellos = false;
            try (SerialLink link = SerialLink.open(device.opener(), SerialLink.Config.defaults(), null)) {
                LinkException e = assertThrows(LinkException.class, () -> link.awaitSession(700));
                assertEquals(LinkException.Kind.TIMEOUT, e.kind());
                assertTrue(e.getMessage().contains("the Hello got no answer"), e.getMessage());
                assertTrue(device.hellos >= 2 && device.hellos <= 5, "Hello repeated every 250 ms: " + device.hellos);
                assertEquals(-1, link.sendCommand(standing()));
                assertEquals(-1, link.arm(0));
                LinkStats st = new LinkStats();
                link.stats(st);
                assertEquals(1, st.commandsNotSent);
            }
        }
    }

    @Test
    void anUnplugIsReportedAndFollowedByAReconnectAndADisarmedSession() throws Exception {
        Events events = new Events();
        try (FakeDevice device = new FakeDevice(1);
             SerialLink link = SerialLink.open(device.opener(), SerialLink.Config.defaults(), events)) {
            link.awaitSession(2000);
            link.arm(Protocol.FAULT_RESET | Protocol.FAULT_WATCHDOG);
            await("armed", 1000, device::armed);
            device.unplug();
            await("the loss", 1000, () -> events.count("lost") == 1);
            assertEquals(SerialLink.Phase.DISCONNECTED, link.phase());
            assertTrue(link.isStale());
            assertEquals(-1, link.sendCommand(standing()));
            assertEquals(-1, link.estop(0));
            Thread.sleep(300);
            device.plugIn();
            link.awaitSession(2000);
            assertEquals(2, events.count("session"));
            LinkStats st = new LinkStats();
            link.stats(st);
            assertEquals(1, st.linkLosses);
            assertEquals(1, st.reconnects);
            assertEquals(2, st.sessions);
            assertFalse(device.armed(), "the new session is disarmed");
            Thread.sleep(200);
            assertEquals(1, device.arms, "and the link did not arm it again");
            assertTrue(events.events.get(1).contains("reopening it every 100 ms"), events.events.get(1));
            assertTrue(link.sendCommand(standing()) > 0, "commands go out again");
        }
    }

    @Test
    void staleStatesAreDetectedAndASilentDeviceGetsANewSession() throws Exception {
        Events events = new Events();
        SerialLink.Config config = SerialLink.Config.defaults().withStaleAfter(50_000);
        config = new SerialLink.Config(config.statePeriod_us(), 50_000, 600_000, config.helloInterval_us(),
                config.reconnectInterval_us(), config.heartbeatInterval_us(), config.maxQueuedBytes());
        try (FakeDevice device = new FakeDevice(1);
             SerialLink link = SerialLink.open(device.opener(), config, events)) {
            link.awaitSession(2000);
            State s = new State();
            await("a State", 1000, () -> link.readState(s) > 0);
            await("fresh", 1000, () -> !link.isStale());
            device.sendStates = false;
            await("stale", 1000, link::isStale);
            await("the stale event", 1000, () -> events.count("stale") == 1);
            await("a new session", 3000, () -> events.count("session") == 2);
            assertEquals(1, events.count("lost no State"));
            device.sendStates = true;
            await("fresh", 1000, () -> !link.isStale());
            LinkStats st = new LinkStats();
            link.stats(st);
            assertTrue(st.staleEvents >= 1 && st.staleEvents <= 2, "stale events " + st.staleEvents);
            assertEquals(1, st.linkLosses);
            assertEquals(0, st.reconnects, "the port stayed open");
        }
    }

    @Test
    void corruptFramesAreCountedAndNeverDelivered() throws Exception {
        try (FakeDevice device = new FakeDevice(1);
             SerialLink link = SerialLink.open(device.opener(), SerialLink.Config.defaults(), null)) {
            link.awaitSession(2000);
            device.corruptCopies = true;
            Thread.sleep(300);
            device.corruptCopies = false;
            State s = new State();
            assertTrue(link.readState(s) > 0);
            assertEquals(1.0f, s.quat[0], "only good States reach the caller");
            LinkStats st = new LinkStats();
            link.stats(st);
            assertTrue(st.rxErrorsTotal > 10, "errors " + st.describeErrors());
            assertEquals(0, st.packetsLost);
            assertTrue(st.describeErrors().contains("crc") || st.describeErrors().contains("cobs"), st.describeErrors());
        }
    }

    @Test
    void estopLatchesUntilArmClearsIt() throws Exception {
        try (FakeDevice device = new FakeDevice(1);
             SerialLink link = SerialLink.open(device.opener(), SerialLink.Config.defaults(), null)) {
            link.awaitSession(2000);
            link.arm(Protocol.FAULT_RESET | Protocol.FAULT_WATCHDOG);
            await("armed", 1000, device::armed);
            assertTrue(link.estop(Protocol.ESTOP_OPERATOR) > 0);
            State s = new State();
            await("estop in State", 1000, () -> link.readState(s) > 0 && (s.faults & Protocol.FAULT_ESTOP) != 0);
            assertFalse(device.armed());
            link.arm(Protocol.FAULT_ESTOP | Protocol.FAULT_WATCHDOG);
            await("armed again", 1000, device::armed);
        }
    }

    @Test
    void configRejectsBadValues() {
        SerialLink.Config d = SerialLink.Config.defaults();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withStatePeriod(999)).getMessage().contains("999"));
        assertThrows(IllegalArgumentException.class, () -> d.withStatePeriod(100_001));
        assertEquals(100_000, d.withStatePeriod(100_000).statePeriod_us());
        assertEquals(300_000, d.withStatePeriod(100_000).staleAfter_us());
        assertEquals(1000, d.withStatePeriod(1000).statePeriod_us());
        assertThrows(IllegalArgumentException.class, () -> d.withStaleAfter(9_999));
        assertThrows(IllegalArgumentException.class, () -> new SerialLink.Config(10_000, 100_000, 100_000, 1, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SerialLink.Config(10_000, 100_000, 200_000, 0, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SerialLink.Config(10_000, 100_000, 200_000, 1, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SerialLink.Config(10_000, 100_000, 200_000, 1, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SerialLink.Config(10_000, 100_000, 200_000, 1, 1, 1, -1));
        new SerialLink.Config(10_000, 10_000, 10_001, 1, 1, 1, 0);
    }
}

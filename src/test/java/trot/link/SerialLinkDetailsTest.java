package trot.link;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static trot.link.SerialLinkTest.await;
import static trot.link.SerialLinkTest.standing;

/** The link's details, as the device (the Java {@link FakeDevice}) sees them and as its counters say. */
class SerialLinkDetailsTest {
    static final long ARM = Protocol.FAULT_RESET | Protocol.FAULT_WATCHDOG;

    @Test
    void whatTheDeviceSeesOfAHandshakeAndTheHostsHeartbeat() throws Exception {
        try (FakeDevice device = new FakeDevice(1);
             SerialLink link = SerialLink.open(device.opener(), SerialLink.Config.defaults(), null)) {
            device.watchdog_us = 10_000_000; // counts commands: a stalled test thread must not trip the watchdog
            long start = System.nanoTime();
            link.awaitSession(5000);
            assertTrue(System.nanoTime() - start < 2_500_000_000L, "awaitSession returns when the session starts");
            assertEquals("fake", link.portName());
            Fault f = new Fault();
            assertFalse(link.lastFault(f), "no Fault yet");
            link.arm(ARM);
            await("armed", 1000, device::armed);
            for (int i = 0; i < 40; i++) {
                link.sendCommand(standing());
                Thread.sleep(10);
            }
            await("three host heartbeats", 2000, () -> device.hostHeartbeats.size() >= 3);
            assertEquals(0, device.firstBytes.get(0), "a 0x00 first, to flush the device's partial frame");
            assertTrue(device.helloSessions.stream().allMatch(s -> s != 0 && s <= 0xFFFF_FFFFL), "sessions " + device.helloSessions);
            assertTrue(device.helloHeaderVersions.stream().allMatch(v -> v == 1));
            LinkStats st = new LinkStats();
            link.stats(st);
            long[] hb;
            synchronized (device.hostHeartbeats) {
                hb = device.hostHeartbeats.get(device.hostHeartbeats.size() - 1);
            }
            assertTrue(hb[0] > 0 && hb[0] <= st.packetsReceived, "rx_ok " + hb[0] + " of " + st.packetsReceived);
            assertEquals(0, hb[1], "rx_bad");
            assertTrue(hb[2] > 0 && hb[2] <= st.commandsSent, "commands sent " + hb[2]);
            assertEquals(0, hb[3]);
            assertTrue(hb[4] > 0, "the host echoes the device's heartbeat time");
            assertTrue(st.heartbeatsReceived > 0);
            assertTrue(st.framesSent >= st.commandsSent + 2, "frames " + st.framesSent + ": Hello, Arm, commands, heartbeats");
            assertTrue(st.framesSentAtDeviceHeartbeat > 0 && st.commandsSentAtDeviceHeartbeat > 0);
            LatencyHistogram h = new LatencyHistogram();
            link.roundTrips(h);
            assertEquals(st.rttCount, h.count());
            assertTrue(h.count() > 0);
        }
    }

    @Test
    void closeClosesThePortAndEndsTheLink() throws Exception {
        FakeDevice device = new FakeDevice(1);
        try (device) {
            SerialLink link = SerialLink.open(device.opener(), SerialLink.Config.defaults(), null);
            link.awaitSession(2000);
            link.close();
            assertEquals(SerialLink.Phase.CLOSED, link.phase());
            assertEquals(device.opens.get(), device.closes.get(), "every port opened is closed");
            assertEquals(-1, link.estop(0));
            assertEquals(-1, link.sendCommand(standing()));
            LinkException e = assertThrows(LinkException.class, () -> link.awaitSession(100));
            assertEquals(LinkException.Kind.CLOSED, e.kind());
            assertTrue(link.isStale());
        }
    }

    @Test
    void aRefusedLinkLetsGoOfThePortAndClosesToo() throws Exception {
        try (FakeDevice device = new FakeDevice(1);
             SerialLink link = SerialLink.open(device.opener(), SerialLink.Config.defaults(), null, 2)) {
            assertThrows(LinkException.class, () -> link.awaitSession(2000));
            await("the port closed by the reader", 1000, () -> device.closes.get() == 1);
            assertTrue(device.helloHeaderVersions.stream().allMatch(v -> v == 2), "a v2 Hello says 2 in its header too");
            link.close();
            assertEquals(SerialLink.Phase.CLOSED, link.phase());
        }
    }

    @Test
    void aHalfFrameAtAnUnplugAndTheDevicesSeqRunningOnCountAsNothing() throws Exception {
        SerialLinkTest.Events events = new SerialLinkTest.Events();
        try (FakeDevice device = new FakeDevice(1);
             SerialLink link = SerialLink.open(device.opener(), SerialLink.Config.defaults(), events)) {
            link.awaitSession(2000);
            Thread.sleep(50);
            device.unplugMidFrame();
            await("the loss", 1000, () -> events.count("lost") == 1);
            assertEquals(1, device.closes.get(), "the lost port is closed");
            int attempts = device.openAttempts.get();
            Thread.sleep(300);
            int during = device.openAttempts.get() - attempts;
            assertTrue(during >= 1 && during <= 8, "reopening every 100 ms: " + during + " attempts in 300 ms");
            device.plugIn();
            link.awaitSession(2000);
            Thread.sleep(100);
            LinkStats st = new LinkStats();
            link.stats(st);
            assertEquals(0, st.rxErrorsTotal, "the half frame was forgotten: " + st.describeErrors());
            assertEquals(0, st.packetsLost, "the seq jump over the outage is not loss");
            assertEquals(0, st.deviceRxBad);
        }
    }

    @Test
    void lostAndDuplicatedStates() throws Exception {
        try (FakeDevice device = new FakeDevice(1);
             SerialLink link = SerialLink.open(device.opener(), SerialLink.Config.defaults(), null)) {
            link.awaitSession(2000);
            device.loseEveryNthState = 5;
            Thread.sleep(300);
            device.loseEveryNthState = 0;
            Thread.sleep(50); // the State after the last lost one shows its gap
            LinkStats st = new LinkStats();
            link.stats(st);
            assertTrue(st.packetsLost >= 3, "lost " + st.packetsLost);
            assertEquals(0, st.packetsDuplicated);
            long lost = st.packetsLost;
            device.duplicateStates = true;
            Thread.sleep(200);
            device.duplicateStates = false;
            link.stats(st);
            assertTrue(st.packetsDuplicated >= 5, "duplicates " + st.packetsDuplicated);
            assertEquals(st.packetsDuplicated, st.statesOutOfOrder, "a duplicated State is not handed over twice");
            assertEquals(lost, st.packetsLost);
        }
    }

    @Test
    void aFullTransmitQueueHoldsCommandsBack() throws Exception {
        SerialLink.Config c = SerialLink.Config.defaults();
        SerialLink.Config small = new SerialLink.Config(c.statePeriod_us(), c.staleAfter_us(), c.sessionLostAfter_us(),
                c.helloInterval_us(), c.reconnectInterval_us(), c.heartbeatInterval_us(), 300);
        try (FakeDevice device = new FakeDevice(1);
             SerialLink link = SerialLink.open(device.opener(), small, null)) {
            device.watchdog_us = 10_000_000;
            link.awaitSession(2000);
            link.arm(ARM);
            await("armed", 1000, device::armed);
            assertTrue(link.sendCommand(standing()) > 0, "an empty queue takes a command");
            device.paused = true;
            link.sendCommand(standing()); // taken by the device's read in progress, if any
            Thread.sleep(20);
            LinkStats before = new LinkStats();
            link.stats(before);
            int sent = 0, refused = 0;
            for (int i = 0; i < 5; i++) {
                if (link.sendCommand(standing()) > 0) {
                    sent++;
                } else {
                    refused++;
                }
            }
            assertTrue(sent >= 1 && sent <= 2, "222-byte commands until more than 300 bytes wait: " + sent);
            assertEquals(5 - sent, refused);
            LinkStats st = new LinkStats();
            link.stats(st);
            assertEquals(refused, st.commandsNotSent - before.commandsNotSent);
            device.paused = false;
        }
    }

    @Test
    void aFailingReadOrWriteIsALossAndTheLinkComesBack() throws Exception {
        SerialLinkTest.Events events = new SerialLinkTest.Events();
        try (FakeDevice device = new FakeDevice(1);
             SerialLink link = SerialLink.open(device.opener(), SerialLink.Config.defaults(), events)) {
            link.awaitSession(2000);
            device.hostReadsThrow = true;
            await("the read loss", 1000, () -> events.count("lost") >= 1);
            assertTrue(events.events.stream().anyMatch(e -> e.contains("reading the port failed: the fake port failed")),
                    events.events.toString());
            device.hostReadsThrow = false;
            link.awaitSession(2000);
            long losses = events.count("lost");
            device.hostWritesThrow = true;
            assertEquals(-1, link.sendCommand(standing()), "a failed write sends nothing");
            await("the write loss", 1000, () -> events.count("lost") > losses);
            assertTrue(events.events.stream().anyMatch(e -> e.contains("a write failed: the fake port failed")),
                    events.events.toString());
            device.hostWritesThrow = false;
            link.awaitSession(2000);
            LinkStats st = new LinkStats();
            link.stats(st);
            assertTrue(st.commandsNotSent >= 1);
            assertTrue(st.reconnects >= 2);
        }
    }
}

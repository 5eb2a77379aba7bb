package trot.link;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The link through jSerialComm over a real pseudo-terminal pair (socat), with the Java {@link FakeDevice} on the
 * other end: port errors, a session, an unplug (socat stopped) and the reconnect when the same path comes back.
 */
class PtyLinkTest {

    @BeforeAll
    static void socat() {
        assumeTrue(Socat.available(), "socat is not installed (apt-get install socat): the pty tests need it");
    }

    @Test
    void aMissingPortSaysToCheckThePath(@TempDir Path dir) {
        PortException e = assertThrows(PortException.class, () -> JSerialPort.open(dir.resolve("nothing").toString(), 115200));
        assertEquals(PortException.Reason.NOT_FOUND, e.reason());
        assertTrue(e.getMessage().startsWith("no serial port at " + dir.resolve("nothing") + ": check the path"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JSerialPort.opener("/dev/null", 0));
    }

    @Test
    void aBusyPortSaysWhoToClose(@TempDir Path dir) throws Exception {
        try (Socat pair = new Socat(dir)) {
            JSerialPort first = JSerialPort.open(pair.a.toString(), 1_000_000);
            try {
                PortException e = assertThrows(PortException.class, () -> JSerialPort.open(pair.a.toString(), 1_000_000));
                assertEquals(PortException.Reason.BUSY, e.reason());
                assertTrue(e.getMessage().contains("in use by another program") && e.getMessage().contains("fuser"),
                        e.getMessage());
            } finally {
                first.close();
            }
            JSerialPort.open(pair.a.toString(), 1_000_000).close();
        }
    }

    @Test
    void aPortWithoutPermissionSaysDialout(@TempDir Path dir) throws Exception {
        Path file = Files.createFile(dir.resolve("ttyX"));
        assumeTrue(file.toFile().setReadable(false, false) && !Files.isReadable(file),
                "running as root: every file is readable, so the permission check cannot be seen here");
        PortException e = assertThrows(PortException.class, () -> JSerialPort.open(file.toString(), 115200));
        assertEquals(PortException.Reason.PERMISSION, e.reason());
        assertTrue(e.getMessage().contains("sudo usermod -aG dialout $USER"), e.getMessage());
    }

    @Test
    void aSessionThroughAPtyAndAReconnectAfterAnUnplug(@TempDir Path dir) throws Exception {
        SerialLinkTest.Events events = new SerialLinkTest.Events();
        try (Socat pair = new Socat(dir);
             FakeDevice device = new FakeDevice(1, JSerialPort.opener(pair.b.toString(), 1_000_000));
             SerialLink link = SerialLink.open(pair.a.toString(), 1_000_000, SerialLink.Config.defaults(), events)) {
            // This test counts commands: a test thread stalled for 100 ms on a loaded machine must not trip the
            // fake device's watchdog (which would reject the rest and make the count a matter of timing).
            device.watchdog_us = 60_000_000L;
            link.awaitSession(10_000);
            link.arm(Protocol.FAULT_RESET | Protocol.FAULT_WATCHDOG);
            SerialLinkTest.await("armed", 2000, device::armed);
            Command c = SerialLinkTest.standing();
            for (int i = 0; i < 100; i++) {
                assertTrue(link.sendCommand(c) > 0);
                Thread.sleep(2);
            }
            SerialLinkTest.await("every command applied", 2000, () -> device.appliedCount() == 100);
            LinkStats st = new LinkStats();
            link.stats(st);
            assertTrue(st.rttCount > 10, "round trips " + st.rttCount);
            assertEquals(0, st.rxErrorsTotal);

            pair.stop();
            SerialLinkTest.await("the loss", 2000, () -> events.count("lost") == 1);
            pair.start();
            link.awaitSession(10_000);
            link.stats(st);
            assertEquals(1, st.linkLosses);
            assertTrue(st.reconnects >= 1);
            assertEquals(2, st.sessions);
            assertTrue(!device.armed(), "disarmed after the new session");
        }
    }
}

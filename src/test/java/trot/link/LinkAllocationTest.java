package trot.link;

import org.junit.jupiter.api.Test;
import trot.testing.Allocations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A control loop's calls into the link allocate nothing on its thread once warmed up: sendCommand, readState,
 * isStale (against the Java device over in-memory pipes; the reader thread is not counted).
 */
class LinkAllocationTest {
    @Test
    void sendCommandReadStateAndIsStaleAllocateNothing() throws Exception {
        try (FakeDevice device = new FakeDevice(1);
             SerialLink link = SerialLink.open(device.opener(), SerialLink.Config.defaults(), null)) {
            link.awaitSession(2000);
            link.arm(Protocol.FAULT_RESET | Protocol.FAULT_WATCHDOG);
            SerialLinkTest.await("armed", 1000, device::armed);
            Command c = SerialLinkTest.standing();
            State s = new State();
            long[] sink = new long[1];
            long[] w = Allocations.windows(() -> {
                sink[0] += link.sendCommand(c);
                sink[0] += link.readState(s);
                sink[0] += link.isStale() ? 1 : 0;
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }, 3000, 1000, 5);
            long min = java.util.Arrays.stream(w).min().orElseThrow();
            assertEquals(0, min, Allocations.describe(w, 1000));
            assertTrue(sink[0] > 0);
        }
    }
}

package trot.runtime;

import org.junit.jupiter.api.Test;
import trot.nn.Param;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** The two lock-free hand-offs between the control thread and the learner: the transition ring and the policy mailbox. */
class HandoffTest {

    @Test
    void theRingKeepsOrderRefusesWhenFullAndCountsDrops() {
        TransitionRing ring = new TransitionRing(4, 2, 1);
        TransitionRing.Transition t = new TransitionRing.Transition(2, 1);
        assertFalse(ring.poll(t), "empty");
        for (int i = 1; i <= 4; i++) {
            assertTrue(ring.offer(i, new float[]{i, -i}, new float[]{0.5f * i}, 10 * i, new float[]{i + 1, 0}, i == 3));
        }
        assertFalse(ring.offer(5, new float[2], new float[1], 0, new float[2], false), "full");
        assertEquals(1, ring.dropped());
        for (int i = 1; i <= 4; i++) {
            assertTrue(ring.poll(t));
            assertEquals(i, t.step);
            assertArrayEquals(new float[]{i, -i}, t.observation);
            assertArrayEquals(new float[]{0.5f * i}, t.action);
            assertEquals(10f * i, t.reward);
            assertArrayEquals(new float[]{i + 1, 0}, t.next);
            assertEquals(i == 3, t.terminated);
        }
        assertFalse(ring.poll(t));
        assertThrows(IllegalArgumentException.class, () -> new TransitionRing(6, 2, 1));
    }

    @Test
    void aConsumerOnAnotherThreadSeesEveryTransitionOnceInOrder() throws Exception {
        TransitionRing ring = new TransitionRing(64, 3, 2);
        final long n = 200_000;
        AtomicReference<String> problem = new AtomicReference<>();
        Thread consumer = new Thread(() -> {
            TransitionRing.Transition t = new TransitionRing.Transition(3, 2);
            long expected = 1;
            while (expected <= n) {
                if (!ring.poll(t)) {
                    Thread.onSpinWait();
                    continue;
                }
                if (t.step != expected || t.observation[0] != (float) t.step || t.next[2] != (float) -t.step
                        || t.reward != (float) (t.step % 1000)) {
                    problem.compareAndSet(null, "got step " + t.step + " obs " + t.observation[0] + " when " + expected
                            + " was due");
                    return;
                }
                expected++;
            }
        });
        consumer.start();
        float[] o = new float[3], a = new float[2], next = new float[3];
        long produced = 0;
        for (long s = 1; s <= n; ) {
            o[0] = s;
            next[2] = -s;
            if (ring.offer(s, o, a, s % 1000, next, false)) {
                s++;
                produced++;
            } else {
                Thread.onSpinWait(); // the test's producer retries; the control loop would count the drop instead
            }
        }
        consumer.join(60_000);
        assertNull(problem.get());
        assertEquals(n, produced);
    }

    @Test
    void aReaderNeverSeesATornMixOfTwoVersions() throws Exception {
        List<Param> params = List.of(new Param("w", 64, 64), new Param("b", 1, 64));
        PolicyMailbox box = new PolicyMailbox(params);
        final int versions = 20_000;
        Thread writer = new Thread(() -> {
            for (int v = 1; v <= versions; v++) {
                for (Param p : params) {
                    java.util.Arrays.fill(p.value.data, v);
                }
                box.publish(params, v);
            }
        });
        float[] staging = new float[box.size()];
        writer.start();
        long have = 0, reads = 0, torn = 0;
        while (have < versions) {
            long v = box.tryRead(staging, have);
            if (v < 0) {
                torn++;
                continue;
            }
            if (v > have) {
                reads++;
                for (float x : staging) {
                    if (x != v) {
                        fail("version " + v + " holds " + x + ": a torn read was accepted");
                    }
                }
                assertTrue(v > have, "versions only increase");
                have = v;
            }
        }
        writer.join();
        assertTrue(reads > 0);
        List<Param> mine = List.of(new Param("w", 64, 64), new Param("b", 1, 64));
        PolicyMailbox.unflatten(staging, mine);
        assertEquals(versions, mine.get(1).value.data[63]);
        System.out.println("mailbox: " + reads + " versions read, " + torn + " overlapping reads discarded");
    }
}

package trot.replay;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayBufferTest {

    /** Transition t has observation (t, -t), action (t / 100), reward t, next observation (t + 1, -t - 1). */
    static void addNumbered(ReplayBuffer r, int t, boolean terminated) {
        r.add(new float[]{t, -t}, new float[]{t / 100f}, t, new float[]{t + 1, -t - 1}, terminated);
    }

    @Test
    void chooseThenGatherFillsBitwiseWhatSampleFills() {
        ReplayBuffer a = new ReplayBuffer(50, 2, 1, 9), b = new ReplayBuffer(50, 2, 1, 9);
        for (int t = 0; t < 40; t++) {
            addNumbered(a, t, t % 7 == 0);
            addNumbered(b, t, t % 7 == 0);
        }
        assertTrue(a.splitsSampling());
        Batch viaSample = new Batch(16, 2, 1), viaGather = new Batch(16, 2, 1);
        int[] rows = new int[16];
        for (int round = 0; round < 3; round++) {
            a.sample(viaSample);
            b.choose(rows, 16);
            b.gather(rows, viaGather);
            org.junit.jupiter.api.Assertions.assertArrayEquals(viaSample.observations.data, viaGather.observations.data);
            org.junit.jupiter.api.Assertions.assertArrayEquals(viaSample.actions.data, viaGather.actions.data);
            org.junit.jupiter.api.Assertions.assertArrayEquals(viaSample.rewards.data, viaGather.rewards.data);
            org.junit.jupiter.api.Assertions.assertArrayEquals(viaSample.nextObservations.data, viaGather.nextObservations.data);
            org.junit.jupiter.api.Assertions.assertArrayEquals(viaSample.masks.data, viaGather.masks.data);
        }
        rows[3] = 40; // not held
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.gather(rows, viaGather));
        assertTrue(e.getMessage().contains("row 40"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.choose(new int[4], 16));
    }

    @Test
    void samplesKeepEachTransitionTogetherAndTheMask() {
        ReplayBuffer r = new ReplayBuffer(10, 2, 1, 1);
        for (int t = 0; t < 10; t++) {
            addNumbered(r, t, t % 3 == 0);
        }
        Batch b = new Batch(64, 2, 1);
        r.sample(b);
        for (int i = 0; i < 64; i++) {
            float t = b.rewards.get(i, 0);
            assertEquals(t, b.observations.get(i, 0));
            assertEquals(-t, b.observations.get(i, 1), 0f);
            assertEquals(t / 100f, b.actions.get(i, 0));
            assertEquals(t + 1, b.nextObservations.get(i, 0));
            assertEquals(-t - 1, b.nextObservations.get(i, 1));
            assertEquals(((int) t) % 3 == 0 ? 0f : 1f, b.masks.get(i, 0), "mask is 0 exactly for terminal transitions");
        }
    }

    @Test
    void theRingOverwritesTheOldestAndSamplesUniformly() {
        ReplayBuffer r = new ReplayBuffer(8, 2, 1, 2);
        for (int t = 0; t < 20; t++) {
            addNumbered(r, t, false);
        }
        assertEquals(8, r.size());
        assertEquals(20, r.added());
        int[] counts = new int[20];
        Batch b = new Batch(256, 2, 1);
        for (int k = 0; k < 100; k++) {
            r.sample(b);
            for (int i = 0; i < 256; i++) {
                counts[(int) b.rewards.get(i, 0)]++;
            }
        }
        for (int t = 0; t < 12; t++) {
            assertEquals(0, counts[t], "transition " + t + " was overwritten");
        }
        double expected = 25600 / 8.0;
        for (int t = 12; t < 20; t++) {
            assertEquals(expected, counts[t], 5 * Math.sqrt(expected), "transition " + t);
        }
    }

    @Test
    void nonFiniteTransitionsAreRejectedCountedAndNotStored() {
        ReplayBuffer r = new ReplayBuffer(4, 2, 1, 3);
        addNumbered(r, 1, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> r.add(new float[]{0, 0}, new float[]{0}, 0, new float[]{0, Float.NaN}, false));
        assertTrue(e.getMessage().contains("next observation[1] is NaN"), e.getMessage());
        assertTrue(e.getMessage().contains("1 rejected"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> r.add(new float[]{0, 0}, new float[]{Float.POSITIVE_INFINITY}, 0, new float[]{0, 0}, false));
        assertThrows(IllegalArgumentException.class,
                () -> r.add(new float[]{0, 0}, new float[]{0}, Float.NaN, new float[]{0, 0}, false));
        assertEquals(3, r.rejected());
        assertEquals(1, r.size(), "nothing rejected was stored");
        Batch b = new Batch(16, 2, 1);
        r.sample(b);
        for (int i = 0; i < 16; i++) {
            assertEquals(1f, b.rewards.get(i, 0), "only the good transition can be sampled");
        }
    }

    @Test
    void badShapesAndEmptyBuffersAreClearErrors() {
        ReplayBuffer r = new ReplayBuffer(4, 2, 1, 4);
        assertThrows(IllegalStateException.class, () -> r.sample(new Batch(2, 2, 1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> r.add(new float[3], new float[1], 0, new float[2], false));
        assertTrue(e.getMessage().contains("observation has 3 numbers, expected 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ReplayBuffer(0, 2, 1, 0));
        addNumbered(r, 0, false);
        assertThrows(IllegalArgumentException.class, () -> r.sample(new Batch(2, 3, 1)));
    }

    @Test
    void sameSeedSameBatches() {
        Batch a = new Batch(32, 2, 1), b = new Batch(32, 2, 1);
        ReplayBuffer r1 = new ReplayBuffer(50, 2, 1, 9), r2 = new ReplayBuffer(50, 2, 1, 9);
        for (int t = 0; t < 50; t++) {
            addNumbered(r1, t, false);
            addNumbered(r2, t, false);
        }
        r1.sample(a);
        r2.sample(b);
        org.junit.jupiter.api.Assertions.assertArrayEquals(a.rewards.data, b.rewards.data);
    }

    @Test
    void addAndSampleAllocateNothing() {
        ReplayBuffer r = new ReplayBuffer(1000, 48, 12, 5);
        float[] s = new float[48], a = new float[12], s2 = new float[48];
        Batch b = new Batch(256, 48, 12);
        long[] windows = trot.testing.Allocations.windows(() -> {
            r.add(s, a, 1f, s2, false);
            r.sample(b);
        }, 2000, 200, 4);
        assertEquals(0, java.util.Arrays.stream(windows).min().orElseThrow(), trot.testing.Allocations.describe(windows, 200));
    }

    @Test
    void gatherCopiesEveryNumberOfEachRowToItsPlace() {
        int obs = 3, act = 2, capacity = 5;
        ReplayBuffer r = new ReplayBuffer(capacity, obs, act, 1);
        for (int t = 0; t < capacity; t++) { // value = 100 t + 10 kind + feature: where each number went is visible
            float[] o = new float[obs], a = new float[act], o2 = new float[obs];
            for (int f = 0; f < obs; f++) {
                o[f] = 100 * t + f;
                o2[f] = 100 * t + 20 + f;
            }
            for (int f = 0; f < act; f++) {
                a[f] = 100 * t + 10 + f;
            }
            r.add(o, a, 100 * t + 30, o2, t == 3);
        }
        // 4 rows: one by one; 8 and 16: in blocks of eight; 13 and 19: a block or two and a ragged tail.
        int[][] rowSets = {{4, 0, 2, 3}, {1, 4, 4, 0, 2, 3, 1, 0}, {3, 1, 4, 0, 2, 2, 4, 1, 0, 3, 3, 4, 1},
                {0, 1, 2, 3, 4, 4, 3, 2, 1, 0, 2, 4, 1, 3, 0, 2}, {4, 3, 2, 1, 0, 0, 1, 2, 3, 4, 1, 1, 1, 4, 4, 2, 0, 3, 2}};
        for (int[] rows : rowSets) {
        Batch b = new Batch(rows.length, obs, act);
        r.gather(rows, b);
        for (int i = 0; i < rows.length; i++) {
            int t = rows[i];
            for (int f = 0; f < obs; f++) {
                assertEquals(100 * t + f, b.observations.get(i, f), "observation " + f + " of row " + i);
                assertEquals(100 * t + 20 + f, b.nextObservations.get(i, f), "next observation " + f + " of row " + i);
            }
            for (int f = 0; f < act; f++) {
                assertEquals(100 * t + 10 + f, b.actions.get(i, f), "action " + f + " of row " + i);
            }
            assertEquals(100 * t + 30, b.rewards.data[i]);
            assertEquals(t == 3 ? 0f : 1f, b.masks.data[i]);
        }
        }
    }

    @Test
    void arraysOfTheWrongLengthAndBadSizesAreRejected() {
        ReplayBuffer r = new ReplayBuffer(4, 3, 2, 1);
        assertThrows(IllegalArgumentException.class, () -> r.add(new float[4], new float[2], 0f, new float[3], false));
        assertThrows(IllegalArgumentException.class, () -> r.add(new float[3], new float[3], 0f, new float[3], false));
        assertThrows(IllegalArgumentException.class, () -> r.add(new float[3], new float[2], 0f, new float[4], false));
        assertEquals(0, r.size(), "nothing stored");
        assertThrows(IllegalStateException.class, () -> r.gather(new int[1], new Batch(1, 3, 2)), "empty buffer");
        r.add(new float[3], new float[2], 0f, new float[3], false);
        assertThrows(IllegalArgumentException.class, () -> r.gather(new int[1], new Batch(1, 2, 2)), "batch of other sizes");
        assertThrows(IllegalArgumentException.class, () -> r.gather(new int[1], new Batch(1, 3, 1)), "batch of other sizes");
        assertThrows(IllegalArgumentException.class, () -> r.gather(new int[]{1}, new Batch(1, 3, 2)), "row not held");
        assertEquals(4, r.capacity());
        assertEquals(3, r.observationSize());
        assertEquals(2, r.actionSize());
        for (int[] bad : new int[][]{{0, 3, 2}, {4, 0, 2}, {4, 3, 0}}) {
            assertThrows(IllegalArgumentException.class, () -> new ReplayBuffer(bad[0], bad[1], bad[2], 1));
        }
        // Too many numbers for one Java array: refused before anything is allocated.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ReplayBuffer(1_000_000_000, 3, 1, 1));
        assertTrue(e.getMessage().contains("at most " + Integer.MAX_VALUE / 3), e.getMessage());
    }
}

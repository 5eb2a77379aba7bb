package trot.util;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RngStateTest {
    @Test
    void aRestoredGeneratorContinuesExactlyIncludingTheCachedNormal() {
        Rng a = new Rng(17);
        a.nextGaussian();                 // leaves a spare normal cached
        long[] state = new long[Rng.STATE_LONGS + 2];
        a.saveState(state, 2);
        Rng b = new Rng(0);
        b.restoreState(state, 2);
        for (int i = 0; i < 1000; i++) {
            assertEquals(Double.doubleToRawLongBits(a.nextGaussian()), Double.doubleToRawLongBits(b.nextGaussian()), "draw " + i);
            assertEquals(a.nextLong(), b.nextLong());
        }
    }

    @Test
    void impossibleStatesAreRefusedAndChangeNothing() {
        Rng r = new Rng(3);
        long[] saved = new long[Rng.STATE_LONGS];
        r.saveState(saved, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.restoreState(new long[Rng.STATE_LONGS], 0));
        assertEquals("Rng.restoreState: an all-zero state is not one a generator can have", e.getMessage());
        long[] badSpare = saved.clone();
        badSpare[5] = 2;
        assertThrows(IllegalArgumentException.class, () -> r.restoreState(badSpare, 0));
        assertEquals(new Rng(3).nextLong(), r.nextLong(), "unchanged");
    }
}

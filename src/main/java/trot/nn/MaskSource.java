package trot.nn;

import trot.util.Rng;
/**
 * Where a {@link Dropout} layer gets its masks. A mask is given as the ascending flat indices (column-major,
 * as in {@code FloatMatrix.data}) of the units to drop: at the low rates dropout Q-functions use (1%),
 * that list is a hundred times shorter than the mask itself.
 */
public interface MaskSource {
    /**
     * Chooses the units to drop in a batch x features activation, each independently with probability {@code rate}.
     *
     * @param dropped receives the ascending flat indices of the dropped units; its length is at least rows * columns
     * @return how many indices were written
     */
    int drop(float rate, int rows, int columns, int[] dropped);

    /**
     * Seeded masks drawn by skipping ahead geometrically: the gap between two dropped units is
     * {@code floor(ln U / ln(1 - rate))} with {@code U ~ U(0, 1]}, which is exactly the distribution of gaps
     * between independent Bernoulli(rate) successes, at the cost of one uniform and one logarithm per
     * dropped unit instead of one uniform per unit.
     */
    static MaskSource geometric(Rng rng) {
        return (rate, rows, columns, dropped) -> {
            final long total = (long) rows * columns;
            if (rate <= 0f) {
                return 0;
            }
            final double invLogKeep = 1.0 / Math.log1p(-(double) rate);
            int count = 0;
            long pos = 0;
            while (true) {
                // ln U <= 0 and 1 / ln(1 - rate) < 0: the product is >= 0 and the cast is the floor.
                double gap = (long) (Math.log(rng.nextDoubleOpenZero()) * invLogKeep);
                if (gap >= total - pos) {
                    return count;
                }
                pos += (long) gap;
                dropped[count++] = (int) pos;
                pos++;
            }
        };
    }

    /**
     * The same mask at every forward: units where {@code keep} is 0 are dropped (for tests and reference
     * fixtures). The rate passed to {@link #drop} is ignored; the shape must match {@code keep}'s.
     */
    static MaskSource fixed(org.jblas.FloatMatrix keep) {
        int n = 0;
        for (int i = 0; i < keep.length; i++) {
            if (keep.data[i] == 0f) {
                n++;
            } else if (keep.data[i] != 1f) {
                throw new IllegalArgumentException("MaskSource.fixed: keep mask must hold only 0 and 1, found "
                        + keep.data[i] + " at flat index " + i);
            }
        }
        final int[] idx = new int[n];
        for (int i = 0, k = 0; i < keep.length; i++) {
            if (keep.data[i] == 0f) {
                idx[k++] = i;
            }
        }
        final int rows = keep.rows, columns = keep.columns;
        return (rate, r, c, dropped) -> {
            if (r != rows || c != columns) {
                throw new IllegalArgumentException("MaskSource.fixed: mask is " + rows + "x" + columns
                        + ", the layer asked for " + r + "x" + c);
            }
            System.arraycopy(idx, 0, dropped, 0, idx.length);
            return idx.length;
        };
    }
}

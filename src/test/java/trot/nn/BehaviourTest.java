package trot.nn;

import trot.util.Rng;
import org.jblas.FloatMatrix;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Properties of the engine that the reference fixtures do not pin down: initialisation, masks, sharing, seeds. */
class BehaviourTest {

    @Test
    void xavierUniformHasTheRightRangeAndVariance() {
        Linear fc = new Linear("fc", 256, 256, 1, new Rng(1));
        double a = Math.sqrt(6.0 / 512), sum = 0, sq = 0;
        for (float w : fc.weight.value.data) {
            assertTrue(Math.abs(w) <= a, "weight " + w + " outside +-" + a);
            sum += w;
            sq += (double) w * w;
        }
        int n = fc.weight.size();
        double mean = sum / n, var = sq / n - mean * mean, expected = a * a / 3;
        assertEquals(0, mean, 4 * Math.sqrt(expected / n), "mean of the weights");
        assertEquals(expected, var, 0.02 * expected, "variance of the weights (a^2/3)");
        for (float bias : fc.bias.value.data) {
            assertEquals(0f, bias);
        }
    }

    @Test
    void geometricMasksDropEachUnitWithTheGivenRate() {
        MaskSource masks = MaskSource.geometric(new Rng(2));
        int rows = 256, cols = 256, draws = 200;
        int[] dropped = new int[rows * cols];
        long total = 0;
        long[] perColumn = new long[cols];
        for (int d = 0; d < draws; d++) {
            int k = masks.drop(0.01f, rows, cols, dropped);
            for (int i = 0; i < k; i++) {
                assertTrue(i == 0 || dropped[i] > dropped[i - 1], "indices must be strictly ascending");
                perColumn[dropped[i] / rows]++;
            }
            total += k;
        }
        double n = (double) rows * cols * draws, expected = 0.01 * n, sd = Math.sqrt(n * 0.01 * 0.99);
        assertEquals(expected, total, 5 * sd, "dropped units over " + draws + " masks");
        // Uniform over positions: a chi-square over the columns (255 degrees of freedom; 99.99% bound ~ 340).
        double mean = total / (double) cols, chi2 = 0;
        for (long c : perColumn) {
            chi2 += (c - mean) * (c - mean) / mean;
        }
        assertTrue(chi2 < 340, "dropped units are not spread uniformly over the columns: chi2 = " + chi2);
        assertEquals(0, masks.drop(0f, rows, cols, dropped), "rate 0 drops nothing");
    }

    @Test
    void dropoutMasksChangeBetweenForwardsAndFollowTheSeed() {
        FloatMatrix x = FloatMatrix.ones(64, 64);
        Dropout a = new Dropout("d", 64, 64, 0.1f, MaskSource.geometric(new Rng(3)));
        Dropout b = new Dropout("d", 64, 64, 0.1f, MaskSource.geometric(new Rng(3)));
        FloatMatrix first = a.forward(x).dup();
        assertArrayEquals(first.data, b.forward(x).data, "same seed, same mask");
        assertNotEquals(Arrays.toString(first.data), Arrays.toString(a.forward(x).data), "a new mask at every forward");
        for (float v : first.data) {
            assertTrue(v == 0f || Math.abs(v - 1 / 0.9f) < 1e-6f, "inverted dropout keeps x / (1 - p): " + v);
        }
    }

    @Test
    void batchOneInstanceSharesParametersAndAgreesRowByRow() {
        Rng rng = new Rng(4);
        TanhGaussianPolicy pi = new TanhGaussianPolicy(6, 2, new int[]{8, 8}, 5, rng, rng.split());
        TanhGaussianPolicy one = pi.withBatch(1, rng.split());
        FloatMatrix obs = FloatMatrix.randn(5, 6);
        pi.deterministic(obs);
        for (int r = 0; r < 5; r++) {
            one.deterministic(obs.getRow(r));
            for (int c = 0; c < 2; c++) {
                assertEquals(pi.action().get(r, c), one.action().get(0, c), 1e-6f, "row " + r + " action " + c);
            }
        }
        Param outputBias = pi.params().get(pi.params().size() - 1); // fc2.bias: the first one is the mean of action 0
        one.deterministic(obs.getRow(0));
        float before = one.action().get(0, 0);
        outputBias.value.data[0] += 0.5f; // a change made through one instance is seen by the other
        one.deterministic(obs.getRow(0));
        assertNotEquals(before, one.action().get(0, 0));
    }

    @Test
    void gradientsAccumulateUntilZeroed() {
        Rng rng = new Rng(5);
        Mlp mlp = new Mlp(Mlp.Spec.plain(3, new int[]{4}, 2), 2, rng, MaskSource.geometric(rng));
        FloatMatrix x = FloatMatrix.randn(2, 3), dy = FloatMatrix.randn(2, 2);
        mlp.forward(x);
        mlp.backward(dy, true, false);
        float[] once = mlp.params().get(0).grad.data.clone();
        mlp.backward(dy, true, false);
        float[] twice = mlp.params().get(0).grad.data;
        for (int i = 0; i < once.length; i++) {
            assertEquals(2 * once[i], twice[i], 1e-6f);
        }
        Param.zeroGrads(mlp.params());
        for (Param p : mlp.params()) {
            for (float g : p.grad.data) {
                assertEquals(0f, g);
            }
        }
    }

    @Test
    void sameSeedSameNumbers() {
        float[][] runs = new float[2][];
        for (int run = 0; run < 2; run++) {
            Rng rng = new Rng(6);
            TanhGaussianPolicy pi = new TanhGaussianPolicy(4, 2, new int[]{8}, 3, rng, rng.split());
            Adam adam = new Adam(pi.params(), 1e-2f);
            FloatMatrix obs = FloatMatrix.ones(3, 4), da = FloatMatrix.ones(3, 2);
            for (int step = 0; step < 5; step++) {
                adam.zeroGrad();
                pi.sample(obs);
                pi.backward(da, null);
                adam.step();
            }
            runs[run] = pi.params().get(0).value.data.clone();
        }
        assertArrayEquals(runs[0], runs[1]);
    }

    @Test
    void rngIsSeededUniformAndGaussian() {
        Rng a = new Rng(7), b = new Rng(7), c = new Rng(8);
        assertEquals(a.nextLong(), b.nextLong());
        assertNotEquals(a.nextLong(), c.nextLong());
        int n = 200_000, below = 0;
        double sum = 0, sq = 0;
        int[] buckets = new int[10];
        for (int i = 0; i < n; i++) {
            buckets[a.nextInt(10)]++;
            float u = a.nextFloat();
            assertTrue(u >= 0f && u < 1f);
            if (u < 0.25f) {
                below++;
            }
            double g = a.nextGaussian();
            sum += g;
            sq += g * g;
        }
        assertEquals(0.25 * n, below, 5 * Math.sqrt(n * 0.25 * 0.75));
        for (int k : buckets) {
            assertEquals(n / 10.0, k, 5 * Math.sqrt(n * 0.09));
        }
        assertEquals(0, sum / n, 5 / Math.sqrt(n));
        assertEquals(1, sq / n, 0.02);
    }
}

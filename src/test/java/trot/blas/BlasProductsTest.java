package trot.blas;

import org.jblas.FloatMatrix;
import org.junit.jupiter.api.Test;
import trot.util.Rng;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Blas#gemm(Products, boolean, boolean, float, FloatMatrix, FloatMatrix, float, FloatMatrix)}'s dispatch: which
 * products go to oneDNN (all three sizes at least {@link Blas#ONEDNN_MIN_SIZE}) and which stay on OpenBLAS, the
 * {@code k = 0} and empty cases, the product listener, and {@link Products}' names. The bf16 product tells the two
 * paths apart: it rounds both factors to bf16, which moves the result far more than fp32's summation order does.
 */
class BlasProductsTest {

    static void assumeOnednn() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Onednn.available() || System.getenv("TROT_REQUIRE_ONEDNN") != null,
                "oneDNN not loaded");
    }

    static FloatMatrix random(int rows, int columns, long seed) {
        FloatMatrix x = new FloatMatrix(rows, columns);
        new Rng(seed).fillUniform(x.data, 0, x.length, -1f, 1f);
        return x;
    }

    /** C = A B with the given products, A m x k and B k x n filled from fixed seeds. */
    static float[] product(Products via, int m, int n, int k) {
        FloatMatrix a = random(m, k, 1), b = random(k, n, 2), c = new FloatMatrix(m, n);
        Blas.gemm(via, false, false, 1f, a, b, 0f, c);
        return c.data;
    }

    /** The same product with both factors rounded to bf16 (round to nearest even) and summed in double. */
    static float[] bf16Reference(int m, int n, int k) {
        FloatMatrix a = random(m, k, 1), b = random(k, n, 2);
        float[] c = new float[m * n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) bf16(a.get(i, p)) * bf16(b.get(p, j));
                }
                c[i + j * m] = (float) s;
            }
        }
        return c;
    }

    static float bf16(float x) {
        int bits = Float.floatToRawIntBits(x);
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return Float.intBitsToFloat(rounded & 0xFFFF0000);
    }

    static double maxAbsDiff(float[] x, float[] y) {
        double d = 0;
        for (int i = 0; i < x.length; i++) {
            d = Math.max(d, Math.abs(x[i] - y[i]));
        }
        return d;
    }

    @Test
    void bf16GoesToOnednnOnlyWhenEverySizeReachesTheMinimum() {
        assumeOnednn();
        int s = Blas.ONEDNN_MIN_SIZE;
        // At the minimum: rounded factors (close to the bf16 reference, far from fp32).
        float[] atMin = product(Products.BF16, s, s, s);
        assertTrue(maxAbsDiff(atMin, bf16Reference(s, s, s)) < 1e-5, "bf16 product at the minimum size");
        assertTrue(maxAbsDiff(atMin, product(Products.FP32, s, s, s)) > 1e-4, "the bf16 product rounded nothing");
        // One size below it: OpenBLAS, bitwise.
        int[][] below = {{s - 1, s, s}, {s, s - 1, s}, {s, s, s - 1}};
        for (int[] d : below) {
            assertArrayEquals(product(Products.FP32, d[0], d[1], d[2]), product(Products.BF16, d[0], d[1], d[2]),
                    "m, n, k = " + d[0] + ", " + d[1] + ", " + d[2] + " must stay on OpenBLAS");
        }
    }

    @Test
    void innerSizeZeroScalesCByBeta() {
        for (Products via : Products.values()) {
            if (via.usesOnednn() && !Onednn.available()) {
                continue;
            }
            FloatMatrix a = new FloatMatrix(9, 0), b = new FloatMatrix(0, 10);
            FloatMatrix c = random(9, 10, 3), before = c.dup();
            Blas.gemm(via, false, false, 1f, a, b, 1f, c);
            assertArrayEquals(before.data, c.data, "beta = 1 leaves C");
            Blas.gemm(via, false, false, 1f, a, b, 2f, c);
            assertArrayEquals(before.mul(2f).data, c.data, "beta = 2 doubles C");
            c.data[0] = Float.NaN;
            Blas.gemm(via, false, false, 1f, a, b, 0f, c);
            assertArrayEquals(new float[90], c.data, "beta = 0 writes exact zeros, NaN included");
        }
    }

    @Test
    void gemvOfAnEmptyMatrixScalesY() {
        FloatMatrix a = new FloatMatrix(4, 0), x = new FloatMatrix(0, 1), y = random(4, 1, 4), before = y.dup();
        Blas.gemv(false, 1f, a, x, 3f, y);
        assertArrayEquals(before.mul(3f).data, y.data);
        y.data[1] = Float.NaN;
        Blas.gemv(false, 1f, a, x, 0f, y);
        assertArrayEquals(new float[4], y.data);
    }

    @Test
    void theListenerHearsEachProductWithItsShape() {
        List<String> heard = new ArrayList<>();
        Blas.setProductListener((gemv, transA, transB, m, n, k) ->
                heard.add(gemv + " " + transA + " " + transB + " " + m + "x" + n + "x" + k));
        try {
            Blas.gemm(Products.FP32, true, false, 1f, random(5, 3, 1), random(5, 7, 2), 0f, new FloatMatrix(3, 7));
            Blas.gemm(Products.FP32, false, false, 1f, new FloatMatrix(3, 0), new FloatMatrix(0, 7), 0f,
                    new FloatMatrix(3, 7));
            Blas.gemv(true, 1f, random(6, 4, 3), random(6, 1, 4), 0f, new FloatMatrix(4, 1));
        } finally {
            Blas.setProductListener(null);
        }
        // The k = 0 product computes nothing and is not heard.
        assertEquals(List.of("false true false 3x7x5", "true true false 4x1x6"), heard);
        Blas.gemm(Products.FP32, false, false, 1f, random(2, 2, 1), random(2, 2, 2), 0f, new FloatMatrix(2, 2));
        assertEquals(2, heard.size(), "a removed listener hears nothing");
    }

    @Test
    void productsParseTheirNamesAndRejectOthers() {
        assertEquals(Products.FP32, Products.parse("fp32"));
        assertEquals(Products.FP32_ONEDNN, Products.parse(" FP32-oneDNN "));
        assertEquals(Products.BF16, Products.parse("bf16"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Products.parse("fp16"));
        assertTrue(e.getMessage().contains("'fp16'") && e.getMessage().contains("fp32-onednn")
                && e.getMessage().contains("bf16"), e.getMessage());
        assertFalse(Products.FP32.usesOnednn());
        assertTrue(Products.FP32_ONEDNN.usesOnednn());
        assertTrue(Products.BF16.usesOnednn());
    }

    @Test
    void onednnNamesItsBuildAndKernels() {
        assumeOnednn();
        assertTrue(Onednn.available());
        assertTrue(Onednn.version().matches("(?s).*oneDNN.*\\d+\\.\\d+.*"), Onednn.version());
        String f32 = Onednn.kernel(false), bf16 = Onednn.kernel(true);
        assertFalse(f32.isBlank());
        assertFalse(bf16.isBlank());
        assertEquals(f32, Onednn.kernel(false, false, false, 256, 256, 256));
    }
}

package trot.nn;

import org.jblas.FloatMatrix;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import trot.util.Rng;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * LayerNorm's C kernels (native/trotnn.c) against its Java loops, layer against layer with the same parameters and
 * inputs: output, xhat-dependent input gradient and the per-sample statistics bit for bit; the parameter gradients
 * (float sums over the batch, in different orders) within 1e-6 of the largest sum of magnitudes.
 */
class LayerNormKernelsTest {

    @BeforeAll
    static void nativeKernels() {
        assumeTrue(NativeKernels.AVAILABLE, NativeKernels.DESCRIPTION);
    }

    static void compare(int batch, int features, float offset, boolean inputGradient, boolean specials) {
        Rng rng = new Rng(31L * batch + features);
        LayerNorm java = new LayerNorm("ln", features, batch, 1e-5f, false);
        LayerNorm c = new LayerNorm("ln", features, batch, 1e-5f, true);
        for (int j = 0; j < features; j++) {
            java.gain.value.data[j] = c.gain.value.data[j] = 1f + 0.3f * (float) rng.nextGaussian();
            java.bias.value.data[j] = c.bias.value.data[j] = 0.2f * (float) rng.nextGaussian();
        }
        FloatMatrix x = new FloatMatrix(batch, features), dy = new FloatMatrix(batch, features);
        for (int i = 0; i < x.length; i++) {
            x.data[i] = offset + 2f * (float) rng.nextGaussian();
            dy.data[i] = (float) rng.nextGaussian();
        }
        if (specials && x.length > 8) {
            x.data[3] = Float.NaN;                       // one sample's statistics become NaN in both
            x.data[x.length - 1] = Float.MIN_VALUE;      // subnormals
            dy.data[5] = -0f;
        }
        String shape = batch + "x" + features;
        assertSameBits(shape + " y", java.forward(x).data, c.forward(x).data);
        FloatMatrix dxJava = java.backward(dy, true, inputGradient);
        FloatMatrix dxC = c.backward(dy, true, inputGradient);
        if (inputGradient) {
            assertSameBits(shape + " dx", dxJava.data, dxC.data);
        }
        close(shape + " dgain", java.gain.grad.data, c.gain.grad.data, dy, x);
        close(shape + " dbias", java.bias.grad.data, c.bias.grad.data, dy, null);
    }

    static void assertSameBits(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                throw new AssertionError(what + "[" + i + "]: Java " + expected[i] + ", C " + actual[i]);
            }
        }
    }

    /** Sums over the batch in different orders: within 1e-6 of the sum of magnitudes (a few ulp of each term). */
    static void close(String what, float[] expected, float[] actual, FloatMatrix dy, FloatMatrix x) {
        double scale = 0;
        for (float v : dy.data) {
            scale += Math.abs(v) * (x == null ? 1 : 4);
        }
        for (int i = 0; i < expected.length; i++) {
            if (Float.isNaN(expected[i])) {
                assertTrue(Float.isNaN(actual[i]), what + "[" + i + "] should be NaN like Java's");
            } else {
                assertEquals(expected[i], actual[i], 1e-6 * scale, what + "[" + i + "]");
            }
        }
    }

    @Test
    void matchesTheJavaLoopsOnEveryShape() {
        for (int batch : new int[]{1, 7, 256, 600}) {
            for (int features : new int[]{1, 5, 256}) {
                compare(batch, features, 1.5f, true, false);
                compare(batch, features, 0f, false, false);
            }
        }
    }

    @Test
    void propagatesNaNLikeTheJavaLoops() {
        compare(16, 8, 0f, true, true);
    }

    @Test
    void badArgumentsAreRejectedBeforeAnythingIsWritten() {
        float[] small = new float[3], ok = new float[16], row = new float[4];
        assertThrows(ArrayIndexOutOfBoundsException.class,
                () -> NativeKernels.layerNormForward(small, ok, ok.clone(), row, row.clone(), 4, 4, 1e-5f, row.clone(), row.clone()));
        assertThrows(IllegalArgumentException.class,
                () -> NativeKernels.layerNormForward(ok, ok, ok.clone(), row, row.clone(), 4, 4, 1e-5f, row.clone(), row.clone()),
                "x and y are the same array");
        assertThrows(IllegalArgumentException.class,
                () -> NativeKernels.layerNormForward(ok, ok.clone(), ok.clone(), row, row.clone(), -1, 4, 1e-5f, row.clone(), row.clone()));
        assertTrue(NativeKernels.describe().contains("-ffp-contract=off"), NativeKernels.describe());
    }
}

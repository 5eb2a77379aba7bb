package trot.nn;

import org.jblas.FloatMatrix;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import trot.util.Rng;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The fused Dropout -> LayerNorm -> ReLU kernels give bitwise what the three layers give one after the other:
 * outputs, input gradients, every parameter gradient and the dropout masks, over several forward/backward rounds
 * (new masks each time), with and without dropout, at the learner's batch, a ragged one and batch 1; and on inputs
 * with exact zeros, -0 and NaN (where ReLU's max and its gradient's min must follow Java's Math rules).
 */
class DropoutLayerNormReluTest {

    @BeforeAll
    static void nativeKernels() {
        assumeTrue(NativeKernels.AVAILABLE, NativeKernels.DESCRIPTION);
    }

    static Mlp net(float dropout, int batch, boolean fused) {
        Mlp.Spec spec = new Mlp.Spec(60, new int[]{256, 256}, 1, dropout, true, LayerNorm.DEFAULT_EPS);
        Mlp m = new Mlp(spec, batch, new Rng(1), MaskSource.geometric(new Rng(2)));
        m.setFused(fused);
        return m;
    }

    @ParameterizedTest
    @CsvSource({"0.01, 256", "0.1, 37", "0.0, 256", "0.01, 1"})
    void fusedBlocksAreBitwiseTheLayersOneAfterTheOther(float dropout, int batch) {
        Mlp fused = net(dropout, batch, true), plain = net(dropout, batch, false);
        assertTrue(fused.fused());
        assertFalse(plain.fused());
        Rng rng = new Rng(9);
        for (int round = 0; round < 3; round++) {
            FloatMatrix x = new FloatMatrix(batch, 60), dy = new FloatMatrix(batch, 1);
            rng.fillGaussian(x.data, 0, x.length);
            rng.fillGaussian(dy.data, 0, dy.length);
            if (round == 2) { // exact zeros, negative zero, a NaN: Math.max / Math.min semantics
                x.data[0] = Float.NaN;
                x.data[x.length - 1] = -0f;
                java.util.Arrays.fill(x.data, 1, Math.min(x.length, 60), 0f);
            }
            assertArrayEquals(plain.forward(x).data, fused.forward(x).data, "output, round " + round);
            assertArrayEquals(plain.backward(dy, true, true).data, fused.backward(dy, true, true).data,
                    "input gradient, round " + round);
            for (int p = 0; p < plain.params().size(); p++) {
                assertArrayEquals(plain.params().get(p).grad.data, fused.params().get(p).grad.data,
                        plain.params().get(p).name + " gradient, round " + round);
            }
            Layer[] a = plain.layers(), b = fused.layers();
            for (int i = 0; i < a.length; i++) {
                assertArrayEquals(layerState(a[i]), layerState(b[i]),
                        a[i] + " state, round " + round);
            }
        }
    }

    /** What a layer keeps for its backward that the fused block must keep too: a ReLU's output, a dropout's mask. */
    static float[] layerState(Layer l) {
        if (l instanceof Relu) {
            return l.output().data;
        }
        if (l instanceof Dropout d) {
            FloatMatrix keep = new FloatMatrix(d.batchSize(), d.inputSize());
            d.lastMask(keep);
            return keep.data;
        }
        if (l instanceof LayerNorm ln) {
            return ln.normalized().data;
        }
        return new float[0];
    }

    @ParameterizedTest
    @CsvSource({"0.01, 600"})
    void batchesAboveTheKernelsBlockRunUnfused(float dropout, int batch) {
        assertFalse(net(dropout, batch, true).fused());
        assertEquals(0, DropoutLayerNormRelu.fusableAt(net(dropout, batch, true).layers(), 0));
        assertEquals(3, DropoutLayerNormRelu.fusableAt(net(dropout, 256, true).layers(), 1));
    }
}

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
 * (new masks each time), with and without dropout, at the learner's batch, ragged ones (203: the kernels' tiles of 64 and 8 samples and 3 left over; 37) and batch 1; and on inputs
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
    @CsvSource({"0.01, 256", "0.1, 37", "0.0, 256", "0.01, 1", "0.1, 203"})
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
                assertArrayEquals(layerState(a[i]), b[i] instanceof LayerNorm ? fusedXhat(b, i) : layerState(b[i]),
                        a[i] + " state, round " + round);
            }
        }
    }

    /** A fused block keeps LayerNorm's xhat over its input z, the output of the Linear layer before the block. */
    static float[] fusedXhat(Layer[] layers, int norm) {
        int linear = layers[norm - 1] instanceof Dropout ? norm - 2 : norm - 1;
        assertTrue(layers[linear] instanceof Linear, layers[linear] + " should be the Linear before " + layers[norm]);
        return layers[linear].output().data;
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

    /**
     * forwardInference (the target critics' pass) gives forward's output bit for bit, with the masks drawn as forward
     * draws them (so the generator is where it would be), on the same awkward inputs; and refuses a backward until
     * the next forward.
     */
    @ParameterizedTest
    @CsvSource({"0.01, 256", "0.1, 37", "0.0, 256", "0.01, 1", "0.1, 203"})
    void inferenceIsBitwiseForwardAndKeepsNothingToBackPropagate(float dropout, int batch) {
        Mlp inference = net(dropout, batch, true), plain = net(dropout, batch, false);
        assertTrue(inference.fused());
        Rng rng = new Rng(11);
        for (int round = 0; round < 4; round++) {
            FloatMatrix x = new FloatMatrix(batch, 60);
            rng.fillGaussian(x.data, 0, x.length);
            if (round == 2) {
                x.data[0] = Float.NaN;
                x.data[x.length - 1] = -0f;
                java.util.Arrays.fill(x.data, 1, Math.min(x.length, 60), 0f);
            }
            FloatMatrix copy = x.dup();
            assertArrayEquals(plain.forward(x).data, inference.forwardInference(x).data, "output, round " + round);
            assertArrayEquals(copy.data, x.data, "the network input is left alone");
        }
        FloatMatrix dy = FloatMatrix.ones(batch, 1);
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> inference.backward(dy, true, true));
        assertTrue(e.getMessage().contains("forwardInference"), e.getMessage());
        for (Param p : inference.params()) {
            assertTrue(java.util.Arrays.equals(new float[p.size()], p.grad.data), p.name + ": no gradient written");
        }
        // A forward after it back-propagates as before (the in-place pass left no stale state behind).
        FloatMatrix x = new FloatMatrix(batch, 60);
        rng.fillGaussian(x.data, 0, x.length);
        assertArrayEquals(plain.forward(x).data, inference.forward(x).data, "forward after inference");
        assertArrayEquals(plain.backward(dy, true, true).data, inference.backward(dy, true, true).data,
                "input gradient after inference");
        for (int p = 0; p < plain.params().size(); p++) {
            assertArrayEquals(plain.params().get(p).grad.data, inference.params().get(p).grad.data,
                    plain.params().get(p).name + " gradient after inference");
        }
    }

    @org.junit.jupiter.api.Test
    void inferenceWithoutFusedBlocksIsForward() {
        Mlp unfused = net(0.01f, 16, false), reference = net(0.01f, 16, false);
        FloatMatrix x = new FloatMatrix(16, 60);
        new Rng(4).fillGaussian(x.data, 0, x.length);
        assertArrayEquals(reference.forward(x).data, unfused.forwardInference(x).data);
        FloatMatrix dy = FloatMatrix.ones(16, 1);
        assertArrayEquals(reference.backward(dy, true, true).data, unfused.backward(dy, true, true).data,
                "without fused blocks inference keeps the activations (it is forward), so backward works");
    }

    @ParameterizedTest
    @CsvSource({"0.01, 600"})
    void batchesAboveTheKernelsBlockRunUnfused(float dropout, int batch) {
        assertFalse(net(dropout, batch, true).fused());
        assertEquals(0, DropoutLayerNormRelu.fusableAt(net(dropout, batch, true).layers(), 0));
        assertEquals(3, DropoutLayerNormRelu.fusableAt(net(dropout, 256, true).layers(), 1));
    }

    @org.junit.jupiter.api.Test
    void fusableBlocksAreFoundOnlyWhereTheWholeBlockIs() {
        int b = 4, f = 8;
        Dropout d = new Dropout("d", f, b, 0.1f, MaskSource.geometric(new Rng(1)));
        LayerNorm ln = new LayerNorm("ln", f, b, LayerNorm.DEFAULT_EPS);
        Relu r = new Relu("r", f, b);
        Linear lin = new Linear("lin", f, f, b, new Rng(3));
        assertEquals(0, DropoutLayerNormRelu.fusableAt(new Layer[0], 0));
        assertEquals(0, DropoutLayerNormRelu.fusableAt(new Layer[]{d}, 0));
        assertEquals(0, DropoutLayerNormRelu.fusableAt(new Layer[]{ln}, 0));
        assertEquals(0, DropoutLayerNormRelu.fusableAt(new Layer[]{d, ln}, 0));
        assertEquals(0, DropoutLayerNormRelu.fusableAt(new Layer[]{ln, r}, 2), "past the end");
        assertEquals(0, DropoutLayerNormRelu.fusableAt(new Layer[]{r, ln}, 0), "wrong order");
        assertEquals(2, DropoutLayerNormRelu.fusableAt(new Layer[]{ln, r}, 0));
        assertEquals(3, DropoutLayerNormRelu.fusableAt(new Layer[]{d, ln, r}, 0));
        assertEquals(2, DropoutLayerNormRelu.fusableAt(new Layer[]{lin, d, lin, ln, r}, 3));
        assertEquals(3, DropoutLayerNormRelu.fusableAt(new Layer[]{lin, d, ln, r, lin}, 1));
        assertEquals(0, DropoutLayerNormRelu.fusableAt(new Layer[]{lin, d, ln, r}, 0), "starts at a Linear");
    }

    @org.junit.jupiter.api.Test
    void theKernelsLargestBatchIsFused() {
        int max = DropoutLayerNormRelu.MAX_BATCH;
        assertEquals(3, DropoutLayerNormRelu.fusableAt(net(0.01f, max, true).layers(), 1));
        assertEquals(0, DropoutLayerNormRelu.fusableAt(net(0.01f, max + 1, true).layers(), 1));
    }

    @org.junit.jupiter.api.Test
    void aFusedNetworkRejectsWrongShapesAsThePlainOneDoes() {
        for (boolean fused : new boolean[]{true, false}) {
            for (float dropout : new float[]{0.01f, 0f}) {
                Mlp m = net(dropout, 16, fused);
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> m.forward(new FloatMatrix(16, 59)),
                        "input of the wrong width, fused=" + fused);
                org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> m.backward(new FloatMatrix(16, 1), true, true),
                        "backward before forward, fused=" + fused);
                m.forward(new FloatMatrix(16, 60));
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> m.backward(new FloatMatrix(15, 1), true, true),
                        "output gradient of the wrong batch, fused=" + fused);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void everyHiddenBlockIsFusedInCopiesTooAndThePropertyTurnsFusionOff() {
        Mlp m = net(0.01f, 32, true);
        assertEquals(2, m.fusedBlocks(), "one block per hidden layer");
        assertEquals(2, m.withBatch(8).fusedBlocks(), "a copy for another batch");
        assertEquals(2, net(0f, 32, true).fusedBlocks(), "LayerNorm -> ReLU without dropout");
        m.setFused(false);
        assertEquals(0, m.fusedBlocks());
        assertEquals(0, m.withBatch(8).fusedBlocks(), "a copy keeps fusion off");
        String before = System.getProperty("trot.fused");
        System.setProperty("trot.fused", "false");
        try {
            Mlp.Spec spec = new Mlp.Spec(60, new int[]{256, 256}, 1, 0.01f, true, LayerNorm.DEFAULT_EPS);
            assertFalse(new Mlp(spec, 32, new Rng(1), MaskSource.geometric(new Rng(2))).fused());
        } finally {
            if (before == null) {
                System.clearProperty("trot.fused");
            } else {
                System.setProperty("trot.fused", before);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void theBlockItselfRejectsWrongShapes() {
        int b = 4, f = 8;
        for (boolean withDropout : new boolean[]{true, false}) {
            Dropout d = withDropout ? new Dropout("d", f, b, 0.1f, MaskSource.geometric(new Rng(1))) : null;
            DropoutLayerNormRelu block = new DropoutLayerNormRelu(d, new LayerNorm("ln", f, b, LayerNorm.DEFAULT_EPS),
                    new Relu("r", f, b));
            assertEquals(withDropout ? 3 : 2, block.length());
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> block.backward(new FloatMatrix(b, f), true), "backward before forward");
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> block.forward(new FloatMatrix(b, f + 1)), "input of the wrong width");
            block.forward(new FloatMatrix(b, f));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> block.backward(new FloatMatrix(b - 1, f), true), "output gradient of the wrong batch");
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> block.forwardInference(new FloatMatrix(b + 1, f)), "inference input of the wrong batch");
            block.forwardInference(new FloatMatrix(b, f));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> block.backward(new FloatMatrix(b, f), true), "backward after inference");
        }
    }

    @org.junit.jupiter.api.Test
    void theInferenceKernelChecksItsArguments() {
        float[] z = new float[32], gain = new float[8], bias = new float[8];
        org.junit.jupiter.api.Assertions.assertThrows(ArrayIndexOutOfBoundsException.class,
                () -> NativeKernels.dropoutLayerNormReluInference(new float[31], 4, 8, 1f, new int[0], 0, gain, bias, 1e-5f),
                "z too short");
        org.junit.jupiter.api.Assertions.assertThrows(ArrayIndexOutOfBoundsException.class,
                () -> NativeKernels.dropoutLayerNormReluInference(z, 4, 8, 1f, new int[0], 0, new float[7], bias, 1e-5f),
                "gain too short");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> NativeKernels.dropoutLayerNormReluInference(z, 4, 8, 1f, new int[]{5, 3}, 2, gain, bias, 1e-5f),
                "dropped not ascending");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> NativeKernels.dropoutLayerNormReluInference(z, 4, 8, 1f, new int[]{40}, 1, gain, bias, 1e-5f),
                "dropped outside the block");
        java.util.Arrays.fill(gain, 1f);
        for (int i = 0; i < 32; i++) {
            z[i] = i % 8 == 0 ? 0f : i;     // column-major 4 x 8: the first column's sample 0 is 0
        }
        NativeKernels.dropoutLayerNormReluInference(z, 4, 8, 1f, new int[0], 0, gain, bias, 1e-5f);
        for (float v : z) {
            assertTrue(v >= 0f && Float.isFinite(v), "ReLU(LayerNorm) written in place: " + v);
        }
    }

    /** In place (xhat over z, dz over dout) the kernels write what they write into separate buffers; other aliases are refused. */
    @org.junit.jupiter.api.Test
    void theKernelsInPlaceGiveWhatTheyGiveIntoSeparateBuffers() {
        int n = 37, f = 19;
        Rng rng = new Rng(21);
        float[] z = new float[n * f], gain = new float[f], bias = new float[f], dout = new float[n * f];
        rng.fillGaussian(z, 0, z.length);
        rng.fillGaussian(gain, 0, f);
        rng.fillGaussian(bias, 0, f);
        rng.fillGaussian(dout, 0, dout.length);
        int[] dropped = {3, 40, 41, 400, n * f - 1};
        float[] xhat = new float[n * f], out = new float[n * f], mean = new float[n], rstd = new float[n];
        float[] zs = z.clone();
        NativeKernels.dropoutLayerNormReluForward(zs, n, f, 1.25f, dropped, dropped.length, xhat, gain, bias,
                1e-5f, mean, rstd, out);
        assertArrayEquals(z, zs, "z is only read when xhat is another array");
        float[] zx = z.clone(), out2 = new float[n * f], mean2 = new float[n], rstd2 = new float[n];
        NativeKernels.dropoutLayerNormReluForward(zx, n, f, 1.25f, dropped, dropped.length, zx, gain, bias, 1e-5f,
                mean2, rstd2, out2);
        assertArrayEquals(xhat, zx, "xhat written over z");
        assertArrayEquals(out, out2);
        assertArrayEquals(rstd, rstd2);
        float[] dz = new float[n * f], dgain = new float[f], dbias = new float[f];
        NativeKernels.dropoutLayerNormReluBackward(dout.clone(), out, xhat, gain, rstd, n, f, dgain, dbias, 1.25f,
                dropped, dropped.length, dz);
        float[] dd = dout.clone(), dgain2 = new float[f], dbias2 = new float[f];
        NativeKernels.dropoutLayerNormReluBackward(dd, out, xhat, gain, rstd, n, f, dgain2, dbias2, 1.25f, dropped,
                dropped.length, dd);
        assertArrayEquals(dz, dd, "dz written over dout");
        assertArrayEquals(dgain, dgain2);
        assertArrayEquals(dbias, dbias2);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> NativeKernels.dropoutLayerNormReluForward(zx, n, f, 1f, new int[0], 0, out2, gain, bias, 1e-5f,
                        mean2, rstd2, out2), "xhat and out the same array");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> NativeKernels.dropoutLayerNormReluBackward(dd, out, xhat, gain, rstd, n, f, dgain2, dbias2, 1f,
                        new int[0], 0, xhat), "dz over xhat");
    }
}

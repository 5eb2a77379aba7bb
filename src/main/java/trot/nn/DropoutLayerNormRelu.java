package trot.nn;

import org.jblas.FloatMatrix;

/**
 * The hidden block of a DroQ critic, {@code out = ReLU(LayerNorm(Dropout(z)))}, run as one native kernel pair
 * over the three layers' own buffers (native/trotnn.c, fused_forward and fused_backward).
 *
 * <p>Bitwise the three layers one after the other: the kernels do their float operations in their order, on
 * values kept in registers (forward: tiles of 64 samples) or in the output buffer (backward) instead of written to
 * and read back from two whole batch x features buffers (Dropout's and LayerNorm's outputs), so two passes over
 * z forward instead of seven over memory, and two backward instead of six. The parameters, the mask, the per-sample statistics and the ReLU output live
 * where the layers keep them ({@link Dropout#lastMask}, the layers' {@code output()} of ReLU and {@code backward}
 * of the next layer work as before); Dropout's and LayerNorm's own outputs are not written.
 *
 * <p>In place, to touch fewer cold buffers: {@code xhat} is written over the block's input z (the Linear layer's
 * output, which nothing reads again before the next forward), and the backward writes dL/dz over its {@code dout}
 * (the next Linear layer's dX, read only here) and returns that buffer. So inside a fused network the preceding
 * Linear's {@code output()} holds xhat after a forward, and LayerNorm's {@code normalized()} is not written.
 *
 * <p>{@link Mlp} uses it for every Dropout -> LayerNorm -> ReLU (or LayerNorm -> ReLU) run when libtrotnn.so is
 * loaded and the batch is at most {@link #MAX_BATCH}; {@link Mlp#setFused(boolean)} turns it off.
 */
final class DropoutLayerNormRelu {
    /** The largest batch the fused kernels take: LayerNorm's native backward's block, so its sums stay in order. */
    static final int MAX_BATCH = 512;

    /** Null for LayerNorm -> ReLU. */
    private final Dropout dropout;
    private final LayerNorm norm;
    private final Relu relu;
    private final int batch, features;
    private int count;
    /** Where the last forward left xhat: over its input z, which nothing writes again before the backward. */
    private FloatMatrix xhat;

    DropoutLayerNormRelu(Dropout dropout, LayerNorm norm, Relu relu) {
        this.dropout = dropout;
        this.norm = norm;
        this.relu = relu;
        this.batch = norm.batch;
        this.features = norm.inputSize;
    }

    /** Whether layers[i..] starts a block that can be fused; its length, or 0. */
    static int fusableAt(Layer[] layers, int i) {
        int j = i;
        if (j < layers.length && layers[j] instanceof Dropout) {
            j++;
        }
        if (j + 1 < layers.length && layers[j] instanceof LayerNorm ln && layers[j + 1] instanceof Relu
                && ln.usesNativeKernels() && ln.batch <= MAX_BATCH) {
            return j + 2 - i;
        }
        return 0;
    }

    /** How many layers the block replaces (2 or 3). */
    int length() {
        return dropout == null ? 2 : 3;
    }

    FloatMatrix forward(FloatMatrix z) {
        Layer first = dropout != null ? dropout : norm;
        first.checkShape("forward", "input", z, batch, features);
        count = dropout == null ? 0 : dropout.drawMask();
        NativeKernels.dropoutLayerNormReluForward(z.data, batch, features, dropout == null ? 1f : dropout.scale(),
                dropout == null ? EMPTY : dropout.droppedIndices(), count, z.data,     // xhat over z, in place
                norm.gain.value.data, norm.bias.value.data, norm.eps, norm.sampleMeans(), norm.sampleInverseStd(),
                relu.output.data);
        first.input = z;
        xhat = z;
        if (dropout != null) {
            norm.input = dropout.output;
        }
        relu.input = norm.output;
        return relu.output;
    }

    /**
     * The block's output for a pass that is not back-propagated, written over {@code z} itself (which is returned):
     * the same mask draw and the same output bits as {@link #forward}, without xhat, the statistics or the ReLU
     * buffer. The layers forget their inputs, so a backward after it fails instead of using stale activations.
     */
    FloatMatrix forwardInference(FloatMatrix z) {
        Layer first = dropout != null ? dropout : norm;
        first.checkShape("forward", "input", z, batch, features);
        count = dropout == null ? 0 : dropout.drawMask();
        NativeKernels.dropoutLayerNormReluInference(z.data, batch, features, dropout == null ? 1f : dropout.scale(),
                dropout == null ? EMPTY : dropout.droppedIndices(), count, norm.gain.value.data, norm.bias.value.data,
                norm.eps);
        first.input = null;
        norm.input = null;
        relu.input = null;
        return z;
    }

    /** Accumulates the LayerNorm gradients when {@code paramGrads}; returns the gradient with respect to z. */
    FloatMatrix backward(FloatMatrix dout, boolean paramGrads) {
        Layer first = dropout != null ? dropout : norm;
        if (first.input == null) {
            throw new IllegalStateException(first + ".backward called before forward");
        }
        relu.checkShape("backward", "output gradient", dout, batch, features);
        FloatMatrix dz = dout;                          // in place: dout is the next Linear's dX, read only here
        NativeKernels.dropoutLayerNormReluBackward(dout.data, relu.output.data, xhat.data,
                norm.gain.value.data, norm.sampleInverseStd(), batch, features,
                paramGrads ? norm.gain.grad.data : null, paramGrads ? norm.bias.grad.data : null,
                dropout == null ? 1f : dropout.scale(), dropout == null ? EMPTY : dropout.droppedIndices(), count,
                dz.data);
        return dz;
    }

    private static final int[] EMPTY = new int[0];
}

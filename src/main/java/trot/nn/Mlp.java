package trot.nn;

import trot.util.Rng;
import org.jblas.FloatMatrix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A multilayer perceptron for a fixed batch size. Each hidden block is
 * {@code Linear -> [Dropout] -> [LayerNorm] -> ReLU} (the dropout Q-function's order, Hiraoka et al. 2022,
 * when both are on; plain {@code Linear -> ReLU} when both are off), then a final {@code Linear}.
 *
 * <p>Layer names: {@code fc<i>}, {@code drop<i>}, {@code ln<i>}, {@code relu<i>} for hidden block {@code i},
 * {@code fc<H>} for the output layer; parameters are named {@code fc0.weight}, {@code ln0.gain}, and so on.
 */
public final class Mlp {

    /**
     * Architecture of an MLP.
     *
     * @param input        input features
     * @param hidden       width of each hidden block (may be empty: a single Linear)
     * @param output       output features
     * @param dropoutRate  dropout rate in each hidden block, 0 for none
     * @param layerNorm    LayerNorm in each hidden block
     * @param layerNormEps LayerNorm epsilon
     */
    public record Spec(int input, int[] hidden, int output, float dropoutRate, boolean layerNorm, float layerNormEps) {
        public Spec {
            if (input <= 0 || output <= 0) {
                throw new IllegalArgumentException("Mlp.Spec: input and output sizes must be positive, got "
                        + input + " and " + output);
            }
            hidden = hidden.clone();
            for (int h : hidden) {
                if (h <= 0) {
                    throw new IllegalArgumentException("Mlp.Spec: hidden sizes must be positive, got " + Arrays.toString(hidden));
                }
            }
            if (!(dropoutRate >= 0f && dropoutRate < 1f)) {
                throw new IllegalArgumentException("Mlp.Spec: dropout rate must be in [0, 1), got " + dropoutRate);
            }
            if (!(layerNormEps > 0f)) {
                throw new IllegalArgumentException("Mlp.Spec: LayerNorm eps must be positive, got " + layerNormEps);
            }
        }

        /** Equal when every value is, the hidden widths compared element by element. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Spec x && input == x.input && Arrays.equals(hidden, x.hidden) && output == x.output
                    && Float.compare(dropoutRate, x.dropoutRate) == 0 && layerNorm == x.layerNorm
                    && Float.compare(layerNormEps, x.layerNormEps) == 0;
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(input, Arrays.hashCode(hidden), output, dropoutRate, layerNorm, layerNormEps);
        }

        /** Linear -> ReLU blocks, then Linear. */
        public static Spec plain(int input, int[] hidden, int output) {
            return new Spec(input, hidden, output, 0f, false, LayerNorm.DEFAULT_EPS);
        }

        /** Linear -> Dropout -> LayerNorm -> ReLU blocks, then Linear (the DroQ critic). */
        public static Spec dropoutLayerNorm(int input, int[] hidden, int output, float dropoutRate) {
            return new Spec(input, hidden, output, dropoutRate, true, LayerNorm.DEFAULT_EPS);
        }

        @Override
        public int[] hidden() {
            return hidden.clone();
        }

        @Override
        public String toString() {
            return input + " -> " + Arrays.toString(hidden) + " -> " + output
                    + (dropoutRate > 0f ? ", dropout " + dropoutRate : "") + (layerNorm ? ", LayerNorm" : "");
        }
    }

    private final Spec spec;
    private final int batch;
    private final Layer[] layers;
    /** The fused block starting at layer i, or null; and ending at layer i (the same objects). */
    private final DropoutLayerNormRelu[] blockAt, blockEndingAt;
    /** Layer i is a ReLU that runs in place (see findBlocks); off with the fused blocks. */
    private final boolean[] reluInPlace;
    /** {@code -Dtrot.fused=false} runs the layers one by one (A/B benchmarks; the results are the same bits). */
    private boolean fused = !"false".equals(System.getProperty("trot.fused"));
    private final List<Param> params;

    /**
     * A new network with freshly initialised parameters.
     *
     * @param init  draws the initial weights (layer by layer, in order)
     * @param masks dropout masks (unused when the spec has no dropout)
     */
    public Mlp(Spec spec, int batch, Rng init, MaskSource masks) {
        this.spec = spec;
        this.batch = batch;
        List<Layer> list = new ArrayList<>();
        int width = spec.input();
        int[] hidden = spec.hidden();
        for (int i = 0; i < hidden.length; i++) {
            list.add(new Linear("fc" + i, width, hidden[i], batch, init));
            if (spec.dropoutRate() > 0f) {
                list.add(new Dropout("drop" + i, hidden[i], batch, spec.dropoutRate(), masks));
            }
            if (spec.layerNorm()) {
                list.add(new LayerNorm("ln" + i, hidden[i], batch, spec.layerNormEps()));
            }
            list.add(new Relu("relu" + i, hidden[i], batch));
            width = hidden[i];
        }
        list.add(new Linear("fc" + hidden.length, width, spec.output(), batch, init));
        this.layers = list.toArray(new Layer[0]);
        this.params = collectParams(layers);
        this.blockAt = new DropoutLayerNormRelu[layers.length];
        this.blockEndingAt = new DropoutLayerNormRelu[layers.length];
        this.reluInPlace = new boolean[layers.length];
        findBlocks();
    }

    /** Every Dropout -> LayerNorm -> ReLU (or LayerNorm -> ReLU) run the fused kernels can take, and every ReLU
     * right after a Linear layer, which runs in place over that layer's output (and its backward over the dX it
     * gets). */
    private void findBlocks() {
        for (int i = 1; i < layers.length; i++) {
            reluInPlace[i] = layers[i] instanceof Relu && layers[i - 1] instanceof Linear;
        }
        for (int i = 0; i < layers.length; i++) {
            int len = DropoutLayerNormRelu.fusableAt(layers, i);
            if (len > 0) {
                DropoutLayerNormRelu b = new DropoutLayerNormRelu(len == 3 ? (Dropout) layers[i] : null,
                        (LayerNorm) layers[i + len - 2], (Relu) layers[i + len - 1]);
                blockAt[i] = b;
                blockEndingAt[i + len - 1] = b;
                i += len - 1;
            }
        }
    }

    /**
     * Runs each Dropout -> LayerNorm -> ReLU block as one native kernel ({@link DropoutLayerNormRelu}; on by
     * default where libtrotnn.so is loaded, bitwise the same results either way) or as its three layers; and each
     * ReLU right after a Linear layer in place over that layer's output, its backward over the dX it receives
     * (Java, so wherever the kernels are; the same values, two fewer buffers touched), or into its own buffers.
     */
    public void setFused(boolean fused) {
        this.fused = fused;
    }

    /** Whether some block of this network runs fused. */
    public boolean fused() {
        return fusedBlocks() > 0;
    }

    /** How many Dropout -> LayerNorm -> ReLU blocks run fused (0 when fusion is off). */
    int fusedBlocks() {
        if (!fused) {
            return 0;
        }
        int n = 0;
        for (DropoutLayerNormRelu b : blockAt) {
            if (b != null) {
                n++;
            }
        }
        return n;
    }

    private Mlp(Mlp shared, int batch) {
        this.spec = shared.spec;
        this.batch = batch;
        this.layers = new Layer[shared.layers.length];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = shared.layers[i].withBatch(batch);
        }
        this.params = shared.params;
        this.blockAt = new DropoutLayerNormRelu[layers.length];
        this.blockEndingAt = new DropoutLayerNormRelu[layers.length];
        this.reluInPlace = new boolean[layers.length];
        this.fused = shared.fused;
        findBlocks();
    }

    private static List<Param> collectParams(Layer[] layers) {
        List<Param> ps = new ArrayList<>();
        for (Layer l : layers) {
            ps.addAll(l.params());
        }
        return Collections.unmodifiableList(ps);
    }

    /** The same network (shared parameters) for another batch size, with its own activation buffers. */
    public Mlp withBatch(int batch) {
        return new Mlp(this, batch);
    }

    /** Runs every layer in order on {@code x} (batch x input) and returns the output buffer (batch x output). */
    public FloatMatrix forward(FloatMatrix x) {
        return forward(x, false);
    }

    /**
     * The same output as {@link #forward}, bitwise, for a pass that will not be back-propagated (a target network):
     * each fused block writes its output over its Linear layer's output instead of into buffers of its own, and
     * keeps nothing for a backward, so the pass touches about a third of the memory. {@link #backward} after it
     * throws until the next {@link #forward}. Without the fused kernels it is {@link #forward}.
     */
    public FloatMatrix forwardInference(FloatMatrix x) {
        return forward(x, fused());
    }

    private FloatMatrix forward(FloatMatrix x, boolean inference) {
        FloatMatrix h = x;
        for (int i = 0; i < layers.length; ) {
            DropoutLayerNormRelu b = fused ? blockAt[i] : null;
            if (b != null) {
                h = inference ? b.forwardInference(h) : b.forward(h);
                i += b.length();
            } else if (fused && reluInPlace[i]) {
                h = ((Relu) layers[i++]).forwardInPlace(h);
            } else {
                h = layers[i++].forward(h);
            }
        }
        inferenceOnly = inference;
        inPlaceForward = fused;
        return h;
    }

    /** Set by {@link #forwardInference}, cleared by {@link #forward}: no activations to back-propagate through. */
    private boolean inferenceOnly;
    /** The last forward ran its ReLUs in place, so the backward must too (whatever setFused says meanwhile). */
    private boolean inPlaceForward;

    /**
     * Back-propagates {@code dy} (batch x output) through the last forward.
     *
     * @param paramGrads accumulate into the parameter gradients (off when only d(out)/d(input) is wanted,
     *                   as for the critics inside the actor loss)
     * @param inputGrad  compute the gradient with respect to the network input
     * @return the input gradient (batch x input) when {@code inputGrad}, else {@code null}
     */
    public FloatMatrix backward(FloatMatrix dy, boolean paramGrads, boolean inputGrad) {
        return backward(dy, paramGrads, inputGrad, null);
    }

    /** The backward pass; with a fork, each Linear layer above the first runs its dW beside its dX. */
    private FloatMatrix backward(FloatMatrix dy, boolean paramGrads, boolean inputGrad, Fork fork) {
        if (inferenceOnly) {
            throw new IllegalStateException(this + ".backward after forwardInference, which keeps no activations:"
                    + " run forward before a backward");
        }
        FloatMatrix g = dy;
        for (int i = layers.length - 1; i >= 0; ) {
            DropoutLayerNormRelu b = fused ? blockEndingAt[i] : null;
            if (b != null) {
                g = b.backward(g, paramGrads); // a block never starts the network: its input gradient is needed
                i -= b.length();
            } else if (inPlaceForward && reluInPlace[i]) {
                g = ((Relu) layers[i]).backwardInPlace(g);
                i--;
            } else if (fork != null && i > 0 && layers[i] instanceof Linear) {
                forkLayer = layers[i];
                forkGrad = g;
                fork.both(forkInputGradient, forkParamGradients);
                g = forkLayer.gradInput();
                forkLayer = null;
                forkGrad = null;
                i--;
            } else {
                g = layers[i].backward(g, paramGrads, i > 0 || inputGrad);
                i--;
            }
        }
        return g;
    }

    /**
     * Runs two independent jobs and returns when both are done, possibly at once on two threads (a learner's
     * workers). Neither job may touch what the other writes.
     */
    public interface Fork {
        void both(Runnable first, Runnable second);
    }

    /**
     * {@link #backward(FloatMatrix, boolean, boolean) backward(dy, true, false)} with each Linear layer's parameter
     * gradients ({@code dW += X^T dY}, {@code db += dY^T 1}) computed beside the input gradient it passes down
     * ({@code dX = dY W^T}) instead of before it: the two products of a layer read the same {@code dY} and write
     * different buffers, so {@code fork} may run them at once, and only the chain of input gradients is serial.
     * For a 256-wide policy that halves the critical path (two 256 x 256 x 256 products instead of three, of five).
     * The same products on the same operands as {@code backward}: the same bits, whatever {@code fork} does.
     */
    public void backwardForked(FloatMatrix dy, Fork fork) {
        backward(dy, true, false, java.util.Objects.requireNonNull(fork, "fork"));
    }

    private Layer forkLayer;
    private FloatMatrix forkGrad;
    private final Runnable forkInputGradient = () -> forkLayer.backward(forkGrad, false, true);
    private final Runnable forkParamGradients = () -> forkLayer.backward(forkGrad, true, false);

    /** Chooses who computes the products of every {@link Linear} layer ({@link Linear#setProducts}). */
    public void setProducts(trot.blas.Products products) {
        for (Layer l : layers) {
            if (l instanceof Linear) {
                ((Linear) l).setProducts(products);
            }
        }
    }

    /** Sets the mask source of every dropout layer. */
    public void setMaskSource(MaskSource masks) {
        for (Layer l : layers) {
            if (l instanceof Dropout) {
                ((Dropout) l).setMaskSource(masks);
            }
        }
    }

    /** Parameters in layer order; shared with every {@link #withBatch} copy. */
    public List<Param> params() {
        return params;
    }

    /** The layers, in order (for inspection and tests; the array is a copy). */
    public Layer[] layers() {
        return layers.clone();
    }

    public FloatMatrix output() {
        return layers[layers.length - 1].output();
    }

    public Spec spec() {
        return spec;
    }

    public int batchSize() {
        return batch;
    }

    public int inputSize() {
        return spec.input();
    }

    public int outputSize() {
        return spec.output();
    }

    @Override
    public String toString() {
        return "Mlp(" + spec + ", batch " + batch + ")";
    }
}

package trot.nn;

import org.jblas.FloatMatrix;

import java.util.List;

/**
 * One differentiable step of a network, for a batch size fixed at construction.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>A batch of activations is a {@code FloatMatrix(batch, features)}: row {@code b} is sample {@code b}
 *       (so a layer computes {@code Y = f(X)} with {@code X} of shape batch x in). jblas stores it column-major,
 *       so each feature's values over the batch are contiguous: per-sample statistics become vector
 *       loops over the batch.</li>
 *   <li>The layer owns its output ({@link #output()}, batch x out) and its input gradient
 *       ({@link #gradInput()}, batch x in), allocated once in the constructor; forward and backward return
 *       them, they never allocate.</li>
 *   <li>{@link #forward} keeps a reference to its input and saves in its own buffers whatever else
 *       {@link #backward} needs. The input must stay unchanged until backward; inside an {@link Mlp} it is
 *       the previous layer's output, which nothing else writes.</li>
 *   <li>Parameter gradients accumulate ({@code +=}); zero them with {@link Param#zeroGrads} between updates.</li>
 *   <li>Wrong shapes, an input that aliases one of the layer's own buffers, or backward before forward
 *       throw {@link IllegalArgumentException} (or {@link IllegalStateException}) naming the layer and the shapes.</li>
 * </ul>
 */
public abstract class Layer {
    protected final String name;
    protected final int inputSize;
    protected final int outputSize;
    protected final int batch;
    protected final FloatMatrix output;
    protected final FloatMatrix gradInput;
    /** Input of the last forward, kept for backward. */
    protected FloatMatrix input;

    protected Layer(String name, int inputSize, int outputSize, int batch) {
        if (inputSize <= 0 || outputSize <= 0 || batch <= 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " " + name
                    + ": sizes must be positive, got in=" + inputSize + " out=" + outputSize + " batch=" + batch);
        }
        this.name = name;
        this.inputSize = inputSize;
        this.outputSize = outputSize;
        this.batch = batch;
        this.output = new FloatMatrix(batch, outputSize);
        this.gradInput = new FloatMatrix(batch, inputSize);
    }

    /**
     * Computes this layer's output for {@code x} (batch x in) into {@link #output()} and returns it.
     *
     * @throws IllegalArgumentException when {@code x} has the wrong shape or is one of this layer's buffers
     */
    public final FloatMatrix forward(FloatMatrix x) {
        checkShape("forward", "input", x, batch, inputSize);
        if (x.data == output.data || x.data == gradInput.data) {
            throw new IllegalArgumentException(this + ".forward: the input (" + shape(x)
                    + ") aliases this layer's own output or input-gradient buffer");
        }
        input = x;
        forwardImpl(x, output);
        return output;
    }

    /**
     * Back-propagates {@code dy} (batch x out), the gradient of the loss with respect to the last output.
     *
     * @param paramGrads accumulate the loss gradient into this layer's parameter gradients
     * @param inputGrad  compute the gradient with respect to the input into {@link #gradInput()}
     * @return {@link #gradInput()} when {@code inputGrad}, else {@code null}
     */
    public final FloatMatrix backward(FloatMatrix dy, boolean paramGrads, boolean inputGrad) {
        if (input == null) {
            throw new IllegalStateException(this + ".backward called before forward");
        }
        checkShape("backward", "output gradient", dy, batch, outputSize);
        if (dy.data == gradInput.data || dy.data == output.data) {
            throw new IllegalArgumentException(this + ".backward: the output gradient (" + shape(dy)
                    + ") aliases this layer's own output or input-gradient buffer");
        }
        backwardImpl(dy, paramGrads, inputGrad ? gradInput : null);
        return inputGrad ? gradInput : null;
    }

    /** {@link #backward(FloatMatrix, boolean, boolean)} with both parameter and input gradients. */
    public final FloatMatrix backward(FloatMatrix dy) {
        return backward(dy, true, true);
    }

    /** {@code y = f(x)}; {@code y} is this layer's output buffer. */
    protected abstract void forwardImpl(FloatMatrix x, FloatMatrix y);

    /** Accumulates parameter gradients if asked, and writes {@code dx} unless it is {@code null}. */
    protected abstract void backwardImpl(FloatMatrix dy, boolean paramGrads, FloatMatrix dx);

    /** The learnable parameters (empty for parameter-free layers); shared with {@link #withBatch} copies. */
    public abstract List<Param> params();

    /** A layer of the same kind for another batch size, sharing this one's parameters, with its own buffers. */
    public abstract Layer withBatch(int batch);

    public final FloatMatrix output() {
        return output;
    }

    public final FloatMatrix gradInput() {
        return gradInput;
    }

    public final int inputSize() {
        return inputSize;
    }

    public final int outputSize() {
        return outputSize;
    }

    public final int batchSize() {
        return batch;
    }

    public final String name() {
        return name;
    }

    protected final void checkShape(String method, String what, FloatMatrix m, int rows, int columns) {
        if (m == null) {
            throw new IllegalArgumentException(this + "." + method + ": " + what + " is null, expected "
                    + rows + "x" + columns);
        }
        if (m.rows != rows || m.columns != columns) {
            throw new IllegalArgumentException(this + "." + method + ": " + what + " is " + shape(m)
                    + ", expected " + rows + "x" + columns + " (batch x features)");
        }
    }

    static String shape(FloatMatrix m) {
        return m.rows + "x" + m.columns;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + " " + name + " (" + inputSize + "->" + outputSize + ", batch " + batch + ")";
    }
}

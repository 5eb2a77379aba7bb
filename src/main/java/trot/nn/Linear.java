package trot.nn;

import trot.util.Rng;
import org.jblas.FloatMatrix;
import trot.blas.Blas;
import trot.blas.Products;

import java.util.List;

/**
 * Fully connected layer: {@code Y = X W + 1 b^T}, with {@code X} batch x in, {@code W} in x out, {@code b} out.
 *
 * <p>{@code W} is stored in x out column-major, which is byte for byte PyTorch's {@code nn.Linear.weight}
 * (out x in, row-major). Initialisation: Xavier-uniform, {@code W ~ U(-a, a)} with
 * {@code a = sqrt(6 / (in + out))}; {@code b = 0}.
 *
 * <p>Backward: {@code dW += X^T dY}, {@code db += dY^T 1}, {@code dX = dY W^T}.
 * One-column cases (batch 1, or a single output) use BLAS level 2 instead of gemm.
 */
public final class Linear extends Layer {
    public final Param weight;
    public final Param bias;
    /** A column of ones, batch x 1: {@code db += dY^T 1} as one gemv. */
    private final FloatMatrix ones;
    /** Who computes the level-3 products (OpenBLAS unless {@link #setProducts} says otherwise). */
    private Products products = Products.FP32;

    /** A new layer with Xavier-uniform weights drawn from {@code init} and zero bias. */
    public Linear(String name, int inputSize, int outputSize, int batch, Rng init) {
        super(name, inputSize, outputSize, batch);
        this.weight = new Param(name + ".weight", inputSize, outputSize);
        this.bias = new Param(name + ".bias", outputSize, 1);
        xavierUniform(weight.value, inputSize, outputSize, init);
        this.ones = FloatMatrix.ones(batch, 1);
    }

    private Linear(Linear shared, int batch) {
        super(shared.name, shared.inputSize, shared.outputSize, batch);
        this.weight = shared.weight;
        this.bias = shared.bias;
        this.ones = FloatMatrix.ones(batch, 1);
        this.products = shared.products;
    }

    /**
     * Chooses who computes this layer's gemm products (forward {@code X W}, backward {@code X^T dY} and
     * {@code dY W^T}); the one-column products stay on OpenBLAS. Set it before training, not during an update.
     */
    public void setProducts(Products products) {
        this.products = java.util.Objects.requireNonNull(products, "products");
    }

    /** Who computes this layer's gemm products. */
    public Products products() {
        return products;
    }

    /** Fills {@code w} with U(-a, a), {@code a = sqrt(6 / (fanIn + fanOut))} (Glorot and Bengio, 2010). */
    public static void xavierUniform(FloatMatrix w, int fanIn, int fanOut, Rng rng) {
        float a = (float) Math.sqrt(6.0 / (fanIn + fanOut));
        rng.fillUniform(w.data, 0, w.length, -a, a);
    }

    @Override
    protected void forwardImpl(FloatMatrix x, FloatMatrix y) {
        if (batch == 1) {
            Blas.gemv(true, 1f, weight.value, x, 0f, y);          // y = W^T x
        } else if (outputSize == 1) {
            Blas.gemv(false, 1f, x, weight.value, 0f, y);         // y = X w
        } else {
            Blas.gemm(products, false, false, 1f, x, weight.value, 0f, y);  // Y = X W
        }
        final float[] yd = y.data, bd = bias.value.data;
        final int n = batch;
        for (int o = 0; o < outputSize; o++) {
            final float bo = bd[o];
            final int base = o * n;
            for (int i = base; i < base + n; i++) {
                yd[i] += bo;
            }
        }
    }

    @Override
    protected void backwardImpl(FloatMatrix dy, boolean paramGrads, FloatMatrix dx) {
        final FloatMatrix x = input;
        if (paramGrads) {
            if (outputSize == 1) {
                Blas.gemv(true, 1f, x, dy, 1f, weight.grad);              // dw += X^T dy
            } else {
                Blas.gemm(products, true, false, 1f, x, dy, 1f, weight.grad);       // dW += X^T dY
            }
            if (batch == 1) {
                Blas.axpy(1f, dy, bias.grad);                              // db += dy
            } else {
                Blas.gemv(true, 1f, dy, ones, 1f, bias.grad);             // db += dY^T 1
            }
        }
        if (dx != null) {
            if (batch == 1) {
                Blas.gemv(false, 1f, weight.value, dy, 0f, dx);           // dx = W dy
            } else {
                Blas.gemm(products, false, true, 1f, dy, weight.value, 0f, dx);     // dX = dY W^T
            }
        }
    }

    @Override
    public List<Param> params() {
        return List.of(weight, bias);
    }

    @Override
    public Linear withBatch(int batch) {
        return new Linear(this, batch);
    }
}

package trot.nn;

import org.jblas.FloatMatrix;
import trot.blas.Blas;

import java.util.List;

/**
 * Layer normalisation over the features of each sample (Ba, Kiros and Hinton, 2016):
 * <pre>
 *   mu_b = mean_f x_bf,   var_b = mean_f (x_bf - mu_b)^2   (biased, as PyTorch)
 *   xhat_bf = (x_bf - mu_b) / sqrt(var_b + eps)
 *   y_bf = gain_f * xhat_bf + bias_f
 * </pre>
 * Backward, with {@code g_bf = dy_bf * gain_f} and {@code rstd_b = 1 / sqrt(var_b + eps)}:
 * <pre>
 *   dx_bf = rstd_b * (g_bf - mean_f g_bf - xhat_bf * mean_f (g_bf * xhat_bf))
 *   dgain_f += sum_b dy_bf * xhat_bf,   dbias_f += sum_b dy_bf
 * </pre>
 * Forward saves {@code xhat} (batch x features) and {@code rstd} (batch). Gain starts at 1, bias at 0.
 * The loops run in C when {@code native/build/libtrotnn.so} is loaded ({@link NativeKernels}: 2-3x faster,
 * bitwise the same results but for the summation order of the parameter gradients), in Java otherwise.
 * Default {@code eps = 1e-5}, PyTorch's.
 */
public final class LayerNorm extends Layer {
    public static final float DEFAULT_EPS = 1e-5f;

    public final Param gain;
    public final Param bias;
    public final float eps;
    /** The C kernels of native/trotnn.c ({@link NativeKernels}), or the Java loops below. */
    private final boolean nativeKernels;
    private final FloatMatrix xhat;
    /** Per sample: mean, then reused as the mean of g in backward. */
    private final float[] mean;
    /** Per sample: 1 / sqrt(var + eps). */
    private final float[] rstd;
    /** Per sample scratch: the variance in forward, the mean of g * xhat in backward. */
    private final float[] scratch;
    private final FloatMatrix ones;
    /** Batch-sized staging for one column at a time (see the comment above forwardImpl). */
    private final float[] col0, col1, col2;

    public LayerNorm(String name, int size, int batch, float eps) {
        this(name, size, batch, eps, NativeKernels.AVAILABLE);
    }

    /** Which loops LayerNorm runs in this JVM: the C kernels (their library file and where it came from), or the
     *  Java loops and why. */
    public static String kernels() {
        return NativeKernels.DESCRIPTION;
    }

    /** As the public constructor, choosing the C kernels or the Java loops explicitly (tests compare the two). */
    LayerNorm(String name, int size, int batch, float eps, boolean nativeKernels) {
        super(name, size, size, batch);
        if (nativeKernels && !NativeKernels.AVAILABLE) {
            throw new IllegalStateException("LayerNorm " + name + ": " + NativeKernels.DESCRIPTION);
        }
        this.nativeKernels = nativeKernels;
        if (!(eps > 0f) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException("LayerNorm " + name + ": eps must be a positive number, got " + eps);
        }
        this.eps = eps;
        this.gain = new Param(name + ".gain", size, 1);
        this.bias = new Param(name + ".bias", size, 1);
        java.util.Arrays.fill(gain.value.data, 1f);
        this.xhat = new FloatMatrix(batch, size);
        this.mean = new float[batch];
        this.rstd = new float[batch];
        this.scratch = new float[batch];
        this.ones = FloatMatrix.ones(batch, 1);
        this.col0 = new float[batch];
        this.col1 = new float[batch];
        this.col2 = new float[batch];
    }

    private LayerNorm(LayerNorm shared, int batch) {
        super(shared.name, shared.inputSize, shared.outputSize, batch);
        this.nativeKernels = shared.nativeKernels;
        this.eps = shared.eps;
        this.gain = shared.gain;
        this.bias = shared.bias;
        this.xhat = new FloatMatrix(batch, inputSize);
        this.mean = new float[batch];
        this.rstd = new float[batch];
        this.scratch = new float[batch];
        this.ones = FloatMatrix.ones(batch, 1);
        this.col0 = new float[batch];
        this.col1 = new float[batch];
        this.col2 = new float[batch];
    }

    // Per-sample vectors (mean, rstd, ...) are indexed by the sample b, the matrix by j * batch + b. C2
    // vectorises a loop only when it can rule out that a store hits what another index reads, which it cannot
    // for two arrays indexed differently (they might be the same array). So every column is first staged in a
    // batch-sized scratch array: System.arraycopy plus a vectorised loop is 2-3x faster than the scalar loop.

    /** Whether this layer runs libtrotnn.so's kernels (the fused block needs them). */
    boolean usesNativeKernels() {
        return nativeKernels;
    }

    FloatMatrix normalized() {
        return xhat;
    }

    float[] sampleMeans() {
        return mean;
    }

    float[] sampleInverseStd() {
        return rstd;
    }

    @Override
    protected void forwardImpl(FloatMatrix x, FloatMatrix y) {
        if (nativeKernels) {
            NativeKernels.layerNormForward(x.data, y.data, xhat.data, gain.value.data, bias.value.data, batch,
                    inputSize, eps, mean, rstd);
            return;
        }
        final int n = batch, f = inputSize;
        final float[] xd = x.data, yd = y.data, hd = xhat.data, mu = mean, var = scratch, rs = rstd;
        final float[] c0 = col0, c1 = col1, c2 = col2;
        final float[] g = gain.value.data, be = bias.value.data;
        // Mean and variance in one pass over the columns (Welford's update, vectorised over the samples):
        // mu_j = mu_{j-1} + (x_j - mu_{j-1}) / j,  M_j = M_{j-1} + (x_j - mu_{j-1}) (x_j - mu_j),  var = M_f / f.
        java.util.Arrays.fill(mu, 0f);
        java.util.Arrays.fill(var, 0f);
        for (int j = 0; j < f; j++) {
            System.arraycopy(xd, j * n, c0, 0, n);
            final float w = 1f / (j + 1);
            for (int b = 0; b < n; b++) {
                final float d = c0[b] - mu[b];
                mu[b] += d * w;
                var[b] += d * (c0[b] - mu[b]);
            }
        }
        final float invF = 1f / f;
        for (int b = 0; b < n; b++) {
            rs[b] = (float) (1.0 / Math.sqrt(var[b] * invF + eps));
        }
        for (int j = 0; j < f; j++) {
            System.arraycopy(xd, j * n, c0, 0, n);
            final float gj = g[j], bj = be[j];
            for (int b = 0; b < n; b++) {
                final float h = (c0[b] - mu[b]) * rs[b];
                c1[b] = h;
                c2[b] = h * gj + bj;
            }
            System.arraycopy(c1, 0, hd, j * n, n);
            System.arraycopy(c2, 0, yd, j * n, n);
        }
    }

    @Override
    protected void backwardImpl(FloatMatrix dy, boolean paramGrads, FloatMatrix dx) {
        if (nativeKernels) {
            NativeKernels.layerNormBackward(dy.data, xhat.data, gain.value.data, rstd, batch, inputSize,
                    paramGrads ? gain.grad.data : null, paramGrads ? bias.grad.data : null, dx == null ? null : dx.data);
            return;
        }
        final int n = batch, f = inputSize;
        final float[] dyd = dy.data, hd = xhat.data, g = gain.value.data;
        if (paramGrads) {
            // dgain += (dy * xhat)^T 1, staged in gradInput (dx overwrites it below); dbias += dy^T 1.
            final float[] t = gradInput.data;
            for (int i = 0, len = dy.length; i < len; i++) {
                t[i] = dyd[i] * hd[i];
            }
            Blas.gemv(true, 1f, gradInput, ones, 1f, gain.grad);
            Blas.gemv(true, 1f, dy, ones, 1f, bias.grad);
        }
        if (dx == null) {
            return;
        }
        final float[] mg = mean, mgh = scratch, rs = rstd, dxd = dx.data, c0 = col0, c1 = col1, c2 = col2;
        java.util.Arrays.fill(mg, 0f);
        java.util.Arrays.fill(mgh, 0f);
        for (int j = 0; j < f; j++) {
            System.arraycopy(dyd, j * n, c0, 0, n);
            System.arraycopy(hd, j * n, c1, 0, n);
            final float gj = g[j];
            for (int b = 0; b < n; b++) {
                final float gb = c0[b] * gj;
                mg[b] += gb;
                mgh[b] += gb * c1[b];
            }
        }
        final float invF = 1f / f;
        for (int b = 0; b < n; b++) {
            mg[b] *= invF;
            mgh[b] *= invF;
        }
        for (int j = 0; j < f; j++) {
            System.arraycopy(dyd, j * n, c0, 0, n);
            System.arraycopy(hd, j * n, c1, 0, n);
            final float gj = g[j];
            for (int b = 0; b < n; b++) {
                c2[b] = rs[b] * (c0[b] * gj - mg[b] - c1[b] * mgh[b]);
            }
            System.arraycopy(c2, 0, dxd, j * n, n);
        }
    }

    @Override
    public List<Param> params() {
        return List.of(gain, bias);
    }

    @Override
    public LayerNorm withBatch(int batch) {
        return new LayerNorm(this, batch);
    }

    @Override
    public String toString() {
        return "LayerNorm " + name + " (" + inputSize + ", eps " + eps + ", batch " + batch + ")";
    }
}

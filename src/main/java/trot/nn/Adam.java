package trot.nn;

import java.util.List;

/**
 * Adam (Kingma and Ba, 2015) with bias correction, as PyTorch computes it:
 * <pre>
 *   t += 1
 *   m = beta1 m + (1 - beta1) g
 *   v = beta2 v + (1 - beta2) g^2
 *   p -= (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Moment buffers are allocated once here, one pair per parameter; {@link #step} allocates nothing.
 */
public final class Adam {
    private final Param[] params;
    private final float[][] m;
    private final float[][] v;
    private float lr;
    private final float beta1;
    private final float beta2;
    private final float eps;
    private long t;

    /**
     * @throws IllegalArgumentException for a non-positive learning rate, betas outside [0, 1), a non-positive eps,
     *                                  or a parameter listed twice
     */
    public Adam(List<Param> params, float lr, float beta1, float beta2, float eps) {
        if (!(lr > 0f) || Float.isInfinite(lr)) {
            throw new IllegalArgumentException("Adam: learning rate must be positive, got " + lr);
        }
        if (!(beta1 >= 0f && beta1 < 1f) || !(beta2 >= 0f && beta2 < 1f)) {
            throw new IllegalArgumentException("Adam: betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps > 0f)) {
            throw new IllegalArgumentException("Adam: eps must be positive, got " + eps);
        }
        this.params = params.toArray(new Param[0]);
        for (int i = 0; i < this.params.length; i++) {
            for (int j = 0; j < i; j++) {
                if (this.params[i] == this.params[j]) {
                    throw new IllegalArgumentException("Adam: parameter " + this.params[i].name + " is listed twice");
                }
            }
        }
        this.m = new float[this.params.length][];
        this.v = new float[this.params.length][];
        for (int i = 0; i < this.params.length; i++) {
            m[i] = new float[this.params[i].size()];
            v[i] = new float[this.params[i].size()];
        }
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    /** Adam with PyTorch's defaults: betas (0.9, 0.999), eps 1e-8. */
    public Adam(List<Param> params, float lr) {
        this(params, lr, 0.9f, 0.999f, 1e-8f);
    }

    /** One update of every parameter from its current gradient (gradients are left as they are). */
    public void step() {
        t++;
        final double bc1 = 1.0 - Math.pow(beta1, t);
        final double bc2 = 1.0 - Math.pow(beta2, t);
        final float stepSize = (float) (lr / bc1);
        final float invBc2Sqrt = (float) (1.0 / Math.sqrt(bc2));
        final float b1 = beta1, b2 = beta2, c1 = 1f - beta1, c2 = 1f - beta2, e = eps;
        for (int k = 0; k < params.length; k++) {
            final float[] p = params[k].value.data, g = params[k].grad.data, mk = m[k], vk = v[k];
            for (int i = 0, n = p.length; i < n; i++) {
                final float gi = g[i];
                final float mi = b1 * mk[i] + c1 * gi;
                final float vi = b2 * vk[i] + c2 * gi * gi;
                mk[i] = mi;
                vk[i] = vi;
                p[i] -= stepSize * mi / ((float) Math.sqrt(vi) * invBc2Sqrt + e);
            }
        }
    }

    /** Sets every gradient this optimiser updates to zero. */
    public void zeroGrad() {
        for (Param p : params) {
            p.zeroGrad();
        }
    }

    /** Number of steps taken. */
    public long steps() {
        return t;
    }

    /**
     * Sets the step count, for a restore from a snapshot (with the moments, written through {@link #firstMoment}
     * and {@link #secondMoment}): the bias corrections of the next step then continue where they were.
     *
     * @throws IllegalArgumentException for a negative count
     */
    public void restoreSteps(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("Adam: the step count must not be negative, got " + steps);
        }
        this.t = steps;
    }

    /** Number of parameters (and of moment pairs). */
    public int size() {
        return params.length;
    }

    public float learningRate() {
        return lr;
    }

    public void setLearningRate(float lr) {
        if (!(lr > 0f) || Float.isInfinite(lr)) {
            throw new IllegalArgumentException("Adam: learning rate must be positive, got " + lr);
        }
        this.lr = lr;
    }

    /** First moment of parameter {@code k} (in the order given to the constructor); for checkpoints and tests. */
    public float[] firstMoment(int k) {
        return m[k];
    }

    /** Second moment of parameter {@code k}; for checkpoints and tests. */
    public float[] secondMoment(int k) {
        return v[k];
    }
}

package trot.nn;

import org.jblas.FloatMatrix;

/**
 * The squashed Gaussian policy head of SAC (Haarnoja et al. 2018, appendix C), for a fixed batch.
 *
 * <p>Input: the policy network's output, batch x 2A; columns {@code [0, A)} are the means {@code mu},
 * columns {@code [A, 2A)} the raw log standard deviations. Forward with noise {@code eps} (batch x A):
 * <pre>
 *   ls    = clip(raw, -20, 2),   sigma = exp(ls)
 *   u     = mu + sigma * eps                      (reparameterisation)
 *   a     = tanh(u)
 *   log pi(a|s) = sum_i [ -eps_i^2 / 2 - ls_i - log(2 pi) / 2 ] - sum_i log(1 - tanh(u_i)^2)
 *   log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2u)) = 2 (log 2 - |u| - log(1 + exp(-2|u|)))
 * </pre>
 * The last line is the stable form of the tanh change-of-variables correction: {@code 1 - tanh(u)^2}
 * rounds to 0 in float for |u| above about 9, and its logarithm to minus infinity; this form stays finite.
 * (Classic trap: forgetting the correction makes the entropy term, and with it the temperature, wrong.)
 *
 * <p>Backward, given {@code dL/da} and {@code dL/dlogpi} (either may be {@code null} for zero):
 * <pre>
 *   dL/du   = dL/da * (1 - a^2) + dL/dlogpi * 2 a        (d(-log(1 - tanh^2 u))/du = 2 tanh u)
 *   dL/dmu  = dL/du
 *   dL/draw = (dL/du * sigma * eps - dL/dlogpi) * [-20 <= raw <= 2]
 * </pre>
 * (The Gaussian term {@code -(u - mu)^2 / (2 sigma^2)} equals {@code -eps^2/2} for every {@code mu, sigma}
 * at fixed noise, so its total derivative is zero.) The deterministic action for evaluation is {@code tanh(mu)}.
 */
public final class TanhGaussianHead {
    public static final float LOG_STD_MIN = -20f;
    public static final float LOG_STD_MAX = 2f;
    private static final double HALF_LOG_2PI = 0.5 * Math.log(2.0 * Math.PI);
    private static final double LOG_2 = Math.log(2.0);

    private final int actionSize;
    private final int batch;
    private final FloatMatrix action;      // batch x A
    private final FloatMatrix logProb;     // batch x 1
    private final FloatMatrix gradInput;   // batch x 2A
    private final FloatMatrix sigmaEps;    // batch x A: u - mu, saved for backward
    private FloatMatrix input;
    private boolean sampled;

    public TanhGaussianHead(int actionSize, int batch) {
        if (actionSize <= 0 || batch <= 0) {
            throw new IllegalArgumentException("TanhGaussianHead: action size and batch must be positive, got "
                    + actionSize + " and " + batch);
        }
        this.actionSize = actionSize;
        this.batch = batch;
        this.action = new FloatMatrix(batch, actionSize);
        this.logProb = new FloatMatrix(batch, 1);
        this.gradInput = new FloatMatrix(batch, 2 * actionSize);
        this.sigmaEps = new FloatMatrix(batch, actionSize);
    }

    /**
     * Samples {@code a = tanh(mu + sigma * eps)} and its log-probability into {@link #action()} and {@link #logProb()}.
     *
     * @param netOut batch x 2A: means, then raw log standard deviations
     * @param noise  batch x A standard normal noise {@code eps}
     */
    public void sample(FloatMatrix netOut, FloatMatrix noise) {
        checkInput("sample", netOut);
        check("sample", "noise", noise, batch, actionSize);
        if (noise.data == action.data || noise.data == logProb.data || noise.data == gradInput.data
                || noise.data == sigmaEps.data) {
            throw new IllegalArgumentException(this + ".sample: the noise aliases one of the head's own buffers");
        }
        final int n = batch, na = actionSize;
        final float[] in = netOut.data, eps = noise.data, a = action.data, lp = logProb.data, se = sigmaEps.data;
        java.util.Arrays.fill(lp, 0f);
        for (int i = 0; i < na; i++) {
            final int muBase = i * n, lsBase = (na + i) * n;
            for (int b = 0; b < n; b++) {
                final float raw = in[lsBase + b];
                final float ls = Math.min(Math.max(raw, LOG_STD_MIN), LOG_STD_MAX);
                final float e = eps[muBase + b];
                final float s = (float) Math.exp(ls) * e;
                final float u = in[muBase + b] + s;
                final double au = Math.abs((double) u);
                final double em = Math.exp(-2.0 * au);
                final double t = (1.0 - em) / (1.0 + em);
                a[muBase + b] = (float) (u < 0f ? -t : t);
                se[muBase + b] = s;
                final double corr = 2.0 * (LOG_2 - au - Math.log(1.0 + em));
                lp[b] += (float) (-0.5 * e * e - ls - HALF_LOG_2PI - corr);
            }
        }
        input = netOut;
        sampled = true;
    }

    /** The deterministic (evaluation) action {@code tanh(mu)} into {@link #action()}; no log-probability. */
    public void mean(FloatMatrix netOut) {
        checkInput("mean", netOut);
        final float[] in = netOut.data, a = action.data;
        for (int k = 0, len = batch * actionSize; k < len; k++) {
            a[k] = (float) Math.tanh(in[k]);
        }
        sampled = false;
    }

    /**
     * Back-propagates to the network output.
     *
     * @param dAction  dL/da, batch x A, or {@code null}
     * @param dLogProb dL/dlog pi, batch x 1, or {@code null}
     * @return {@link #gradInput()}, batch x 2A
     */
    public FloatMatrix backward(FloatMatrix dAction, FloatMatrix dLogProb) {
        if (!sampled) {
            throw new IllegalStateException(this + ".backward needs a preceding sample()");
        }
        if (dAction != null) {
            check("backward", "dAction", dAction, batch, actionSize);
        }
        if (dLogProb != null) {
            check("backward", "dLogProb", dLogProb, batch, 1);
        }
        final int n = batch, na = actionSize;
        final float[] in = input.data, a = action.data, se = sigmaEps.data, g = gradInput.data;
        final float[] da = dAction == null ? null : dAction.data;
        final float[] dl = dLogProb == null ? null : dLogProb.data;
        for (int i = 0; i < na; i++) {
            final int muBase = i * n, lsBase = (na + i) * n;
            for (int b = 0; b < n; b++) {
                final float ai = a[muBase + b];
                final float dlp = dl == null ? 0f : dl[b];
                float gu = 2f * ai * dlp;
                if (da != null) {
                    gu += da[muBase + b] * (1f - ai * ai);
                }
                g[muBase + b] = gu;
                final float raw = in[lsBase + b];
                g[lsBase + b] = (raw >= LOG_STD_MIN && raw <= LOG_STD_MAX) ? gu * se[muBase + b] - dlp : 0f;
            }
        }
        return gradInput;
    }

    private void checkInput(String method, FloatMatrix netOut) {
        check(method, "network output", netOut, batch, 2 * actionSize);
        if (netOut.data == action.data || netOut.data == gradInput.data || netOut.data == logProb.data
                || netOut.data == sigmaEps.data) {
            throw new IllegalArgumentException(this + "." + method + ": the network output aliases one of the head's own buffers");
        }
    }

    private void check(String method, String what, FloatMatrix m, int rows, int columns) {
        if (m == null || m.rows != rows || m.columns != columns) {
            throw new IllegalArgumentException(this + "." + method + ": " + what + " is "
                    + (m == null ? "null" : Layer.shape(m)) + ", expected " + rows + "x" + columns);
        }
    }

    /** Batch x A: the last sampled or deterministic action, in [-1, 1]. */
    public FloatMatrix action() {
        return action;
    }

    /** Batch x 1: log pi(a|s) of the last sample. */
    public FloatMatrix logProb() {
        return logProb;
    }

    public FloatMatrix gradInput() {
        return gradInput;
    }

    public int actionSize() {
        return actionSize;
    }

    public int batchSize() {
        return batch;
    }

    @Override
    public String toString() {
        return "TanhGaussianHead (" + actionSize + " actions, batch " + batch + ")";
    }
}

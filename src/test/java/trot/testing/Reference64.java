package trot.testing;

/**
 * A plain double-precision reference of the engine's forward computations, written as directly as possible
 * from the formulas (no BLAS, no shared code with trot.nn), for finite-difference gradient checks.
 *
 * <p>Layout matches trot's: a batch x features activation is a flat column-major array, element (b, j) at
 * {@code b + batch * j}; a Linear weight is in x out, element (i, o) at {@code i + in * o}.
 */
public final class Reference64 {
    private Reference64() {
    }

    public static double[] linear(double[] x, int batch, int in, double[] w, double[] bias, int out) {
        double[] y = new double[batch * out];
        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < out; o++) {
                double s = bias[o];
                for (int i = 0; i < in; i++) {
                    s += x[b + batch * i] * w[i + in * o];
                }
                y[b + batch * o] = s;
            }
        }
        return y;
    }

    public static double[] relu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] > 0 ? x[i] : 0;
        }
        return y;
    }

    public static double[] layerNorm(double[] x, int batch, int n, double[] gain, double[] bias, double eps) {
        double[] y = new double[x.length];
        for (int b = 0; b < batch; b++) {
            double mean = 0;
            for (int j = 0; j < n; j++) {
                mean += x[b + batch * j];
            }
            mean /= n;
            double var = 0;
            for (int j = 0; j < n; j++) {
                double d = x[b + batch * j] - mean;
                var += d * d;
            }
            var /= n;
            for (int j = 0; j < n; j++) {
                y[b + batch * j] = (x[b + batch * j] - mean) / Math.sqrt(var + eps) * gain[j] + bias[j];
            }
        }
        return y;
    }

    public static double[] dropout(double[] x, double[] keep, double rate) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * keep[i] / (1 - rate);
        }
        return y;
    }

    /**
     * The tanh-Gaussian head, naively: Gaussian log-density of u, minus log(1 - tanh(u)^2) computed directly
     * (fine in double for |u| below about 15).
     *
     * @return {action (batch x A), logp (batch)}
     */
    public static double[][] tanhGaussian(double[] netOut, double[] noise, int batch, int nAct) {
        double[] a = new double[batch * nAct];
        double[] logp = new double[batch];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < nAct; i++) {
                double mu = netOut[b + batch * i];
                double ls = Math.min(Math.max(netOut[b + batch * (nAct + i)], -20), 2);
                double sigma = Math.exp(ls);
                double u = mu + sigma * noise[b + batch * i];
                double t = Math.tanh(u);
                a[b + batch * i] = t;
                double z = (u - mu) / sigma;
                logp[b] += -0.5 * z * z - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI) - Math.log(1 - t * t);
            }
        }
        return new double[][]{a, logp};
    }

    public static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** A scalar function of several flat tensors (inputs and parameters). */
    @FunctionalInterface
    public interface Loss {
        double of(double[][] tensors);
    }

    /**
     * Central finite differences of {@code loss} with respect to every element of every tensor:
     * {@code (L(t + h) - L(t - h)) / 2h}, with {@code h} scaled to the element's magnitude.
     */
    public static double[][] numericGradients(Loss loss, double[][] tensors) {
        double[][] g = new double[tensors.length][];
        for (int k = 0; k < tensors.length; k++) {
            g[k] = new double[tensors[k].length];
            for (int i = 0; i < tensors[k].length; i++) {
                double v = tensors[k][i];
                double h = 1e-6 * Math.max(1, Math.abs(v));
                tensors[k][i] = v + h;
                double up = loss.of(tensors);
                tensors[k][i] = v - h;
                double down = loss.of(tensors);
                tensors[k][i] = v;
                g[k][i] = (up - down) / (2 * h);
            }
        }
        return g;
    }
}

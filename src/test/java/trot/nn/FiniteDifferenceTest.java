package trot.nn;

import trot.util.Rng;
import org.jblas.FloatMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import trot.testing.Reference64;

import java.util.ArrayList;
import java.util.List;

import static trot.testing.Compare.close;
import static trot.testing.Reference64.dot;
import static trot.testing.Reference64.toDouble;

/**
 * Gradient checks on small shapes: the float32 engine's backward against central finite differences of
 * {@link Reference64}, an independent double-precision forward. The loss is {@code sum(y * r)} for a random
 * {@code r}, so backward receives {@code dy = r}. Tolerance {@link #TOL} (relative to the largest gradient)
 * covers float32 rounding in the engine (seen: up to 3e-7); finite differences in double are good to about 1e-9.
 */
class FiniteDifferenceTest {
    static final double TOL = 1e-5;
    static final int B = 4;

    final Rng rng = new Rng(12345);

    FloatMatrix random(int rows, int cols, float scale) {
        FloatMatrix m = new FloatMatrix(rows, cols);
        for (int i = 0; i < m.length; i++) {
            m.data[i] = (float) (scale * rng.nextGaussian());
        }
        return m;
    }

    /** Random values kept at least {@code gap} away from zero (ReLU's kink). */
    FloatMatrix awayFromZero(int rows, int cols, float gap) {
        FloatMatrix m = random(rows, cols, 1f);
        for (int i = 0; i < m.length; i++) {
            if (Math.abs(m.data[i]) < gap) {
                m.data[i] = m.data[i] < 0 ? -gap : gap;
            }
        }
        return m;
    }

    static void randomize(Param p, Rng rng, float scale, float offset) {
        for (int i = 0; i < p.size(); i++) {
            p.value.data[i] = offset + (float) (scale * rng.nextGaussian());
        }
    }

    static void check(String what, double[] numeric, FloatMatrix analytic) {
        float[] n = new float[numeric.length];
        for (int i = 0; i < n.length; i++) {
            n[i] = (float) numeric[i];
        }
        close(what, analytic.data, n, analytic.rows, TOL);
    }

    @Test
    void linear() {
        Linear lin = new Linear("fc", 5, 3, B, rng);
        randomize(lin.bias, rng, 0.5f, 0f);
        FloatMatrix x = random(B, 5, 1f), r = random(B, 3, 1f);
        FloatMatrix y = lin.forward(x);
        double[] rr = toDouble(r.data);
        Reference64.Loss loss = t -> dot(Reference64.linear(t[0], B, 5, t[1], t[2], 3), rr);
        double[][] t = {toDouble(x.data), toDouble(lin.weight.value.data), toDouble(lin.bias.value.data)};
        check("linear.y", Reference64.linear(t[0], B, 5, t[1], t[2], 3), y);
        FloatMatrix dx = lin.backward(r);
        double[][] g = Reference64.numericGradients(loss, t);
        check("linear.dx", g[0], dx);
        check("linear.dweight", g[1], lin.weight.grad);
        check("linear.dbias", g[2], lin.bias.grad);
    }

    @Test
    void relu() {
        Relu relu = new Relu("relu", 6, B);
        FloatMatrix x = awayFromZero(B, 6, 1e-3f), r = random(B, 6, 1f);
        relu.forward(x);
        double[] rr = toDouble(r.data);
        double[][] t = {toDouble(x.data)};
        check("relu.dx", Reference64.numericGradients(tt -> dot(Reference64.relu(tt[0]), rr), t)[0], relu.backward(r));
    }

    @ParameterizedTest
    @ValueSource(floats = {1e-5f, 1e-1f})
    void layerNorm(float eps) {
        LayerNorm ln = new LayerNorm("ln", 6, B, eps);
        randomize(ln.gain, rng, 0.3f, 1f);
        randomize(ln.bias, rng, 0.3f, 0f);
        FloatMatrix x = random(B, 6, 2f), r = random(B, 6, 1f);
        for (int i = 0; i < x.length; i++) {
            x.data[i] += 1.5f;
        }
        FloatMatrix y = ln.forward(x);
        double[] rr = toDouble(r.data);
        double[][] t = {toDouble(x.data), toDouble(ln.gain.value.data), toDouble(ln.bias.value.data)};
        check("layernorm.y", Reference64.layerNorm(t[0], B, 6, t[1], t[2], eps), y);
        Reference64.Loss loss = tt -> dot(Reference64.layerNorm(tt[0], B, 6, tt[1], tt[2], eps), rr);
        FloatMatrix dx = ln.backward(r);
        double[][] g = Reference64.numericGradients(loss, t);
        check("layernorm.dx (eps " + eps + ")", g[0], dx);
        check("layernorm.dgain", g[1], ln.gain.grad);
        check("layernorm.dbias", g[2], ln.bias.grad);
    }

    @Test
    void dropoutWithFixedMask() {
        FloatMatrix keep = new FloatMatrix(B, 6);
        for (int i = 0; i < keep.length; i++) {
            keep.data[i] = i % 3 == 1 ? 0f : 1f;
        }
        Dropout d = new Dropout("drop", 6, B, 0.3f, MaskSource.fixed(keep));
        FloatMatrix x = random(B, 6, 1f), r = random(B, 6, 1f);
        FloatMatrix y = d.forward(x);
        double[] rr = toDouble(r.data), kk = toDouble(keep.data);
        double[][] t = {toDouble(x.data)};
        check("dropout.y", Reference64.dropout(t[0], kk, 0.3f), y);
        check("dropout.dx", Reference64.numericGradients(tt -> dot(Reference64.dropout(tt[0], kk, 0.3f), rr), t)[0],
                d.backward(r));
    }

    @Test
    void tanhGaussianHead() {
        int nAct = 3;
        TanhGaussianHead head = new TanhGaussianHead(nAct, B);
        FloatMatrix netOut = random(B, 2 * nAct, 1f);
        netOut.put(0, nAct, 2.7f);      // clipped at the top: no gradient
        netOut.put(1, nAct + 1, -23f);  // clipped at the bottom: no gradient
        FloatMatrix noise = random(B, nAct, 1f);
        FloatMatrix ra = random(B, nAct, 1f), rl = random(B, 1, 1f);
        head.sample(netOut, noise);
        double[] nz = toDouble(noise.data), raa = toDouble(ra.data), rll = toDouble(rl.data);
        double[][] t = {toDouble(netOut.data)};
        double[][] ref = Reference64.tanhGaussian(t[0], nz, B, nAct);
        check("head.action", ref[0], head.action());
        check("head.logp", ref[1], head.logProb());
        Reference64.Loss loss = tt -> {
            double[][] o = Reference64.tanhGaussian(tt[0], nz, B, nAct);
            return dot(o[0], raa) + dot(o[1], rll);
        };
        check("head.dnetout", Reference64.numericGradients(loss, t)[0], head.backward(ra, rl));
    }

    /** The reference forward of an Mlp: params in Mlp.params() order. */
    static double[] mlpForward(Mlp.Spec s, double[] x, double[][] p, int pOffset, double[][] keeps) {
        int k = pOffset, width = s.input();
        double[] h = x;
        int[] hidden = s.hidden();
        for (int i = 0; i < hidden.length; i++) {
            h = Reference64.linear(h, B, width, p[k++], p[k++], hidden[i]);
            if (s.dropoutRate() > 0) {
                h = Reference64.dropout(h, keeps[i], s.dropoutRate());
            }
            if (s.layerNorm()) {
                h = Reference64.layerNorm(h, B, hidden[i], p[k++], p[k++], s.layerNormEps());
            }
            h = Reference64.relu(h);
            width = hidden[i];
        }
        return Reference64.linear(h, B, width, p[k++], p[k], s.output());
    }

    @ParameterizedTest
    @ValueSource(strings = {"droq", "plain"})
    void composedMlp(String kind) {
        Mlp.Spec spec = kind.equals("droq") ? Mlp.Spec.dropoutLayerNorm(5, new int[]{7, 6}, 2, 0.2f)
                : Mlp.Spec.plain(5, new int[]{7, 6}, 2);
        Mlp mlp = new Mlp(spec, B, rng, MaskSource.geometric(rng));
        for (Param p : mlp.params()) {
            if (!p.name.endsWith(".weight")) {
                randomize(p, rng, 0.2f, p.name.endsWith(".gain") ? 1f : 0f);
            }
        }
        double[][] keeps = new double[2][];
        int di = 0;
        for (Layer l : mlp.layers()) {
            if (l instanceof Dropout) {
                FloatMatrix keep = new FloatMatrix(B, l.inputSize());
                for (int i = 0; i < keep.length; i++) {
                    keep.data[i] = (i * 7 + di) % 5 == 0 ? 0f : 1f;
                }
                ((Dropout) l).setMaskSource(MaskSource.fixed(keep));
                keeps[di++] = toDouble(keep.data);
            }
        }
        FloatMatrix x = random(B, 5, 1f), r = random(B, 2, 1f);
        FloatMatrix y = mlp.forward(x);
        List<double[]> tl = new ArrayList<>();
        tl.add(toDouble(x.data));
        for (Param p : mlp.params()) {
            tl.add(toDouble(p.value.data));
        }
        double[][] t = tl.toArray(new double[0][]);
        double[] rr = toDouble(r.data);
        check(kind + ".y", mlpForward(spec, t[0], t, 1, keeps), y);
        FloatMatrix dx = mlp.backward(r, true, true);
        double[][] g = Reference64.numericGradients(tt -> dot(mlpForward(spec, tt[0], tt, 1, keeps), rr), t);
        check(kind + ".dx", g[0], dx);
        int k = 1;
        for (Param p : mlp.params()) {
            check(kind + ".d" + p.name, g[k++], p.grad);
        }
    }

    @Test
    void policyThroughHeadToParameters() {
        int nAct = 2;
        TanhGaussianPolicy pi = new TanhGaussianPolicy(4, nAct, new int[]{6}, B, rng, rng.split());
        FloatMatrix obs = random(B, 4, 1f), noise = random(B, nAct, 1f);
        FloatMatrix ra = random(B, nAct, 1f), rl = random(B, 1, 1f);
        pi.sample(obs, noise);
        pi.backward(ra, rl);
        Mlp.Spec spec = pi.network().spec();
        List<double[]> tl = new ArrayList<>();
        for (Param p : pi.params()) {
            tl.add(toDouble(p.value.data));
        }
        double[][] t = tl.toArray(new double[0][]);
        double[] ob = toDouble(obs.data), nz = toDouble(noise.data), raa = toDouble(ra.data), rll = toDouble(rl.data);
        Reference64.Loss loss = tt -> {
            double[][] o = Reference64.tanhGaussian(mlpForward(spec, ob, tt, 0, null), nz, B, nAct);
            return dot(o[0], raa) + dot(o[1], rll);
        };
        double[][] g = Reference64.numericGradients(loss, t);
        int k = 0;
        for (Param p : pi.params()) {
            check("policy.d" + p.name, g[k++], p.grad);
        }
    }
}

package trot.nn;

import trot.util.Rng;
import org.jblas.FloatMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import trot.testing.Fixture;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static trot.testing.Compare.close;

/**
 * Every layer, the policy head, the paper-sized critic and actor MLPs and Adam, against PyTorch
 * (fixtures from reference/make_fixtures.py, computed in float64 and stored as float32).
 *
 * <p>Tolerances are maximum absolute error relative to the tensor's largest reference magnitude:
 * {@link #FWD} for outputs, {@link #GRAD} for gradients, {@link #ADAM} for updated parameters. The worst
 * errors seen on the native and the stock backend are 1e-7 to 8e-7 (float32 accumulation over up to 256 terms;
 * LayerNorm's backward subtracts nearly equal means), so each tolerance leaves a margin of about ten.
 */
class ReferenceFixturesTest {
    static final double FWD = 1e-5;
    static final double GRAD = 1e-5;
    static final double ADAM = 1e-5;

    static void load(Param p, FloatMatrix value) {
        assertEquals(p.value.rows, value.rows, p.name + " rows");
        assertEquals(p.value.columns, value.columns, p.name + " columns");
        System.arraycopy(value.data, 0, p.value.data, 0, value.length);
    }

    /** Loads a trot.nn.Mlp's parameters from fixture tensors named {@code prefix + param name}. */
    static void loadParams(Fixture f, String prefix, List<Param> params) {
        for (Param p : params) {
            String key = prefix + p.name;
            load(p, p.name.endsWith(".weight") ? f.linearWeight(key) : f.matrix(key));
        }
    }

    /** Gives every dropout layer of {@code net} the fixture's keep mask {@code prefix + i}; there must be two. */
    static void fixMasks(Fixture f, String prefix, Mlp net) {
        int i = 0;
        for (Layer l : net.layers()) {
            if (l instanceof Dropout) {
                ((Dropout) l).setMaskSource(MaskSource.fixed(f.matrix(prefix + i++)));
            }
        }
        assertEquals(2, i, "dropout layers");
    }

    static void compareGrads(Fixture f, String prefix, List<Param> params) {
        for (Param p : params) {
            String key = prefix + p.name;
            close(key, p.grad, p.name.endsWith(".weight") ? f.linearWeight(key) : f.matrix(key), GRAD);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "paper", "out1", "batch1"})
    void linear(String c) {
        Fixture f = Fixture.load("linear.bin");
        FloatMatrix x = f.matrix(c + ".x");
        FloatMatrix w = f.linearWeight(c + ".weight");
        Linear lin = new Linear("fc", w.rows, w.columns, x.rows, new Rng(1));
        load(lin.weight, w);
        load(lin.bias, f.matrix(c + ".bias"));
        close(c + ".y", lin.forward(x), f.matrix(c + ".y"), FWD);
        close(c + ".dx", lin.backward(f.matrix(c + ".dy")), f.matrix(c + ".dx"), GRAD);
        close(c + ".dweight", lin.weight.grad, f.linearWeight(c + ".dweight"), GRAD);
        close(c + ".dbias", lin.bias.grad, f.matrix(c + ".dbias"), GRAD);
    }

    @Test
    void relu() {
        Fixture f = Fixture.load("relu.bin");
        FloatMatrix x = f.matrix("x");
        Relu relu = new Relu("relu", x.columns, x.rows);
        close("relu.y", relu.forward(x), f.matrix("y"), 0);
        close("relu.dx", relu.backward(f.matrix("dy")), f.matrix("dx"), 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "paper"})
    void layerNorm(String c) {
        Fixture f = Fixture.load("layernorm.bin");
        FloatMatrix x = f.matrix(c + ".x");
        LayerNorm ln = new LayerNorm("ln", x.columns, x.rows, f.scalar(c + ".eps"));
        load(ln.gain, f.matrix(c + ".gain"));
        load(ln.bias, f.matrix(c + ".bias"));
        close(c + ".y", ln.forward(x), f.matrix(c + ".y"), FWD);
        close(c + ".dx", ln.backward(f.matrix(c + ".dy")), f.matrix(c + ".dx"), GRAD);
        close(c + ".dgain", ln.gain.grad, f.matrix(c + ".dgain"), GRAD);
        close(c + ".dbias", ln.bias.grad, f.matrix(c + ".dbias"), GRAD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "paper"})
    void dropout(String c) {
        Fixture f = Fixture.load("dropout.bin");
        FloatMatrix x = f.matrix(c + ".x");
        FloatMatrix keep = f.matrix(c + ".keep");
        Dropout d = new Dropout("drop", x.columns, x.rows, f.scalar(c + ".rate"), MaskSource.fixed(keep));
        close(c + ".y", d.forward(x), f.matrix(c + ".y"), FWD);
        close(c + ".dx", d.backward(f.matrix(c + ".dy")), f.matrix(c + ".dx"), FWD);
        FloatMatrix last = new FloatMatrix(x.rows, x.columns);
        d.lastMask(last);
        close(c + ".mask", last, keep, 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "paper"})
    void tanhGaussianHead(String c) {
        Fixture f = Fixture.load("tanh_gaussian.bin");
        FloatMatrix netOut = f.matrix(c + ".netout");
        FloatMatrix noise = f.matrix(c + ".noise");
        TanhGaussianHead head = new TanhGaussianHead(noise.columns, noise.rows);
        head.sample(netOut, noise);
        close(c + ".action", head.action(), f.matrix(c + ".action"), FWD);
        close(c + ".logp", head.logProb(), f.matrix(c + ".logp"), FWD);
        close(c + ".dnetout", head.backward(f.matrix(c + ".daction"), f.matrix(c + ".dlogp")),
                f.matrix(c + ".dnetout"), GRAD);
        head.mean(netOut);
        close(c + ".mean_action", head.action(), f.matrix(c + ".mean_action"), FWD);
    }

    @Test
    void mse() {
        Fixture f = Fixture.load("mse.bin");
        FloatMatrix p = f.matrix("prediction");
        FloatMatrix g = new FloatMatrix(p.rows, p.columns);
        float loss = Mse.lossAndGradient(p, f.matrix("target"), g);
        close("mse.loss", new float[]{loss}, new float[]{f.scalar("loss")}, 1, FWD);
        close("mse.dprediction", g, f.matrix("dprediction"), FWD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"droq", "plain"})
    void criticMlp(String c) {
        Fixture f = Fixture.load("critic.bin");
        boolean droq = c.equals("droq");
        Mlp.Spec spec = droq ? Mlp.Spec.dropoutLayerNorm(60, new int[]{256, 256}, 1, 0.01f)
                : Mlp.Spec.plain(60, new int[]{256, 256}, 1);
        Mlp critic = new Mlp(spec, 256, new Rng(1), MaskSource.geometric(new Rng(2)));
        loadParams(f, c + ".", critic.params());
        if (droq) {
            fixMasks(f, c + ".keep", critic);
        }
        close(c + ".y", critic.forward(f.matrix(c + ".x")), f.matrix(c + ".y"), FWD);
        close(c + ".dx", critic.backward(f.matrix(c + ".dy"), true, true), f.matrix(c + ".dx"), GRAD);
        compareGrads(f, c + ".grad.", critic.params());
    }

    @Test
    void actorMlpWithHead() {
        Fixture f = Fixture.load("actor.bin");
        TanhGaussianPolicy pi = new TanhGaussianPolicy(48, 12, new int[]{256, 256}, 256, new Rng(1), new Rng(2));
        loadParams(f, "", pi.params());
        pi.sample(f.matrix("obs"), f.matrix("noise"));
        close("actor.action", pi.action(), f.matrix("action"), FWD);
        close("actor.logp", pi.logProb(), f.matrix("logp"), FWD);
        pi.backward(f.matrix("daction"), f.matrix("dlogp"));
        compareGrads(f, "grad.", pi.params());
        pi.deterministic(f.matrix("obs"));
        close("actor.mean_action", pi.action(), f.matrix("mean_action"), FWD);

        TanhGaussianPolicy acting = pi.withBatch(1, new Rng(3));
        acting.deterministic(f.matrix("obs1"));
        close("actor.mean_action1 (batch-1 instance)", acting.action(), f.matrix("mean_action1"), FWD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "custom"})
    void adam(String c) {
        Fixture f = Fixture.load("adam.bin");
        float[] h = f.values(c + ".hyper");
        Param p0 = new Param("p0", 64 * 60, 1);
        Param p1 = new Param("p1", 64, 1);
        System.arraycopy(f.values(c + ".init.p0"), 0, p0.value.data, 0, p0.size());
        System.arraycopy(f.values(c + ".init.p1"), 0, p1.value.data, 0, p1.size());
        Adam adam = new Adam(List.of(p0, p1), h[0], h[1], h[2], h[3]);
        for (int t = 1; t <= 5; t++) {
            System.arraycopy(f.values(c + ".grad" + t + ".p0"), 0, p0.grad.data, 0, p0.size());
            System.arraycopy(f.values(c + ".grad" + t + ".p1"), 0, p1.grad.data, 0, p1.size());
            adam.step();
            close(c + ".value" + t + ".p0", p0.value.data, f.values(c + ".value" + t + ".p0"), p0.size(), ADAM);
            close(c + ".value" + t + ".p1", p1.value.data, f.values(c + ".value" + t + ".p1"), p1.size(), ADAM);
        }
        assertEquals(5, adam.steps());
    }

    @Test
    void polyak() {
        Fixture f = Fixture.load("polyak.bin");
        Param target = new Param("w", 256, 60);
        Param source = new Param("w", 256, 60);
        load(target, f.matrix("target"));
        load(source, f.matrix("source"));
        Polyak.update(List.of(target), List.of(source), f.scalar("tau"));
        close("polyak.result", target.value, f.matrix("result"), FWD);
    }

    /**
     * Three complete critic updates (dropout masks, LayerNorm, MSE, Adam). Adam normalises each update, so a
     * gradient element so close to zero that float32 rounding flips its sign would move its parameter the
     * other way by up to 2 lr; none does in this fixture, and the tolerance would catch one (a flip on a bias
     * that has moved 3 lr from zero is an error of about 0.7 of max|bias|).
     */
    @Test
    void criticTrainingSteps() {
        Fixture f = Fixture.load("critic_train.bin");
        Mlp critic = new Mlp(Mlp.Spec.dropoutLayerNorm(60, new int[]{256, 256}, 1, 0.01f), 256, new Rng(1),
                MaskSource.geometric(new Rng(2)));
        loadParams(f, "init.", critic.params());
        Adam adam = new Adam(critic.params(), 3e-4f);
        Dropout[] drops = {(Dropout) critic.layers()[1], (Dropout) critic.layers()[5]};
        FloatMatrix grad = new FloatMatrix(256, 1);
        for (int t = 1; t <= 3; t++) {
            drops[0].setMaskSource(MaskSource.fixed(f.matrix("keep" + t + ".0")));
            drops[1].setMaskSource(MaskSource.fixed(f.matrix("keep" + t + ".1")));
            adam.zeroGrad();
            float loss = Mse.lossAndGradient(critic.forward(f.matrix("x" + t)), f.matrix("target" + t), grad);
            critic.backward(grad, true, false);
            adam.step();
            close("loss" + t, new float[]{loss}, new float[]{f.scalar("loss" + t)}, 1, FWD);
            for (Param p : critic.params()) {
                String key = "after" + t + "." + p.name;
                FloatMatrix ref = p.name.endsWith(".weight") ? f.linearWeight(key) : f.matrix(key);
                close(key, p.value, ref, ADAM);
            }
        }
    }
}

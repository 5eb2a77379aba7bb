package trot.bench;

import org.jblas.FloatMatrix;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import trot.blas.BlasBackend;
import trot.nn.Adam;
import trot.nn.Dropout;
import trot.nn.Relu;
import trot.nn.LayerNorm;
import trot.nn.Linear;
import trot.nn.MaskSource;
import trot.nn.Mlp;
import trot.nn.Mse;
import trot.util.Rng;
import trot.nn.TanhGaussianPolicy;

import java.util.concurrent.TimeUnit;

/**
 * The numeric engine's hot paths at the paper's sizes (batch 256, hidden 256). Sample-time mode, so the
 * report has medians (p0.50); run with {@code -prof gc} to see allocation per operation.
 * Which BLAS backs the run is decided when the JVM starts: see ./bench.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EngineBenchmarks {

    static FloatMatrix random(Rng rng, int rows, int cols) {
        FloatMatrix m = new FloatMatrix(rows, cols);
        rng.fillGaussian(m.data, 0, m.length);
        return m;
    }

    /**
     * Does nothing: its gc.alloc.rate is the measurement JVM's background allocation (JMH's own threads), which
     * -prof gc spreads over every benchmark's operations. A benchmark whose rate equals this one allocates nothing.
     */
    @Benchmark
    public int baseline(MaskState s) {
        return s.dropped.length;
    }

    /** One Linear layer at batch 256: 60 -> 256 (the critic's first layer) or 256 -> 256. */
    @State(Scope.Thread)
    public static class LinearState {
        @Param({"60", "256"})
        public int in;
        Linear linear;
        FloatMatrix x, dy;

        @Setup(Level.Trial)
        public void setup() {
            System.err.println("# BLAS backend: " + BlasBackend.describe());
            Rng rng = new Rng(1);
            linear = new Linear("fc", in, 256, 256, rng);
            x = random(rng, 256, in);
            dy = random(rng, 256, 256);
            linear.forward(x);
        }
    }

    @Benchmark
    public FloatMatrix linearForward(LinearState s) {
        return s.linear.forward(s.x);
    }

    /** Weight, bias and input gradients (the forward is done once in setup and its saved input reused). */
    @Benchmark
    public FloatMatrix linearBackward(LinearState s) {
        return s.linear.backward(s.dy, true, true);
    }

    /** LayerNorm over 256 features at batch 256. */
    @State(Scope.Thread)
    public static class LayerNormState {
        LayerNorm ln;
        FloatMatrix x, dy;

        @Setup(Level.Trial)
        public void setup() {
            Rng rng = new Rng(2);
            ln = new LayerNorm("ln", 256, 256, LayerNorm.DEFAULT_EPS);
            x = random(rng, 256, 256);
            dy = random(rng, 256, 256);
            ln.forward(x);
        }
    }

    @Benchmark
    public FloatMatrix layerNormForward(LayerNormState s) {
        return s.ln.forward(s.x);
    }

    @Benchmark
    public FloatMatrix layerNormBackward(LayerNormState s) {
        return s.ln.backward(s.dy, true, true);
    }

    /** ReLU and dropout (rate 0.01) over 256 x 256 activations. */
    @State(Scope.Thread)
    public static class ElementwiseState {
        Relu relu;
        Dropout dropout;
        FloatMatrix x, dy;

        @Setup(Level.Trial)
        public void setup() {
            Rng rng = new Rng(6);
            relu = new Relu("relu", 256, 256);
            dropout = new Dropout("drop", 256, 256, 0.01f, MaskSource.geometric(rng.split()));
            x = random(rng, 256, 256);
            dy = random(rng, 256, 256);
            relu.forward(x);
            dropout.forward(x);
        }
    }

    @Benchmark
    public FloatMatrix reluForward(ElementwiseState s) {
        return s.relu.forward(s.x);
    }

    @Benchmark
    public FloatMatrix reluBackward(ElementwiseState s) {
        return s.relu.backward(s.dy, true, true);
    }

    /** Includes drawing the mask. */
    @Benchmark
    public FloatMatrix dropoutForward(ElementwiseState s) {
        return s.dropout.forward(s.x);
    }

    @Benchmark
    public FloatMatrix dropoutBackward(ElementwiseState s) {
        return s.dropout.backward(s.dy, true, true);
    }

    /** A 1% dropout mask over 256 x 256 activations, drawn by geometric skipping. */
    @State(Scope.Thread)
    public static class MaskState {
        MaskSource masks = MaskSource.geometric(new Rng(3));
        int[] dropped = new int[256 * 256];
    }

    @Benchmark
    public int dropoutMask(MaskState s) {
        return s.masks.drop(0.01f, 256, 256, s.dropped);
    }

    /** The critic, 60 -> 256 -> 256 -> 1 at batch 256: DroQ's (dropout 0.01, LayerNorm) or plain. */
    @State(Scope.Thread)
    public static class CriticState {
        @Param({"droq", "plain"})
        public String kind;
        /** Dropout -> LayerNorm -> ReLU as one native kernel (the default) or layer by layer: the same bits. */
        @Param({"true", "false"})
        public boolean fused;
        /** Who computes the products: fp32 (OpenBLAS), fp32-onednn or bf16. */
        @Param({"fp32"})
        public String precision;
        Mlp critic;
        Adam adam;
        FloatMatrix x, y, grad;

        @Setup(Level.Trial)
        public void setup() {
            Rng rng = new Rng(4);
            Mlp.Spec spec = kind.equals("droq") ? Mlp.Spec.dropoutLayerNorm(60, new int[]{256, 256}, 1, 0.01f)
                    : Mlp.Spec.plain(60, new int[]{256, 256}, 1);
            critic = new Mlp(spec, 256, rng, MaskSource.geometric(rng.split()));
            critic.setFused(fused);
            critic.setProducts(trot.blas.Products.parse(precision));
            adam = new Adam(critic.params(), 3e-4f);
            x = random(rng, 256, 60);
            y = random(rng, 256, 1);
            grad = new FloatMatrix(256, 1);
        }
    }

    /** Forward, MSE and backward to the parameter gradients (no input gradient, as in a critic update). */
    @Benchmark
    public float criticForwardBackward(CriticState s) {
        float loss = Mse.lossAndGradient(s.critic.forward(s.x), s.y, s.grad);
        s.critic.backward(s.grad, true, false);
        return loss;
    }

    /** Adam on the critic's 82k parameters. */
    @Benchmark
    public Object adamStep(CriticState s) {
        s.adam.step();
        return s.adam;
    }

    /** A whole critic update: zero gradients, forward, MSE, backward, Adam. */
    @Benchmark
    public float criticForwardBackwardAdam(CriticState s) {
        s.adam.zeroGrad();
        float loss = Mse.lossAndGradient(s.critic.forward(s.x), s.y, s.grad);
        s.critic.backward(s.grad, true, false);
        s.adam.step();
        return loss;
    }

    /** The actor, 48 -> 256 -> 256 -> 24 + tanh-Gaussian head (12 actions), batch 256, and the batch-1 copy. */
    @State(Scope.Thread)
    public static class ActorState {
        TanhGaussianPolicy pi, acting;
        Adam adam;
        FloatMatrix obs, obs1, da, dl;

        @Setup(Level.Trial)
        public void setup() {
            Rng rng = new Rng(5);
            pi = new TanhGaussianPolicy(48, 12, new int[]{256, 256}, 256, rng, rng.split());
            acting = pi.withBatch(1, rng.split());
            adam = new Adam(pi.params(), 3e-4f);
            obs = random(rng, 256, 48);
            obs1 = random(rng, 1, 48);
            da = random(rng, 256, 12);
            dl = random(rng, 256, 1);
        }
    }

    /** A whole actor update: zero gradients, sample with fresh noise, backward through the head, Adam. */
    @Benchmark
    public FloatMatrix actorSampleBackwardAdam(ActorState s) {
        s.adam.zeroGrad();
        s.pi.sample(s.obs);
        s.pi.backward(s.da, s.dl);
        s.adam.step();
        return s.pi.logProb();
    }

    /** Batch-1 stochastic action: 48 -> 256 -> 256 -> 24, noise, squash. */
    @Benchmark
    public FloatMatrix actStochastic(ActorState s) {
        s.acting.sample(s.obs1);
        return s.acting.action();
    }

    /** Batch-1 deterministic (evaluation) action. */
    @Benchmark
    public FloatMatrix actDeterministic(ActorState s) {
        s.acting.deterministic(s.obs1);
        return s.acting.action();
    }
}

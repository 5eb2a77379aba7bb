package trot.nn;

import trot.util.Rng;
import org.jblas.FloatMatrix;

import java.util.List;

/**
 * The SAC actor: an MLP from observations to {@code (mu, raw log sigma)}, followed by a {@link TanhGaussianHead}.
 * Built for a fixed batch; {@link #withBatch} makes an instance for another batch (acting uses batch 1)
 * that shares the parameters.
 */
public final class TanhGaussianPolicy {
    private final Mlp net;
    private final TanhGaussianHead head;
    private final FloatMatrix noise;
    private final Rng noiseRng;

    /**
     * @param hidden   hidden widths (the paper: 256, 256), ReLU blocks without dropout or LayerNorm
     * @param init     draws the initial weights
     * @param noiseRng draws the reparameterisation noise of {@link #sample(FloatMatrix)}
     */
    public TanhGaussianPolicy(int observationSize, int actionSize, int[] hidden, int batch, Rng init, Rng noiseRng) {
        this(new Mlp(Mlp.Spec.plain(observationSize, hidden, 2 * actionSize), batch, init,
                MaskSource.geometric(new Rng(0))), actionSize, noiseRng);
    }

    private TanhGaussianPolicy(Mlp net, int actionSize, Rng noiseRng) {
        if (noiseRng == null) {
            throw new IllegalArgumentException("TanhGaussianPolicy: noise generator is null");
        }
        this.net = net;
        this.head = new TanhGaussianHead(actionSize, net.batchSize());
        this.noise = new FloatMatrix(net.batchSize(), actionSize);
        this.noiseRng = noiseRng;
    }

    /** The same policy (shared parameters) for another batch size, drawing noise from {@code noiseRng}. */
    public TanhGaussianPolicy withBatch(int batch, Rng noiseRng) {
        return new TanhGaussianPolicy(net.withBatch(batch), head.actionSize(), noiseRng);
    }

    /** {@code a ~ pi(.|s)} with noise from this policy's own generator; results in {@link #action()}, {@link #logProb()}. */
    public void sample(FloatMatrix observations) {
        noiseRng.fillGaussian(noise.data, 0, noise.length);
        head.sample(net.forward(observations), noise);
    }

    /** {@code a = tanh(mu + sigma * noise)} with caller-supplied standard normal noise (batch x A). */
    public void sample(FloatMatrix observations, FloatMatrix noise) {
        head.sample(net.forward(observations), noise);
    }

    /** The deterministic action {@code tanh(mu(s))} for evaluation, into {@link #action()}. */
    public void deterministic(FloatMatrix observations) {
        head.mean(net.forward(observations));
    }

    /**
     * Back-propagates {@code dL/da} and {@code dL/dlog pi} of the last sample into the parameter gradients.
     * Either may be {@code null} (zero).
     */
    public void backward(FloatMatrix dAction, FloatMatrix dLogProb) {
        net.backward(head.backward(dAction, dLogProb), true, false);
    }

    /**
     * {@link #backward(FloatMatrix, FloatMatrix)} with each layer's weight gradient beside the input gradient it
     * passes down ({@link Mlp#backwardForked}): the same bits, a shorter serial path when {@code fork} runs two
     * threads.
     */
    public void backward(FloatMatrix dAction, FloatMatrix dLogProb, Mlp.Fork fork) {
        net.backwardForked(head.backward(dAction, dLogProb), fork);
    }

    public FloatMatrix action() {
        return head.action();
    }

    public FloatMatrix logProb() {
        return head.logProb();
    }

    /** The noise used by the last {@link #sample(FloatMatrix)}. */
    public FloatMatrix lastNoise() {
        return noise;
    }

    public List<Param> params() {
        return net.params();
    }

    public Mlp network() {
        return net;
    }

    public TanhGaussianHead head() {
        return head;
    }

    public int observationSize() {
        return net.inputSize();
    }

    public int actionSize() {
        return head.actionSize();
    }

    public int batchSize() {
        return net.batchSize();
    }
}

package trot.nn;

import org.jblas.FloatMatrix;
import org.junit.jupiter.api.Test;
import trot.util.Rng;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mlp.backwardForked (the actor's backward, each layer's dW beside its dX) gives backward's parameter gradients bit
 * for bit, whatever the fork does: both jobs in order, in reverse order, or on two threads at once; for the plain
 * policy network and for a DroQ critic (whose fused blocks stay on the chain); and it forks once per Linear layer
 * that passes a gradient down.
 */
class BackwardForkedTest {

    static final Mlp.Fork IN_ORDER = (a, b) -> { a.run(); b.run(); };
    static final Mlp.Fork REVERSED = (a, b) -> { b.run(); a.run(); };
    static final Mlp.Fork THREADS = (a, b) -> {
        CompletableFuture<Void> other = CompletableFuture.runAsync(b);
        a.run();
        other.join();
    };

    static List<float[]> gradients(Mlp.Spec spec, int batch, Mlp.Fork fork) {
        Mlp net = new Mlp(spec, batch, new Rng(5), MaskSource.geometric(new Rng(6)));
        Rng data = new Rng(7);
        List<float[]> out = new ArrayList<>();
        for (int round = 0; round < 2; round++) {           // gradients accumulate over both rounds
            FloatMatrix x = new FloatMatrix(batch, spec.input()), dy = new FloatMatrix(batch, spec.output());
            data.fillGaussian(x.data, 0, x.length);
            data.fillGaussian(dy.data, 0, dy.length);
            net.forward(x);
            if (fork == null) {
                net.backward(dy, true, false);
            } else {
                net.backwardForked(dy, fork);
            }
        }
        for (Param p : net.params()) {
            out.add(p.grad.data.clone());
        }
        return out;
    }

    @Test
    void forkedBackwardGivesTheSameGradientsWhateverTheFork() {
        Mlp.Spec[] specs = {Mlp.Spec.plain(48, new int[]{256, 256}, 24),
                Mlp.Spec.dropoutLayerNorm(60, new int[]{64, 32}, 1, 0.1f), Mlp.Spec.plain(8, new int[0], 3)};
        for (Mlp.Spec spec : specs) {
            for (int batch : new int[]{256, 5, 1}) {
                List<float[]> reference = gradients(spec, batch, null);
                for (Mlp.Fork fork : new Mlp.Fork[]{IN_ORDER, REVERSED, THREADS}) {
                    List<float[]> forked = gradients(spec, batch, fork);
                    for (int k = 0; k < reference.size(); k++) {
                        assertArrayEquals(reference.get(k), forked.get(k), spec + ", batch " + batch + ": gradient " + k);
                    }
                    boolean nonZero = false;
                    for (float v : forked.get(0)) {
                        nonZero |= v != 0f;
                    }
                    assertTrue(nonZero, "the first weight gradient was computed");
                }
            }
        }
    }

    @Test
    void itForksOncePerLinearLayerThatPassesAGradientDown() {
        Mlp net = new Mlp(Mlp.Spec.plain(4, new int[]{8, 8}, 2), 3, new Rng(1), MaskSource.geometric(new Rng(2)));
        net.forward(new FloatMatrix(3, 4));
        int[] forks = {0};
        net.backwardForked(new FloatMatrix(3, 2), (a, b) -> { forks[0]++; a.run(); b.run(); });
        assertEquals(2, forks[0], "fc2 and fc1 fork; fc0 has no input gradient to pass down");
    }

    @Test
    void forkedBackwardAfterInferenceIsRefused() {
        Mlp net = new Mlp(Mlp.Spec.dropoutLayerNorm(6, new int[]{8}, 1, 0.1f), 4, new Rng(1),
                MaskSource.geometric(new Rng(2)));
        org.junit.jupiter.api.Assumptions.assumeTrue(net.fused(), "inference keeps no activations only when fused");
        net.forwardInference(new FloatMatrix(4, 6));
        assertThrows(IllegalStateException.class, () -> net.backwardForked(new FloatMatrix(4, 1), IN_ORDER));
    }
}

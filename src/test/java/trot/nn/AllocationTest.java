package trot.nn;

import trot.util.Rng;
import org.jblas.FloatMatrix;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import trot.testing.Allocations;

import java.lang.management.ManagementFactory;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hot paths allocate nothing on the Java heap once warmed up, measured with the JVM's per-thread
 * allocation counter (com.sun.management.ThreadMXBean) over windows of calls ({@link Allocations}: a one-off
 * allocation by the JIT does not count, an allocation per call does). Sizes are the paper's.
 */
class AllocationTest {
    static final int WARMUP = 300;
    static final int MEASURED = 50;
    static com.sun.management.ThreadMXBean threads;

    @BeforeAll
    static void counter() {
        threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported(), "this JVM cannot count allocated bytes per thread");
        threads.setThreadAllocatedMemoryEnabled(true);
    }

    /** The fewest bytes a window of {@link #MEASURED} calls allocates after warm-up (see {@link Allocations}). */
    static long allocatedBytes(Runnable step) {
        long[] w = Allocations.windows(step, WARMUP, MEASURED, 4);
        long min = java.util.Arrays.stream(w).min().orElseThrow();
        if (min != 0) {
            System.out.println("  " + Allocations.describe(w, MEASURED));
        }
        return min;
    }

    static FloatMatrix random(Rng rng, int rows, int cols) {
        FloatMatrix m = new FloatMatrix(rows, cols);
        rng.fillGaussian(m.data, 0, m.length);
        return m;
    }

    @Test
    void theCounterSeesAnAllocation() {
        Object[] sink = new Object[1];
        long bytes = allocatedBytes(() -> sink[0] = new float[1000]);
        assertTrue(bytes >= MEASURED * 4000L, "the allocation counter missed " + MEASURED + " arrays: " + bytes + " bytes");
    }

    @Test
    void droqCriticForwardBackwardAdamAllocatesNothing() {
        Rng rng = new Rng(1);
        Mlp critic = new Mlp(Mlp.Spec.dropoutLayerNorm(60, new int[]{256, 256}, 1, 0.01f), 256, rng,
                MaskSource.geometric(rng.split()));
        Mlp target = new Mlp(critic.spec(), 256, rng, MaskSource.geometric(rng.split()));
        Adam adam = new Adam(critic.params(), 3e-4f);
        FloatMatrix x = random(rng, 256, 60), y = random(rng, 256, 1), grad = new FloatMatrix(256, 1);
        long bytes = allocatedBytes(() -> {
            adam.zeroGrad();
            Mse.lossAndGradient(critic.forward(x), y, grad);
            critic.backward(grad, true, false);
            adam.step();
            Polyak.update(target.params(), critic.params(), 0.005f);
        });
        assertEquals(0, bytes, "bytes allocated by " + MEASURED + " critic updates");
    }

    @Test
    void policySampleBackwardAdamAllocatesNothing() {
        Rng rng = new Rng(2);
        TanhGaussianPolicy pi = new TanhGaussianPolicy(48, 12, new int[]{256, 256}, 256, rng, rng.split());
        Adam adam = new Adam(pi.params(), 3e-4f);
        FloatMatrix obs = random(rng, 256, 48), da = random(rng, 256, 12), dl = random(rng, 256, 1);
        long bytes = allocatedBytes(() -> {
            adam.zeroGrad();
            pi.sample(obs);
            pi.backward(da, dl);
            adam.step();
        });
        assertEquals(0, bytes, "bytes allocated by " + MEASURED + " policy updates");
    }

    @Test
    void batchOneActionAllocatesNothing() {
        Rng rng = new Rng(3);
        TanhGaussianPolicy pi = new TanhGaussianPolicy(48, 12, new int[]{256, 256}, 256, rng, rng.split());
        TanhGaussianPolicy acting = pi.withBatch(1, rng.split());
        FloatMatrix obs = random(rng, 1, 48);
        long bytes = allocatedBytes(() -> {
            acting.sample(obs);
            acting.deterministic(obs);
        });
        assertEquals(0, bytes, "bytes allocated by " + MEASURED + " batch-1 actions");
    }

    @Test
    void criticInputGradientOnlyAllocatesNothing() {
        Rng rng = new Rng(4);
        Mlp critic = new Mlp(Mlp.Spec.dropoutLayerNorm(60, new int[]{256, 256}, 1, 0.01f), 256, rng,
                MaskSource.geometric(rng.split()));
        FloatMatrix x = random(rng, 256, 60), dy = random(rng, 256, 1);
        List<Param> ps = critic.params();
        long bytes = allocatedBytes(() -> {
            critic.forward(x);
            critic.backward(dy, false, true);
        });
        assertEquals(0, bytes, "bytes allocated by " + MEASURED + " input-gradient passes");
        for (Param p : ps) {
            for (float g : p.grad.data) {
                assertEquals(0f, g, p.name + ": backward without parameter gradients still accumulated some");
            }
        }
    }
}

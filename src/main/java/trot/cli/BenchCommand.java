package trot.cli;

import org.jblas.FloatMatrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import trot.blas.BlasBackend;
import trot.nn.Adam;
import trot.nn.MaskSource;
import trot.nn.Mlp;
import trot.nn.Mse;
import trot.util.Rng;
import trot.nn.TanhGaussianPolicy;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * Times the numeric engine's units of learning work at the paper's sizes on this machine: one critic
 * update (forward, MSE, backward, Adam) of the DroQ critic, one actor update, one batch-1 action.
 * A quick check of a machine; the JMH suite (./bench) is the reference measurement.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time one critic update, one actor update and one action at the paper's sizes",
                "(observation 48, action 12, hidden 256x2, batch 256), and the heap they allocate."})
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--iterations", defaultValue = "300", description = "Timed repetitions of each unit (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--warmup", defaultValue = "300", description = "Untimed repetitions first, for the JIT (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--blas-threads", defaultValue = "1", description = "OpenBLAS threads, native backend only (default ${DEFAULT-VALUE}).")
    int blasThreads;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for weights, data and noise (default ${DEFAULT-VALUE}).")
    long seed;

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Override
    public Integer call() {
        if (iterations < 1 || warmup < 0) {
            System.err.println("trot bench: --iterations must be at least 1 and --warmup at least 0 (got "
                    + iterations + " and " + warmup + ")");
            return 2;
        }
        if (blasThreads < 1) {
            System.err.println("trot bench: --blas-threads must be at least 1 (got " + blasThreads + ")");
            return 2;
        }
        BlasBackend.setThreads(blasThreads);
        System.out.println(BlasBackend.describe());
        Rng rng = new Rng(seed);
        final int obs = 48, act = 12, batch = 256;
        final int[] hidden = {256, 256};

        Mlp critic = new Mlp(Mlp.Spec.dropoutLayerNorm(obs + act, hidden, 1, 0.01f), batch, rng,
                MaskSource.geometric(rng.split()));
        Adam criticAdam = new Adam(critic.params(), 3e-4f);
        FloatMatrix x = gaussian(rng, batch, obs + act), y = gaussian(rng, batch, 1), dq = new FloatMatrix(batch, 1);
        Runnable criticUpdate = () -> {
            criticAdam.zeroGrad();
            Mse.lossAndGradient(critic.forward(x), y, dq);
            critic.backward(dq, true, false);
            criticAdam.step();
        };

        TanhGaussianPolicy pi = new TanhGaussianPolicy(obs, act, hidden, batch, rng, rng.split());
        Adam actorAdam = new Adam(pi.params(), 3e-4f);
        FloatMatrix s = gaussian(rng, batch, obs), da = gaussian(rng, batch, act), dl = gaussian(rng, batch, 1);
        Runnable actorUpdate = () -> {
            actorAdam.zeroGrad();
            pi.sample(s);
            pi.backward(da, dl);
            actorAdam.step();
        };

        TanhGaussianPolicy acting = pi.withBatch(1, rng.split());
        FloatMatrix s1 = gaussian(rng, 1, obs);
        Runnable action = () -> acting.sample(s1);

        System.out.printf("%-46s %12s %12s %14s%n", "unit (median of " + iterations + ")", "median", "p90", "heap B/call");
        report("DroQ critic update (60-256-256-1, batch 256)", criticUpdate);
        report("actor update (48-256-256-24 + tanh-Gaussian)", actorUpdate);
        report("batch-1 stochastic action", action);
        return 0;
    }

    private void report(String name, Runnable unit) {
        for (int i = 0; i < warmup; i++) {
            unit.run();
        }
        long[] ns = new long[iterations];
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            unit.run();
            ns[i] = System.nanoTime() - t0;
        }
        long bytes = threads.getCurrentThreadAllocatedBytes() - before;
        Arrays.sort(ns);
        System.out.printf("%-46s %12s %12s %14.1f%n", name, format(ns[ns.length / 2]), format(ns[(int) (ns.length * 0.9)]),
                (double) bytes / iterations);
    }

    private static String format(long ns) {
        return ns >= 1_000_000 ? String.format("%.3f ms", ns / 1e6) : String.format("%.1f us", ns / 1e3);
    }

    private static FloatMatrix gaussian(Rng rng, int rows, int cols) {
        FloatMatrix m = new FloatMatrix(rows, cols);
        rng.fillGaussian(m.data, 0, m.length);
        return m;
    }
}

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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import trot.agent.Learner;
import trot.agent.LearnerConfig;
import trot.blas.Blas;
import trot.blas.Onednn;
import trot.blas.Products;
import trot.replay.ReplayBuffer;
import trot.util.Rng;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The bound a preset's update is measured against: the matrix products of one update alone, at the update's own
 * shapes, on both cores at once, with nothing else (no elementwise work, no optimiser, no handoffs, operands that
 * stay in each core's cache).
 *
 * <p>How: the setup runs one real {@link Learner#update} of the preset (the sizes of {@link LearnerBenchmarks})
 * with a {@link Blas.ProductListener} and keeps the list of every gemm and gemv it called, in order. The
 * benchmark method then replays that whole list on each of two threads at once ({@code @Threads(2)}, one stream
 * per core), each product through {@code backend}:
 * <ul>
 *   <li>{@code openblas}: OpenBLAS's sgemm and sgemv (trot's default products);</li>
 *   <li>{@code onednn}: oneDNN's f32 matmul for every gemm with m, n, k &gt;= {@link Blas#ONEDNN_MIN_SIZE}, OpenBLAS
 *       for the rest (what {@code precision=fp32-onednn} computes);</li>
 *   <li>{@code best}: for each distinct shape, whichever of the two was faster in a calibration at setup.</li>
 * </ul>
 * A sample is one thread's replay of one update's products while the other core replays its own, so the update's
 * products split over two cores take (sample time) / 2: that is the bound. {@code Main} (./bench) prints each
 * preset's update time over it. Method and tables: docs/benchmarks.md.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(2)
public class BoundBenchmarks {

    /** One recorded product: {@code C (m x n) = op(A) op(B)}, inner size k. */
    record Product(boolean gemv, boolean transA, boolean transB, int m, int n, int k) {
        double flops() {
            return 2.0 * m * n * k;
        }
    }

    /** The products of one update of each preset, recorded once per JVM (LearnerBenchmarks' sizes and seed). */
    static List<Product> record(String preset) {
        List<Product> products = Collections.synchronizedList(new ArrayList<>());
        LearnerConfig config = LearnerConfig.preset(preset).with("threads", "1");
        try (Learner learner = new Learner(config, 48, 12, 1)) {
            ReplayBuffer replay = LearnerBenchmarks.filledReplay();
            Blas.setProductListener((gemv, ta, tb, m, n, k) -> products.add(new Product(gemv, ta, tb, m, n, k)));
            try {
                learner.update(replay);
            } finally {
                Blas.setProductListener(null);
            }
        }
        return new ArrayList<>(products);
    }

    @State(Scope.Benchmark)
    public static class Recorded {
        @Param({"droq", "redq", "sac"})
        public String preset;
        List<Product> products;

        @Setup(Level.Trial)
        public void setup() {
            products = record(preset);
            double gflop = products.stream().mapToDouble(Product::flops).sum() * 1e-9;
            System.err.printf("# bound %s: %d products per update, %d distinct shapes, %.2f GFLOP%n", preset,
                    products.size(), products.stream().distinct().count(), gflop);
        }
    }

    /** Each thread's own operands (one set per distinct shape) and its per-product backend. */
    @State(Scope.Thread)
    public static class Operands {
        @Param({"openblas", "onednn", "best"})
        public String backend;
        FloatMatrix[] a, b, c;
        Products[] via;

        @Setup(Level.Trial)
        public void setup(Recorded recorded) {
            if (!backend.equals("openblas")) {
                Onednn.requireAvailable("BoundBenchmarks backend=" + backend);
            }
            Map<Product, FloatMatrix[]> byShape = new LinkedHashMap<>();
            Map<Product, Products> choice = new LinkedHashMap<>();
            Rng rng = new Rng(11);
            for (Product p : recorded.products) {
                byShape.computeIfAbsent(p, q -> operands(q, rng));
            }
            for (Map.Entry<Product, FloatMatrix[]> e : byShape.entrySet()) {
                Product p = e.getKey();
                Products v = switch (backend) {
                    case "openblas" -> Products.FP32;
                    case "onednn" -> Products.FP32_ONEDNN;
                    case "best" -> faster(p, e.getValue());
                    default -> throw new IllegalArgumentException("backend " + backend + ": openblas, onednn or best");
                };
                choice.put(p, v);
            }
            int n = recorded.products.size();
            a = new FloatMatrix[n];
            b = new FloatMatrix[n];
            c = new FloatMatrix[n];
            via = new Products[n];
            for (int i = 0; i < n; i++) {
                Product p = recorded.products.get(i);
                FloatMatrix[] ops = byShape.get(p);
                a[i] = ops[0];
                b[i] = ops[1];
                c[i] = ops[2];
                via[i] = choice.get(p);
            }
        }

        static FloatMatrix[] operands(Product p, Rng rng) {
            FloatMatrix a = p.transA ? new FloatMatrix(p.k, p.m) : new FloatMatrix(p.m, p.k);
            FloatMatrix b = p.gemv ? new FloatMatrix(p.k, 1) : p.transB ? new FloatMatrix(p.n, p.k) : new FloatMatrix(p.k, p.n);
            FloatMatrix c = new FloatMatrix(p.m, p.n);
            rng.fillUniform(a.data, 0, a.length, -1f, 1f);
            rng.fillUniform(b.data, 0, b.length, -1f, 1f);
            return new FloatMatrix[]{a, b, c};
        }

        /**
         * Which of OpenBLAS and oneDNN f32 runs this shape faster here: median of 61 runs each, one thread, the two
         * backends alternating run by run so that a slow spell of a noisy host slows both alike (measured one after
         * the other, a slow spell decided the pick, and "best" came out slower than "onednn" for REDQ).
         */
        static Products faster(Product p, FloatMatrix[] ops) {
            if (p.gemv) {
                return Products.FP32;
            }
            int runs = 61;
            long[] openblas = new long[runs], onednn = new long[runs];
            for (int r = -10; r < runs; r++) {
                long t0 = System.nanoTime();
                run(p, ops[0], ops[1], ops[2], Products.FP32);
                long t1 = System.nanoTime();
                run(p, ops[0], ops[1], ops[2], Products.FP32_ONEDNN);
                long t2 = System.nanoTime();
                if (r >= 0) {
                    openblas[r] = t1 - t0;
                    onednn[r] = t2 - t1;
                }
            }
            java.util.Arrays.sort(openblas);
            java.util.Arrays.sort(onednn);
            return onednn[runs / 2] < openblas[runs / 2] ? Products.FP32_ONEDNN : Products.FP32;
        }
    }

    static void run(Product p, FloatMatrix a, FloatMatrix b, FloatMatrix c, Products via) {
        if (p.gemv) {
            Blas.gemv(p.transA, 1f, a, b, 0f, c);
        } else {
            Blas.gemm(via, p.transA, p.transB, 1f, a, b, p.transA ? 1f : 0f, c);
        }
    }

    /** One update's products on this thread, while the other thread does the same: bound = this time / 2. */
    @Benchmark
    public void products(Recorded recorded, Operands ops, Blackhole bh) {
        List<Product> list = recorded.products;
        for (int i = 0, n = list.size(); i < n; i++) {
            run(list.get(i), ops.a[i], ops.b[i], ops.c[i], ops.via[i]);
        }
        bh.consume(ops.c[0].data[0]);
    }
}

package trot.bench;

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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import trot.agent.Learner;
import trot.agent.LearnerConfig;
import trot.agent.UpdateCost;
import trot.agent.UpdateReport;
import trot.replay.ReplayBuffer;
import trot.util.Rng;

import java.util.concurrent.TimeUnit;

/**
 * One environment step's update of each preset at the paper's sizes (observation 48, action 12, hidden 256 x 2,
 * batch 256). Sample-time mode: the report has medians. (The batch-1 action is in EngineBenchmarks.)
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LearnerBenchmarks {

    @State(Scope.Thread)
    public static class LearnerState {
        @Param({"droq", "redq", "sac"})
        public String preset;
        @Param({"2", "1"})
        public int threads;
        /** Who computes the products (--set precision): fp32 (OpenBLAS), fp32-onednn or bf16. */
        @Param({"fp32"})
        public String precision;
        Learner learner;
        ReplayBuffer replay;

        @Setup(Level.Trial)
        public void setup() {
            LearnerConfig config = LearnerConfig.preset(preset).withAll(java.util.Map.of(
                    "threads", Integer.toString(threads), "precision", precision));
            learner = new Learner(config, 48, 12, 1);
            replay = filledReplay();
            System.err.printf("# %s, %d thread(s), precision %s: %.2f GFLOP per environment-step update%n", preset,
                    learner.threads(), precision, UpdateCost.flopsPerUpdate(config, 48, 12) * 1e-9);
        }

        @TearDown(Level.Trial)
        public void close() {
            learner.close();
        }
    }

    /** 10,000 random transitions (observation 48, action 12), the same in every benchmark. */
    static ReplayBuffer filledReplay() {
        ReplayBuffer replay = new ReplayBuffer(10_000, 48, 12, 2);
        Rng rng = new Rng(3);
        float[] s = new float[48], a = new float[12], s2 = new float[48];
        for (int t = 0; t < 10_000; t++) {
            rng.fillGaussian(s, 0, 48);
            rng.fillUniform(a, 0, 12, -1f, 1f);
            rng.fillGaussian(s2, 0, 48);
            replay.add(s, a, (float) rng.nextGaussian(), s2, rng.nextFloat() < 0.02f);
        }
        return replay;
    }

    /** G critic updates, one actor update, one temperature update. */
    @Benchmark
    public UpdateReport update(LearnerState s) {
        return s.learner.update(s.replay);
    }
}

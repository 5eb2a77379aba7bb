package trot.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import trot.agent.Learner;
import trot.agent.LearnerConfig;
import trot.io.Snapshot;
import trot.replay.ReplayBuffer;
import trot.replay.ReplayLog;
import trot.util.Rng;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What crash safety costs at the paper's sizes (observation 48, action 12, DroQ with hidden 256 x 2, a full buffer of
 * 24,000 transitions), on the disk under {@code target/} (the disk a run's directory is on):
 * <ul>
 *   <li>{@code logAppend}: one transition appended to the replay log and handed to the OS (once per control period);</li>
 *   <li>{@code logAppendAndFsync}: the same followed by an fsync (what a per-step fsync would cost; trot does not);</li>
 *   <li>{@code snapshotWrite}: the learner's and buffer's state collected and written with temp file, fsync,
 *       rename and fsync of the folder;</li>
 *   <li>{@code resume}: the snapshot read and restored into a learner, and a 24,000-record log replayed into a
 *       buffer (what {@code trot train --resume} does before its first step).</li>
 * </ul>
 */
@BenchmarkMode(Mode.SampleTime)
@Fork(1)
public class RecoveryBenchmarks {
    static final int O = 48, A = 12, FULL = 24_000;

    static Path dir() throws IOException {
        return Files.createDirectories(Path.of(System.getProperty("trot.home", "."), "target", "bench-recovery"));
    }

    @State(Scope.Thread)
    public static class LogState {
        ReplayLog log;
        Path file;
        long step;
        final float[] s = new float[O], a = new float[A], s2 = new float[O];

        @Setup(Level.Iteration)
        public void open() throws IOException {
            file = dir().resolve("append.log");
            log = ReplayLog.create(file, "A1Walk", O, A, true);
            Rng rng = new Rng(1);
            rng.fillGaussian(s, 0, O);
            rng.fillUniform(a, 0, A, -1, 1);
            rng.fillGaussian(s2, 0, O);
        }

        @TearDown(Level.Iteration)
        public void close() throws IOException {
            log.close();
            Files.deleteIfExists(file);
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public long logAppend(LogState st) throws IOException {
        st.log.append(++st.step, st.s, st.a, 0.5f, st.s2, false);
        return st.step;
    }

    /** An append followed by an fsync of the log: what a per-step fsync policy would cost. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 3, time = 1)
    public long logAppendAndFsync(LogState st) throws IOException {
        st.log.append(++st.step, st.s, st.a, 0.5f, st.s2, false);
        st.log.force();
        return st.step;
    }

    @State(Scope.Benchmark)
    public static class RunState {
        Learner learner;
        ReplayBuffer replay;
        Path snap, log;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            learner = new Learner(LearnerConfig.droq().with("threads", "1"), O, A, 1);
            replay = new ReplayBuffer(FULL, O, A, 2);
            snap = dir().resolve("state.snap");
            log = dir().resolve("replay.log");
            Rng rng = new Rng(3);
            float[] s = new float[O], a = new float[A], s2 = new float[O];
            try (ReplayLog l = ReplayLog.create(log, "A1Walk", O, A, true)) {
                for (int t = 1; t <= FULL; t++) {
                    rng.fillGaussian(s, 0, O);
                    rng.fillUniform(a, 0, A, -1f, 1f);
                    rng.fillGaussian(s2, 0, O);
                    float r = (float) rng.nextGaussian();
                    replay.add(s, a, r, s2, false);
                    l.append(t, s, a, r, s2, false);
                }
            }
            for (int k = 0; k < 3; k++) {
                learner.update(replay);   // Adam moments that are not all zero
            }
            write();
            System.err.printf("# snapshot %.1f MB, replay log %.1f MB%n", Files.size(snap) / 1e6, Files.size(log) / 1e6);
        }

        void write() throws IOException {
            Snapshot.Builder b = Snapshot.builder().meta("kind", "benchmark");
            learner.saveState(b);
            replay.saveState(b);
            b.write(snap);
        }

        @TearDown(Level.Trial)
        public void close() {
            learner.close();
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2, time = 2)
    @Measurement(iterations = 5, time = 2)
    public void snapshotWrite(RunState st) throws IOException {
        st.write();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2, time = 2)
    @Measurement(iterations = 5, time = 2)
    public int resume(RunState st) throws IOException {
        Snapshot s = Snapshot.read(st.snap);
        st.learner.restoreState(s);
        ReplayBuffer fresh = new ReplayBuffer(FULL, O, A, 2);
        // keep = all: the log is not cut, so every call replays the same 24,000 records.
        ReplayLog.Recovery r = ReplayLog.recover(st.log, "A1Walk", O, A, Long.MAX_VALUE, fresh);
        r.log().close();
        return fresh.size();
    }
}

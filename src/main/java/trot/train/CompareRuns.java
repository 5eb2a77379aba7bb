package trot.train;

import trot.io.Checkpoint;
import trot.io.MetricsCsv;
import trot.io.Snapshot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Compares two run directories bit for bit where a resumed run must equal an uninterrupted one: every float32
 * and int64 entry of their final snapshots (weights, Adam moments, generators, counters; not the timing sums),
 * the replay logs byte for byte, the policies, and every column of the metrics CSVs but the timings.
 *
 * <p>{@code java -cp target/trot-0.1.0-SNAPSHOT-cli.jar trot.train.CompareRuns A B} prints the differences and exits 1 if there are
 * any, 0 if none (used by {@code scripts/kill-test.sh}).
 */
public final class CompareRuns {
    private static final List<String> TIMING = List.of("update_ms", "steps_per_second", "elapsed_s");

    private CompareRuns() {
    }

    /** The differences between the runs in {@code a} and {@code b}, empty when they are equal. */
    public static List<String> differences(Path a, Path b) throws Exception {
        List<String> out = new ArrayList<>();
        Snapshot sa = Snapshot.read(a.resolve(Trainer.SNAPSHOT)), sb = Snapshot.read(b.resolve(Trainer.SNAPSHOT));
        if (!sa.names().equals(sb.names())) {
            out.add("the snapshots hold different entries");
        }
        int compared = 0;
        for (String name : sa.names()) {
            int n = sa.length(name);
            if (sb.length(name) != n) {
                out.add(name + ": " + n + " vs " + sb.length(name) + " values");
                continue;
            }
            if (sa.isFloats(name)) {
                float[] x = new float[n], y = new float[n];
                sa.floats(name, x);
                sb.floats(name, y);
                if (!Arrays.equals(x, y)) {
                    out.add(name + " differs");
                }
                compared++;
            } else if (!name.equals("trainer.sums")) {   // timing sums differ between any two runs
                try {
                    long[] x = new long[n], y = new long[n];
                    sa.longs(name, x);
                    sb.longs(name, y);
                    if (!Arrays.equals(x, y)) {
                        out.add(name + " differs: " + Arrays.toString(x) + " vs " + Arrays.toString(y));
                    }
                    compared++;
                } catch (IllegalArgumentException notLongs) {
                    double[] x = new double[n], y = new double[n];
                    sa.doubles(name, x);
                    sb.doubles(name, y);
                    if (!Arrays.equals(x, y)) {
                        out.add(name + " differs");
                    }
                    compared++;
                }
            }
        }
        if (!Arrays.equals(Files.readAllBytes(a.resolve(Trainer.REPLAY_LOG)), Files.readAllBytes(b.resolve(Trainer.REPLAY_LOG)))) {
            out.add("the replay logs differ");
        }
        Checkpoint pa = Checkpoint.read(a.resolve("policy.ckpt")), pb = Checkpoint.read(b.resolve("policy.ckpt"));
        for (String name : pa.tensors().keySet()) {
            Checkpoint.Tensor tb = pb.tensors().get(name);
            if (tb == null || !Arrays.equals(pa.tensors().get(name).data(), tb.data())) {
                out.add("policy tensor " + name + " differs");
            }
        }
        for (String f : new String[]{"episodes.csv", "evaluations.csv", "qbias.csv"}) {
            MetricsCsv.Table x = MetricsCsv.read(a.resolve(f)), y = MetricsCsv.read(b.resolve(f));
            if (x.rows().size() != y.rows().size()) {
                out.add(f + ": " + x.rows().size() + " vs " + y.rows().size() + " rows");
                continue;
            }
            for (String c : x.columns()) {
                if (!TIMING.contains(c) && !Arrays.equals(x.column(c), y.column(c))) {
                    out.add(f + " column " + c + " differs");
                }
            }
        }
        if (compared < 10) {
            out.add("only " + compared + " snapshot entries compared");
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--check")) {
            // Reads the snapshot whole (magic, version, lengths, CRC-32C): prints its step, or why it is unreadable.
            try {
                System.out.println("snapshot of step " + Snapshot.read(Path.of(args[1]).resolve(Trainer.SNAPSHOT)).meta("step"));
            } catch (Exception e) {
                System.out.println("UNREADABLE: " + e.getMessage());
                System.exit(1);
            }
            return;
        }
        if (args.length != 2) {
            System.err.println("usage: CompareRuns RUN_DIR_A RUN_DIR_B, or CompareRuns --check RUN_DIR");
            System.exit(2);
        }
        List<String> d = differences(Path.of(args[0]), Path.of(args[1]));
        if (d.isEmpty()) {
            Snapshot s = Snapshot.read(Path.of(args[0]).resolve(Trainer.SNAPSHOT));
            System.out.println("identical: " + s.names().size() + " snapshot entries (weights, Adam moments, generators,"
                    + " counters), the replay logs, the policies and the metrics (timings aside) of step " + s.meta("step"));
        } else {
            System.out.println("DIFFERENT:\n  " + String.join("\n  ", d));
            System.exit(1);
        }
    }
}

package trot.train;

import trot.io.GaitPlot;
import trot.io.MetricsCsv;
import trot.io.Plots;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The plots of one evaluation episode's telemetry: forward speed over time, and the gait diagram. */
public final class EvaluationPlots {
    private EvaluationPlots() {
    }

    /** The files {@link #write} writes. */
    public static final String TRACE = "eval_trace.csv", SPEED = "eval_speed.png", GAIT = "gait.png";

    /**
     * Writes {@code eval_trace.csv} (time and every telemetry value, step by step), {@code eval_speed.png} (forward
     * speed over the episode) and {@code gait.png} (the gait diagram: a row per foot, a bar per stance phase, {@link GaitPlot}) into
     * {@code dir}, from the first episode of {@code r}; each replaces the previous evaluation's.
     */
    public static void write(Path dir, String title, Evaluator.Result r) throws IOException {
        double[][] trace = r.trace();
        if (trace.length == 0) {
            return;
        }
        List<String> columns = new ArrayList<>();
        columns.add("time_s");
        columns.addAll(r.channels());
        try (MetricsCsv csv = new MetricsCsv(dir.resolve(TRACE), columns, true)) {
            for (double[] row : trace) {
                csv.row(row);
            }
        }
        double[] time = new double[trace.length];
        for (int t = 0; t < trace.length; t++) {
            time[t] = trace[t][0];
        }
        int speed = r.channels().indexOf("forward_speed_mps");
        if (speed >= 0) {
            Plots.linePlot(dir.resolve(SPEED), title + ": forward speed", "time (s)", "forward speed (m/s)",
                    List.of(new Plots.Series("forward speed", time, column(trace, speed + 1))));
        }
        List<String> feet = new ArrayList<>();
        List<double[]> contact = new ArrayList<>();
        for (int c = 0; c < r.channels().size(); c++) {
            String name = r.channels().get(c);
            if (name.startsWith("contact_")) {
                feet.add(name.substring("contact_".length()));
                contact.add(column(trace, c + 1));
            }
        }
        if (!feet.isEmpty()) {
            GaitPlot.write(dir.resolve(GAIT), title + ": gait", feet, time, contact.toArray(new double[0][]),
                    r.controlPeriod_s());
        }
    }

    private static double[] column(double[][] rows, int c) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i][c];
        }
        return out;
    }
}

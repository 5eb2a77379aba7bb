package trot.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;

/**
 * benchmarks.jar's entry (./bench): runs JMH with the command line as given, then, when the run measured both a
 * preset's {@code LearnerBenchmarks.update} on two threads and its {@code BoundBenchmarks.products}, prints the
 * update's median over the bound (docs/benchmarks.md): {@code ./bench 'LearnerBenchmarks|BoundBenchmarks' -p threads=2}.
 * JMH's listing and help options go to JMH's own main.
 */
public final class Main {
    private static final Set<String> JMH_ONLY = Set.of("-h", "-help", "--help", "-l", "-lp", "-lprof", "-lrf");

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        for (String a : args) {
            if (JMH_ONLY.contains(a)) {
                org.openjdk.jmh.Main.main(args);
                return;
            }
        }
        Collection<RunResult> results = new Runner(new CommandLineOptions(args)).run();
        String table = ratios(results);
        if (!table.isEmpty()) {
            System.out.println();
            System.out.print(table);
        }
    }

    /** The median in ms of a sample-time result. */
    static double median(RunResult r) {
        return r.getPrimaryResult().getStatistics().getPercentile(50);
    }

    /** The table of update / bound per preset and precision, or "" when the run lacks either half. */
    static String ratios(Collection<RunResult> results) {
        TreeMap<String, double[]> bounds = new TreeMap<>(); // preset -> {openblas, onednn, best} in ms (NaN: not run)
        TreeMap<String, Double> updates = new TreeMap<>();  // preset + " " + precision -> ms
        for (RunResult r : results) {
            String bench = r.getParams().getBenchmark();
            String preset = r.getParams().getParam("preset");
            if (bench.endsWith("BoundBenchmarks.products")) {
                double[] b = bounds.computeIfAbsent(preset, p -> new double[]{Double.NaN, Double.NaN, Double.NaN});
                int i = switch (r.getParams().getParam("backend")) {
                    case "openblas" -> 0;
                    case "onednn" -> 1;
                    default -> 2;
                };
                b[i] = median(r) / 2; // two cores, each running one update's products
            } else if (bench.endsWith("LearnerBenchmarks.update") && "2".equals(r.getParams().getParam("threads"))) {
                updates.put(preset + " " + r.getParams().getParam("precision"), median(r));
            }
        }
        StringBuilder out = new StringBuilder();
        for (var e : updates.entrySet()) {
            String preset = e.getKey().split(" ")[0], precision = e.getKey().split(" ")[1];
            double[] b = bounds.get(preset);
            if (b == null) {
                continue;
            }
            double bound = Double.NaN;
            for (double x : b) {
                if (!Double.isNaN(x) && (Double.isNaN(bound) || x < bound)) {
                    bound = x;
                }
            }
            if (out.length() == 0) {
                out.append("Update over its bound (medians, ms; bound = the update's fp32 products alone on 2 cores; ")
                        .append(cpu()).append(")\n");
                out.append(String.format(Locale.ROOT, "%-6s %-12s %9s %14s %12s %10s %9s%n", "preset", "precision",
                        "update", "bound:openblas", "bound:onednn", "bound:best", "ratio"));
            }
            out.append(String.format(Locale.ROOT, "%-6s %-12s %9.2f %14s %12s %10s %8.2fx%n", preset, precision,
                    e.getValue(), fmt(b[0]), fmt(b[1]), fmt(b[2]), e.getValue() / bound));
        }
        return out.toString();
    }

    private static String fmt(double ms) {
        return Double.isNaN(ms) ? "-" : String.format(Locale.ROOT, "%.2f", ms);
    }

    static String cpu() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim() + ", " + Runtime.getRuntime().availableProcessors()
                            + " CPUs";
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: say nothing
        }
        return Runtime.getRuntime().availableProcessors() + " CPUs";
    }
}

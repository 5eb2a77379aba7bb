package trot.train;

import trot.io.TextCsv;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The per-episode evaluation report ({@code trot eval --per-episode}): one row per episode, as an aligned text table
 * (numbers right-aligned, the end reason last) and as {@value #FILE}. Its columns are the ones the environment can
 * fill: always the episode, return, steps, time and why it ended; the episode conditions an
 * {@link trot.env.EpisodeReport} gives (terrain, friction for the A1 task); with telemetry of the trunk's position or
 * speed and heading, the displacement in the starting heading frame (forward, lateral, distance, direction), the yaw
 * drift and the mean forward speed.
 */
public final class EpisodeTable {
    /** The CSV's file name. */
    public static final String FILE = "per-episode.csv";

    /** A column: its name (the CSV's header), width in the table, whether it is text (left-aligned). */
    private record Column(String name, int width, boolean text) {
    }

    private final List<String> conditions;
    private final Evaluator.PositionSource position;
    private final boolean yaw, speed;
    private final List<Column> columns = new ArrayList<>();

    /**
     * @param conditions the condition names, in order ({@link Evaluator#conditionNames})
     * @param position   where displacements come from ({@link Evaluator#positionSource}); NONE leaves them out
     * @param yaw        whether there is a heading (the yaw drift column)
     * @param speed      whether there is a forward speed (the mean speed column)
     */
    public EpisodeTable(List<String> conditions, Evaluator.PositionSource position, boolean yaw, boolean speed) {
        this.conditions = List.copyOf(conditions);
        this.position = position;
        this.yaw = yaw;
        this.speed = speed;
        add("episode", 7, false);
        add("return", 10, false);
        add("steps", 6, false);
        add("time_s", 7, false);
        for (String c : this.conditions) {
            add(c, Math.max(c.length(), 7), true);
        }
        if (position != Evaluator.PositionSource.NONE) {
            add("forward_m", 9, false);
            add("lateral_m", 9, false);
            add("distance_m", 10, false);
            add("direction_deg", 13, false);
        }
        if (yaw) {
            add("yaw_drift_deg", 13, false);
        }
        if (speed) {
            add("speed_mps", 9, false);
        }
        add("end", 0, true);
    }

    /** The table for {@code evaluator}'s environment. */
    public static EpisodeTable of(Evaluator evaluator) {
        return new EpisodeTable(evaluator.conditionNames(), evaluator.positionSource(),
                evaluator.channels().contains("yaw_rad"), evaluator.channels().contains("forward_speed_mps"));
    }

    private void add(String name, int width, boolean text) {
        columns.add(new Column(name, width, text));
    }

    /** The column names, as in the CSV header (the CSV adds {@code position} when there are displacements). */
    public List<String> names() {
        List<String> n = new ArrayList<>();
        for (Column c : columns) {
            n.add(c.name());
        }
        return n;
    }

    /** The table's header line. */
    public String header() {
        return line(names());
    }

    /** The table line of {@code e}. */
    public String row(Evaluator.Episode e) {
        return line(fields(e));
    }

    private String line(List<String> fields) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            String f = fields.get(i).isEmpty() ? "-" : fields.get(i);
            if (i > 0) {
                b.append("  ");
            }
            if (i == columns.size() - 1) {
                b.append(f);
            } else if (c.text()) {
                b.append(f).append(" ".repeat(Math.max(0, c.width() - f.length())));
            } else {
                b.append(" ".repeat(Math.max(0, c.width() - f.length()))).append(f);
            }
        }
        return b.toString();
    }

    /** The fields of {@code e}, one per column, as the CSV has them (an empty field: not known; the table shows '-'). */
    public List<String> fields(Evaluator.Episode e) {
        List<String> f = new ArrayList<>();
        f.add(Integer.toString(e.number()));
        f.add(number("%.2f", e.episodeReturn()));
        f.add(Long.toString(e.steps()));
        f.add(number("%.2f", e.duration_s()));
        for (String c : conditions) {
            f.add(e.conditions().getOrDefault(c, ""));
        }
        if (position != Evaluator.PositionSource.NONE) {
            f.add(number("%.3f", e.forward_m()));
            f.add(number("%.3f", e.lateral_m()));
            f.add(number("%.3f", e.distance_m()));
            f.add(number("%.1f", e.direction_deg()));
        }
        if (yaw) {
            f.add(number("%.1f", e.yawDrift_deg()));
        }
        if (speed) {
            f.add(number("%.3f", e.meanForwardSpeed_mps()));
        }
        f.add(e.end().label());
        return f;
    }

    /**
     * Writes {@code episodes} to {@code file} (replacing it): the columns of {@link #names}, then {@code position}
     * ({@code simulator} or {@code odometry}) when there are displacements.
     */
    public void writeCsv(Path file, List<Evaluator.Episode> episodes) throws IOException {
        List<String> header = names();
        boolean where = position != Evaluator.PositionSource.NONE;
        if (where) {
            header.add("position");
        }
        List<List<String>> rows = new ArrayList<>();
        for (Evaluator.Episode e : episodes) {
            List<String> r = fields(e);
            if (where) {
                r.add(position.name().toLowerCase(Locale.ROOT));
            }
            rows.add(r);
        }
        TextCsv.write(file, header, rows);
    }

    /** How many episodes ended each way, in order of first appearance: {@code time-limit 4, tilt 1}. */
    public static String endCounts(List<Evaluator.Episode> episodes) {
        Map<String, Integer> n = new LinkedHashMap<>();
        for (Evaluator.Episode e : episodes) {
            n.merge(e.end().label(), 1, Integer::sum);
        }
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Integer> x : n.entrySet()) {
            b.append(b.length() == 0 ? "" : ", ").append(x.getKey()).append(' ').append(x.getValue());
        }
        return b.toString();
    }

    /** {@code v} in {@code format}; empty for NaN; no sign on a value that rounds to zero ({@code -0.000}). */
    static String number(String format, double v) {
        if (!Double.isFinite(v)) {
            return "";
        }
        String s = String.format(Locale.ROOT, format, v);
        return s.matches("-0(\\.0*)?") ? s.substring(1) : s;
    }
}

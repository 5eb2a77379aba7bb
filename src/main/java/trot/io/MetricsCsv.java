package trot.io;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A CSV file of training metrics, one row per call of {@link #row}, with a fixed header.
 *
 * <h2>Format</h2>
 * <ul>
 *   <li>The first line holds the column names, comma-separated; every following line holds one value per column.
 *       Lines end with {@code \n}; the file is UTF-8.</li>
 *   <li>A NaN is written as an empty field (a missing value: pandas, R and spreadsheets read it as such).</li>
 *   <li>A whole number of magnitude up to 2^53 is written without a decimal point ({@code 1000000}); infinities as
 *       {@code inf} and {@code -inf}; any other value as the shortest decimal that reads back to the same float32
 *       ({@link Float#toString}), or the same double when it lies outside float range.</li>
 * </ul>
 *
 * <p>Every row is flushed to the operating system as soon as it is written, so a crash or kill of the JVM loses
 * at most the line being written ({@link #read} ignores an unterminated last line). Rows are not forced to the
 * disk: a power loss may lose the last seconds.
 *
 * <p>Not thread-safe: one writer per file.
 */
public final class MetricsCsv implements AutoCloseable {
    private static final double MAX_EXACT_INTEGER = 0x1p53;

    private final Path file;
    private final List<String> columns;
    private final Writer out;
    private final StringBuilder line = new StringBuilder(256);
    private boolean closed;
    private long rows;

    /**
     * Creates {@code file} (and missing parent directories) and writes the header.
     *
     * @param columns   the column names: non-empty, unique, without commas, quotes or line breaks
     * @param overwrite replace an existing file; when false an existing file is an error
     * @throws FileAlreadyExistsException when {@code file} exists and {@code overwrite} is false; the message names
     *                                    the path and says to choose another output directory or pass --force
     * @throws IllegalArgumentException   for an empty column list or a bad column name
     * @throws IOException                when the file cannot be created
     */
    public MetricsCsv(Path file, List<String> columns, boolean overwrite) throws IOException {
        this.columns = List.copyOf(checkColumns(file, columns));
        Path abs = file.toAbsolutePath();
        if (abs.getParent() != null) {
            Files.createDirectories(abs.getParent());
        }
        try {
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.WRITE,
                    overwrite ? StandardOpenOption.CREATE : StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(file.toString(), null,
                    "already exists; choose another output directory or pass --force to overwrite it");
        }
        this.file = file;
        try {
            out.write(String.join(",", this.columns));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            out.close();
            throw e;
        }
    }

    private MetricsCsv(Path file, List<String> columns, Writer out) {
        this.file = file;
        this.columns = List.copyOf(columns);
        this.out = out;
    }

    /**
     * Continues a file this class wrote, for a resumed run: checks its header, keeps its first {@code keepRows}
     * rows, cuts what follows them (rows written after the snapshot being resumed, and a torn last line) and
     * appends from there.
     *
     * @throws IOException naming the file when it is missing, has another header or fewer than {@code keepRows}
     *                     complete rows; the file is then unchanged
     */
    public static MetricsCsv resume(Path file, List<String> columns, long keepRows) throws IOException {
        int end = checkResumable(file, columns, keepRows);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
            if (ch.size() > end) {
                ch.truncate(end);
            }
        }
        Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        MetricsCsv csv = new MetricsCsv(file, columns, w);
        csv.rows = keepRows;
        return csv;
    }

    /**
     * The checks of {@link #resume}, touching nothing.
     *
     * @return the byte offset where the kept rows end
     */
    public static int checkResumable(Path file, List<String> columns, long keepRows) throws IOException {
        checkColumns(file, columns);
        if (!Files.exists(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "the metrics file of the run to resume is missing");
        }
        byte[] bytes = Files.readAllBytes(file);
        String header = String.join(",", columns) + "\n";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < h.length || !java.util.Arrays.equals(bytes, 0, h.length, h, 0, h.length)) {
            throw new IOException("metrics file " + file + ": its header is not \"" + header.trim()
                    + "\"; it was not written by this run; the file is left as it is");
        }
        int end = h.length;
        for (long r = 0; r < keepRows; r++) {
            int nl = end;
            while (nl < bytes.length && bytes[nl] != '\n') {
                nl++;
            }
            if (nl >= bytes.length) {
                throw new IOException("metrics file " + file + ": has " + r + " complete rows, the snapshot being resumed"
                        + " counted " + keepRows + "; the file is left as it is");
            }
            end = nl + 1;
        }
        return end;
    }

    /** Forces the rows written so far to the storage device. */
    public void force() throws IOException {
        out.flush();
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(false);
        }
    }

    /** {@link #MetricsCsv(Path, List, boolean)} with the columns as arguments. */
    public MetricsCsv(Path file, boolean overwrite, String... columns) throws IOException {
        this(file, List.of(columns), overwrite);
    }

    private static List<String> checkColumns(Path file, List<String> columns) {
        if (columns == null || columns.isEmpty()) {
            throw new IllegalArgumentException("MetricsCsv " + file + ": at least one column is needed");
        }
        Set<String> seen = new HashSet<>();
        for (String c : columns) {
            if (c == null || c.isEmpty() || c.indexOf(',') >= 0 || c.indexOf('"') >= 0 || c.indexOf('\n') >= 0
                    || c.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("MetricsCsv " + file + ": column name \"" + c
                        + "\" must be non-empty, without commas, quotes or line breaks");
            }
            if (!seen.add(c)) {
                throw new IllegalArgumentException("MetricsCsv " + file + ": column " + c + " is listed twice");
            }
        }
        return columns;
    }

    /**
     * Appends one row and flushes it.
     *
     * @param values one value per column, in column order; NaN for a missing value
     * @throws IllegalArgumentException when the number of values is not the number of columns
     * @throws IllegalStateException    after {@link #close}
     * @throws IOException              when the write fails
     */
    public void row(double... values) throws IOException {
        if (closed) {
            throw new IllegalStateException("MetricsCsv " + file + ": row after close");
        }
        if (values.length != columns.size()) {
            throw new IllegalArgumentException("MetricsCsv " + file + ": got " + values.length + " values for "
                    + columns.size() + " columns " + columns);
        }
        line.setLength(0);
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                line.append(',');
            }
            format(values[i], line);
        }
        line.append('\n');
        out.append(line);
        out.flush();
        rows++;
    }

    /** Appends the text {@link #row} writes for {@code v} (nothing for NaN). */
    static void format(double v, StringBuilder b) {
        if (Double.isNaN(v)) {
            return;
        }
        if (Double.isInfinite(v)) {
            b.append(v > 0 ? "inf" : "-inf");
        } else if (v == Math.rint(v) && Math.abs(v) <= MAX_EXACT_INTEGER) {
            b.append((long) v);
        } else if (Math.abs(v) <= Float.MAX_VALUE && Math.abs(v) >= Float.MIN_NORMAL) {
            b.append(Float.toString((float) v));
        } else {
            b.append(Double.toString(v));   // outside float range, or so small that float would lose it
        }
    }

    /** Rows in the file (those kept by {@link #resume} included). */
    public long rows() {
        return rows;
    }

    /** The column names, in order. */
    public List<String> columns() {
        return columns;
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            out.close();
        }
    }

    /**
     * A CSV file's contents: the column names and the rows, missing values as NaN.
     */
    public record Table(List<String> columns, List<double[]> rows) {
        public Table {
            columns = List.copyOf(columns);
            rows = Collections.unmodifiableList(new ArrayList<>(rows));
        }

        /**
         * The values of column {@code name}, one per row.
         *
         * @throws IllegalArgumentException when there is no such column
         */
        public double[] column(String name) {
            int c = columns.indexOf(name);
            if (c < 0) {
                throw new IllegalArgumentException("no column " + name + " (the columns are " + columns + ")");
            }
            double[] v = new double[rows.size()];
            for (int r = 0; r < v.length; r++) {
                v[r] = rows.get(r)[c];
            }
            return v;
        }
    }

    /**
     * Reads a file written by this class (or any CSV of plain numbers with a header line). Empty fields and
     * {@code nan} read as NaN, {@code inf}/{@code -inf} (and Java's {@code Infinity}) as infinities. A last line
     * without its line break, the trace of a crash during a write, is ignored.
     *
     * @throws IOException naming the file and line when a row has the wrong number of fields or a field is not a
     *                     number
     */
    public static Table read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        // text.split leaves the part after the last '\n': empty for a complete file, a partial row after a crash.
        lines.remove(lines.size() - 1);
        if (lines.isEmpty()) {
            throw new IOException("metrics file " + file + ": no header line");
        }
        List<String> columns = List.of(stripCr(lines.get(0)).split(",", -1));
        List<double[]> rows = new ArrayList<>(lines.size() - 1);
        for (int i = 1; i < lines.size(); i++) {
            String[] fields = stripCr(lines.get(i)).split(",", -1);
            if (fields.length != columns.size()) {
                throw new IOException("metrics file " + file + ", line " + (i + 1) + ": " + fields.length
                        + " fields for " + columns.size() + " columns");
            }
            double[] row = new double[fields.length];
            for (int c = 0; c < fields.length; c++) {
                row[c] = parse(fields[c].trim(), file, i + 1, columns.get(c));
            }
            rows.add(row);
        }
        return new Table(columns, rows);
    }

    private static String stripCr(String s) {
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static double parse(String s, Path file, int line, String column) throws IOException {
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "":
            case "nan":
                return Double.NaN;
            case "inf":
            case "+inf":
            case "infinity":
            case "+infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf":
            case "-infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                try {
                    return Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new IOException("metrics file " + file + ", line " + line + ", column " + column + ": \""
                            + s + "\" is not a number");
                }
        }
    }
}

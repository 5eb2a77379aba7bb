package trot.io;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A small CSV table of text fields (a report with words in it, which {@link MetricsCsv} does not hold), written whole
 * and atomically: a reader sees the old file or the new one, never half. UTF-8, lines end with {@code \n}, the first
 * line is the header; a field with a comma, a double quote or a line break is quoted as RFC 4180 says; an empty field
 * is a missing value.
 */
public final class TextCsv {
    private TextCsv() {
    }

    /**
     * Writes {@code header} and {@code rows} to {@code file}, replacing it.
     *
     * @throws IllegalArgumentException for an empty header or a row whose length is not the header's
     * @throws IOException              when the file cannot be written (an earlier file is then as it was)
     */
    public static void write(Path file, List<String> header, List<List<String>> rows) throws IOException {
        if (header == null || header.isEmpty()) {
            throw new IllegalArgumentException("TextCsv " + file + ": no columns");
        }
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).size() != header.size()) {
                throw new IllegalArgumentException("TextCsv " + file + ": row " + (i + 1) + " has " + rows.get(i).size()
                        + " fields, the header " + header.size());
            }
        }
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            line(w, header);
            for (List<String> r : rows) {
                line(w, r);
            }
            w.flush();
        }, true);
    }

    private static void line(Writer w, List<String> fields) throws IOException {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                w.write(',');
            }
            w.write(quote(fields.get(i)));
        }
        w.write('\n');
    }

    /** The field as CSV writes it: quoted (with doubled quotes) when it holds a comma, a quote or a line break. */
    static String quote(String field) {
        String f = field == null ? "" : field;
        if (f.indexOf(',') < 0 && f.indexOf('"') < 0 && f.indexOf('\n') < 0 && f.indexOf('\r') < 0) {
            return f;
        }
        return '"' + f.replace("\"", "\"\"") + '"';
    }
}

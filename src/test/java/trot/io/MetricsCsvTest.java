package trot.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trot.util.Rng;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The metrics CSV: format, flushing, refusal to overwrite, reading back. */
class MetricsCsvTest {
    @TempDir
    Path dir;

    static String format(double v) {
        StringBuilder b = new StringBuilder();
        MetricsCsv.format(v, b);
        return b.toString();
    }

    @Test
    void writesHeaderAndRowsInTheDocumentedFormat() throws IOException {
        Path file = dir.resolve("run/metrics.csv");
        try (MetricsCsv csv = new MetricsCsv(file, false, "step", "return", "loss")) {
            csv.row(1000, -1234.5, Double.NaN);
            csv.row(2000, Double.NEGATIVE_INFINITY, 0.1);
        }
        assertEquals("step,return,loss\n1000,-1234.5,\n2000,-inf,0.1\n", Files.readString(file));
    }

    @Test
    void numbersAreFormattedForHumansAndRoundTripAsFloats() {
        assertEquals("0", format(0.0));
        assertEquals("0", format(-0.0));
        assertEquals("42", format(42.0));
        assertEquals("-7", format(-7.0));
        assertEquals("1000000", format(1e6));
        assertEquals("9007199254740992", format(0x1p53), "integers up to 2^53 without a decimal point");
        assertEquals("", format(Double.NaN));
        assertEquals("inf", format(Double.POSITIVE_INFINITY));
        assertEquals("-inf", format(Double.NEGATIVE_INFINITY));
        assertEquals("0.1", format(0.1));
        assertEquals("-16.2736", format(-16.2736));
        assertEquals("1.0E20", format(1e20));
        assertEquals("1.0E300", format(1e300), "beyond float range the double is kept");
        assertEquals("1.0E-300", format(1e-300), "below float's normal range the double is kept");
        Rng rng = new Rng(5);
        for (int i = 0; i < 100_000; i++) {
            float f = Float.intBitsToFloat((int) rng.nextLong());
            if (!Float.isFinite(f)) {
                continue;
            }
            String s = format(f);
            assertEquals(f, Float.parseFloat(s), s + " should read back as " + f);
        }
    }

    @Test
    void everyRowIsOnDiskBeforeClose() throws IOException {
        Path file = dir.resolve("m.csv");
        try (MetricsCsv csv = new MetricsCsv(file, List.of("a", "b"), false)) {
            assertEquals("a,b\n", Files.readString(file), "the header is flushed at creation");
            csv.row(1, 2);
            assertEquals("a,b\n1,2\n", Files.readString(file), "a row is flushed when written");
            csv.row(3.5, 4);
            assertEquals(2, MetricsCsv.read(file).rows().size());
        }
    }

    @Test
    void theNumberOfValuesMustMatchTheColumns() throws IOException {
        MetricsCsv csv = new MetricsCsv(dir.resolve("m.csv"), false, "a", "b", "c");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> csv.row(1, 2));
        assertTrue(e.getMessage().contains("got 2 values for 3 columns"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> csv.row(1, 2, 3, 4));
        assertTrue(e.getMessage().contains("4 values for 3 columns"), e.getMessage());
        csv.close();
        csv.close();                                                   // closing twice is harmless
        assertThrows(IllegalStateException.class, () -> csv.row(1, 2, 3));
        assertEquals("a,b,c\n", Files.readString(dir.resolve("m.csv")), "a rejected row writes nothing");
    }

    @Test
    void anExistingFileIsNotOverwrittenUnlessAsked() throws IOException {
        Path file = dir.resolve("metrics.csv");
        Files.writeString(file, "precious\n");
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                () -> new MetricsCsv(file, false, "a"));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("choose another output directory or pass --force"), e.getMessage());
        assertEquals("precious\n", Files.readString(file));
        try (MetricsCsv csv = new MetricsCsv(file, true, "a")) {
            csv.row(1);
        }
        assertEquals("a\n1\n", Files.readString(file));
    }

    @Test
    void badColumnNamesAreRejected() {
        Path file = dir.resolve("m.csv");
        assertThrows(IllegalArgumentException.class, () -> new MetricsCsv(file, false));
        assertThrows(IllegalArgumentException.class, () -> new MetricsCsv(file, false, "a,b"));
        assertThrows(IllegalArgumentException.class, () -> new MetricsCsv(file, false, "a\""));
        assertThrows(IllegalArgumentException.class, () -> new MetricsCsv(file, false, "a\nb"));
        assertThrows(IllegalArgumentException.class, () -> new MetricsCsv(file, false, ""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MetricsCsv(file, false, "x", "x"));
        assertTrue(e.getMessage().contains("x is listed twice"), e.getMessage());
        assertTrue(Files.notExists(file), "a rejected configuration creates no file");
    }

    @Test
    void readGivesBackWhatWasWritten() throws IOException {
        Path file = dir.resolve("m.csv");
        double[][] rows = {{0, 1.5, Double.NaN}, {1, Double.POSITIVE_INFINITY, -2.25}, {2, 1e-5, 3e9}};
        try (MetricsCsv csv = new MetricsCsv(file, false, "step", "x", "y")) {
            for (double[] r : rows) {
                csv.row(r);
            }
        }
        MetricsCsv.Table t = MetricsCsv.read(file);
        assertEquals(List.of("step", "x", "y"), t.columns());
        assertEquals(3, t.rows().size());
        for (int i = 0; i < rows.length; i++) {
            assertArrayEquals(rows[i], t.rows().get(i), 0.0, "row " + i);
        }
        assertArrayEquals(new double[]{Double.NaN, -2.25, 3e9}, t.column("y"));
        assertThrows(IllegalArgumentException.class, () -> t.column("z"));
    }

    @Test
    void readIgnoresAnUnterminatedLastLineAndReportsBadLines() throws IOException {
        Path file = dir.resolve("m.csv");
        Files.writeString(file, "a,b\n1,2\n3,", StandardCharsets.UTF_8);     // a crash in the middle of a row
        MetricsCsv.Table t = MetricsCsv.read(file);
        assertEquals(1, t.rows().size());
        assertArrayEquals(new double[]{1, 2}, t.rows().get(0));

        Files.writeString(file, "a,b\r\n1,Infinity\r\nnan,-inf\r\n");          // other writers' spellings
        t = MetricsCsv.read(file);
        assertArrayEquals(new double[]{1, Double.POSITIVE_INFINITY}, t.rows().get(0));
        assertArrayEquals(new double[]{Double.NaN, Double.NEGATIVE_INFINITY}, t.rows().get(1));

        Files.writeString(file, "a,b\n1,2\n1,2,3\n");
        IOException e = assertThrows(IOException.class, () -> MetricsCsv.read(file));
        assertTrue(e.getMessage().contains(file + ", line 3: 3 fields for 2 columns"), e.getMessage());
        Files.writeString(file, "a,b\n1,two\n");
        e = assertThrows(IOException.class, () -> MetricsCsv.read(file));
        assertTrue(e.getMessage().contains("line 2, column b: \"two\" is not a number"), e.getMessage());
        Files.writeString(file, "");
        assertThrows(IOException.class, () -> MetricsCsv.read(file));
    }
}

package trot.io;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Line plots written as PNG files (learning curves, losses), drawn by XChart without a display.
 *
 * <p>Headless: loading this class sets {@code java.awt.headless=true} unless the property is already set, so that
 * plotting works on a robot or a CI machine with no X server (and does not fail when {@code DISPLAY} names one
 * that is unreachable). A program that wants AWT windows sets {@code -Djava.awt.headless=false} and keeps it.
 *
 * <p>Fonts: drawing text needs at least one font that the JDK can find. On Debian the JDK looks fonts up through
 * fontconfig; a bare machine needs the packages {@code fontconfig} and a font such as {@code fonts-dejavu-core}.
 * Without them the first plot fails with an {@link IllegalStateException} that says so.
 */
public final class Plots {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** The default size: readable on a screen and in a report. */
    public static final int WIDTH = 800;
    public static final int HEIGHT = 500;

    /** What to install when the JDK finds no usable font. */
    static final String FONT_HINT = "no usable font for drawing text; on Debian or Ubuntu install them with"
            + " 'apt-get install fontconfig fonts-dejavu-core' (other systems: fontconfig and any TrueType font)";

    private static volatile boolean fontsChecked;

    private Plots() {
    }

    /**
     * One line of a plot: {@code y[i]} against {@code x[i]}. A NaN in either is a gap: the line stops before it
     * and starts again after it.
     */
    public record Series(String name, double[] x, double[] y) {
        /**
         * @throws IllegalArgumentException for a missing name or arrays of different lengths
         */
        public Series {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("Plots.Series: a series needs a name (shown in the legend)");
            }
            if (x == null || y == null || x.length != y.length) {
                throw new IllegalArgumentException("Plots.Series " + name + ": x and y must have the same length, got "
                        + (x == null ? "null" : x.length) + " and " + (y == null ? "null" : y.length));
            }
            x = x.clone();
            y = y.clone();
        }

        /** A series over {@code 0, 1, 2, ...}. */
        public static Series of(String name, double[] y) {
            double[] x = new double[y.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i;
            }
            return new Series(name, x, y);
        }

        @Override
        public double[] x() {
            return x.clone();
        }

        @Override
        public double[] y() {
            return y.clone();
        }
    }

    /** {@link #linePlot(Path, String, String, String, List, int, int)} at {@value #WIDTH} x {@value #HEIGHT}. */
    public static void linePlot(Path png, String title, String xLabel, String yLabel, List<Series> series)
            throws IOException {
        linePlot(png, title, xLabel, yLabel, series, WIDTH, HEIGHT);
    }

    /**
     * Draws {@code series} as lines on one pair of axes, on a white background, and writes a PNG to {@code png}.
     * The file is replaced atomically (written to {@code <name>.tmp} beside it, then renamed), so a reader never
     * sees a half-written image and a failed write leaves the previous one in place. Series with no finite point
     * still appear in the legend; a plot with no finite point at all shows empty axes.
     *
     * @throws IllegalArgumentException for an empty series list, two series of the same name, or a size below
     *                                  100 x 100
     * @throws IllegalStateException    when the JDK has no usable font (the message names the packages to install)
     * @throws IOException              when the file cannot be written
     */
    public static void linePlot(Path png, String title, String xLabel, String yLabel, List<Series> series,
                                int width, int height) throws IOException {
        if (series == null || series.isEmpty()) {
            throw new IllegalArgumentException("Plots.linePlot " + png + ": nothing to plot (no series)");
        }
        if (width < 100 || height < 100) {
            throw new IllegalArgumentException("Plots.linePlot " + png + ": the image must be at least 100 x 100, got "
                    + width + " x " + height);
        }
        Set<String> names = new HashSet<>();
        for (Series s : series) {
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("Plots.linePlot " + png + ": two series are named " + s.name());
            }
        }
        checkFonts();
        BufferedImage image;
        try {
            image = BitmapEncoder.getBufferedImage(chart(title, xLabel, yLabel, series, width, height));
        } catch (RuntimeException | Error e) {
            if (looksLikeFontFailure(e)) {
                throw new IllegalStateException("Plots.linePlot " + png + ": " + FONT_HINT + " (the JDK said: "
                        + rootCause(e) + ")", e);
            }
            throw e;
        }
        writePng(png, image);
    }

    /**
     * Writes {@code image} as a PNG to {@code png}, atomically (written to {@code <name>.tmp} beside it, then renamed).
     */
    static void writePng(Path png, BufferedImage image) throws IOException {
        AtomicFiles.write(png, out -> {
            Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
            if (!writers.hasNext()) {
                throw new IOException("this JDK has no PNG writer (javax.imageio)");
            }
            ImageWriter writer = writers.next();
            try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
                writer.setOutput(ios);
                writer.write(image);
            } finally {
                writer.dispose();
            }
        }, false);
    }

    private static XYChart chart(String title, String xLabel, String yLabel, List<Series> series, int width, int height) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title == null ? "" : title)
                .xAxisTitle(xLabel == null ? "" : xLabel).yAxisTitle(yLabel == null ? "" : yLabel).build();
        var st = chart.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotBorderColor(Color.GRAY);
        st.setPlotGridLinesColor(new Color(0xDD, 0xDD, 0xDD));
        st.setLegendBackgroundColor(Color.WHITE);
        st.setLegendBorderColor(Color.LIGHT_GRAY);
        st.setLegendPosition(Styler.LegendPosition.OutsideS);
        st.setLegendLayout(Styler.LegendLayout.Horizontal);
        st.setLegendVisible(series.size() > 1);
        st.setChartTitleBoxVisible(false);
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        st.setAntiAlias(true);
        st.setMarkerSize(0);
        // The finite points' x range: where to park the x of a gap, and whether the axis needs digit grouping.
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                if (Double.isFinite(s.x[i]) && Double.isFinite(s.y[i])) {
                    xMin = Math.min(xMin, s.x[i]);
                    xMax = Math.max(xMax, s.x[i]);
                }
            }
        }
        boolean anyPoint = xMin <= xMax;
        double park = anyPoint ? xMin : 0.0;
        BasicStroke stroke = new BasicStroke(1.8f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
        for (Series s : series) {
            double[] x = s.x.clone(), y = s.y.clone();
            for (int i = 0; i < x.length; i++) {
                if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) {
                    x[i] = park;          // inside the axis range, so it cannot stretch or break the axis
                    y[i] = Double.NaN;    // XChart breaks a line at a NaN y
                }
            }
            if (x.length == 0) {          // XChart needs a point per series; a NaN one keeps it in the legend only
                x = new double[]{park};
                y = new double[]{Double.NaN};
            }
            XYSeries xy = chart.addSeries(s.name(), x, y);
            xy.setMarker(SeriesMarkers.NONE);
            xy.setLineStyle(stroke);
        }
        if (anyPoint && xMax > xMin) {
            // When every x lies on one even grid (evaluations every N steps), XChart puts ticks on data points,
            // which gives labels such as 17,000 and 34,000. One invisible point off the grid makes it choose
            // round tick values instead.
            XYSeries off = chart.addSeries("\u0000off-grid", new double[]{xMin + (xMax - xMin) * 0.3819660112501051},
                    new double[]{Double.NaN});
            off.setShowInLegend(false);
            off.setMarker(SeriesMarkers.NONE);
        }
        double xAbs = Math.max(Math.abs(xMin), Math.abs(xMax));
        if (anyPoint && xAbs >= 1e4 && xAbs < 1e12) {
            st.setXAxisDecimalPattern("#,##0.##");   // 150,000 steps rather than 1.5E5
        }
        if (!anyPoint) {
            st.setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
        }
        return chart;
    }

    /**
     * Draws one string once per JVM, so that a machine without fonts fails with a message naming the packages
     * rather than deep inside AWT.
     */
    static void checkFonts() {
        if (fontsChecked) {
            return;
        }
        int width;
        try {
            BufferedImage probe = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = probe.createGraphics();
            try {
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                width = g.getFontMetrics().stringWidth("0.5");
                g.drawString("0.5", 0, 8);
            } finally {
                g.dispose();
            }
        } catch (Throwable e) {
            if (e instanceof VirtualMachineError && !(e instanceof InternalError)) {
                throw (VirtualMachineError) e;   // out of memory or stack: not a font problem
            }
            throw new IllegalStateException("Plots: " + FONT_HINT + " (the JDK said: " + rootCause(e) + ")", e);
        }
        if (width <= 0) {
            throw new IllegalStateException("Plots: " + FONT_HINT + " (text measured " + width + " pixels wide)");
        }
        fontsChecked = true;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static boolean looksLikeFontFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (m.contains("font")) {
                return true;
            }
            for (StackTraceElement f : t.getStackTrace()) {
                if (f.getClassName().startsWith("sun.font.") || f.getClassName().contains("FontConfiguration")) {
                    return true;
                }
            }
        }
        return false;
    }
}

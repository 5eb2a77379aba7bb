package trot.io;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A gait diagram as locomotion papers draw it: one labelled row per foot (top to bottom in the order given, FR, FL,
 * RR, RL for the A1), a bar for each stance phase (the foot on the ground), the gaps between bars the swing phases,
 * time in seconds along the x axis, and each foot's duty factor (the fraction of the time in stance) at the right.
 * Drawn with Java2D into a PNG, headless ({@link Plots} sets {@code java.awt.headless}): XChart has no chart of
 * intervals on labelled rows.
 *
 * <p>Sampling: contact sample {@code i}, read at {@code time_s[i]} at the end of a control period, stands for that
 * whole period {@code [time_s[i] - period_s, time_s[i]]}; consecutive stance samples make one bar.
 */
public final class GaitPlot {
    private GaitPlot() {
    }

    /** The bars' colour (tests read it back from the pixels). */
    public static final Color BAR = new Color(0x2B, 0x4C, 0x7E);
    private static final Color BAND = new Color(0xF3, 0xF5, 0xF8), GRID = new Color(0xD8, 0xD8, 0xD8),
            FRAME = Color.GRAY, TEXT = new Color(0x22, 0x22, 0x22);
    /** Horizontal scale: pixels per second, and the plot area's narrowest and widest extent. */
    static final int PIXELS_PER_SECOND = 60, PLOT_MIN = 600, PLOT_MAX = 2400;
    static final int LEFT = 64, RIGHT = 96, TOP = 48, BOTTOM = 84, ROW = 44, INSET = 8;

    /** One stance phase of a foot, seconds. */
    public record Phase(double start_s, double end_s) {
    }

    /**
     * Where things are in the image: the plot area, rows and the time axis. Row {@code r}'s bars span
     * {@code [rowTop(r) + INSET, rowTop(r) + ROW - INSET)} vertically.
     *
     * @param width   image width, px
     * @param height  image height, px
     * @param left    the plot area's left edge (time {@code t0_s}), px
     * @param right   its right edge (time {@code t1_s}), px
     * @param top     its top edge (row 0's top), px
     * @param rows    the number of rows (feet)
     * @param t0_s    time at the left edge
     * @param t1_s    time at the right edge
     */
    public record Layout(int width, int height, int left, int right, int top, int rows, double t0_s, double t1_s) {
        /** The pixel column of time {@code t_s} (not rounded). */
        public double x(double t_s) {
            return left + (t_s - t0_s) / (t1_s - t0_s) * (right - left);
        }

        /** The top pixel row of foot row {@code r}. */
        public int rowTop(int r) {
            return top + r * ROW;
        }

        /** The pixel row through the middle of foot row {@code r}'s bars. */
        public int rowCenter(int r) {
            return rowTop(r) + ROW / 2;
        }

        /** The bottom edge of the plot area. */
        public int bottom() {
            return top + rows * ROW;
        }
    }

    /**
     * The layout for {@code rows} feet over {@code [t0_s, t1_s]}: 60 pixels per second, the plot area between 600
     * and 2400 pixels wide.
     *
     * @throws IllegalArgumentException for no rows or an empty or non-finite time range
     */
    public static Layout layout(int rows, double t0_s, double t1_s) {
        if (rows < 1 || !Double.isFinite(t0_s) || !Double.isFinite(t1_s) || !(t1_s > t0_s)) {
            throw new IllegalArgumentException("GaitPlot: need at least one foot and a time range t0 < t1, got " + rows
                    + " feet over [" + t0_s + ", " + t1_s + "] s");
        }
        int plot = (int) Math.max(PLOT_MIN, Math.min(PLOT_MAX, Math.round((t1_s - t0_s) * PIXELS_PER_SECOND)));
        return new Layout(LEFT + plot + RIGHT, TOP + rows * ROW + BOTTOM, LEFT, LEFT + plot, TOP, rows, t0_s, t1_s);
    }

    /**
     * The stance phases in {@code contact} (above 0.5: in contact; NaN: unknown, no bar) sampled at {@code time_s}:
     * sample {@code i} covers {@code [time_s[i] - period_s, time_s[i]]}, and runs of stance samples whose periods
     * touch make one phase.
     *
     * @throws IllegalArgumentException for arrays of different lengths, times that do not increase, or a period that is
     *                                  not positive and finite
     */
    public static List<Phase> stancePhases(double[] time_s, double[] contact, double period_s) {
        if (time_s.length != contact.length) {
            throw new IllegalArgumentException("GaitPlot: " + time_s.length + " times but " + contact.length
                    + " contact samples");
        }
        if (!(period_s > 0) || Double.isInfinite(period_s)) {
            throw new IllegalArgumentException("GaitPlot: the control period must be positive, got " + period_s);
        }
        List<Phase> phases = new ArrayList<>();
        double start = Double.NaN, end = Double.NaN;
        for (int i = 0; i < time_s.length; i++) {
            if (i > 0 && !(time_s[i] > time_s[i - 1])) {
                throw new IllegalArgumentException("GaitPlot: times must increase, got " + time_s[i - 1] + " then "
                        + time_s[i] + " s at sample " + i);
            }
            boolean stance = contact[i] > 0.5;
            double s = time_s[i] - period_s;
            if (stance && !Double.isNaN(start) && s <= end + 1e-9 * period_s) {
                end = time_s[i];                       // the phase goes on
            } else if (stance) {
                if (!Double.isNaN(start)) {
                    phases.add(new Phase(start, end));
                }
                start = s;
                end = time_s[i];
            } else if (!Double.isNaN(start)) {
                phases.add(new Phase(start, end));
                start = end = Double.NaN;
            }
        }
        if (!Double.isNaN(start)) {
            phases.add(new Phase(start, end));
        }
        return phases;
    }

    /**
     * Draws the gait diagram of {@code contact[foot][i]} (see {@link #stancePhases}) and writes it to {@code png}
     * (atomically, as {@link Plots#linePlot}). The time axis runs from the first sample's period start to the last
     * sample.
     *
     * @param feet the row labels, top to bottom (FR, FL, RR, RL)
     * @return the layout drawn (where each row and time is in the image)
     * @throws IllegalArgumentException for no feet, a label count that is not the number of contact rows, no samples,
     *                                  or what {@link #stancePhases} rejects
     * @throws IllegalStateException    when the JDK has no usable font (the message names the packages to install)
     * @throws IOException              when the file cannot be written
     */
    public static Layout write(Path png, String title, List<String> feet, double[] time_s, double[][] contact,
                               double period_s) throws IOException {
        if (feet == null || feet.isEmpty() || contact == null || feet.size() != contact.length) {
            throw new IllegalArgumentException("GaitPlot " + png + ": need one label per foot, got "
                    + (feet == null ? 0 : feet.size()) + " labels for " + (contact == null ? 0 : contact.length) + " feet");
        }
        if (time_s == null || time_s.length == 0) {
            throw new IllegalArgumentException("GaitPlot " + png + ": no samples to draw");
        }
        List<List<Phase>> phases = new ArrayList<>();
        for (double[] c : contact) {
            phases.add(stancePhases(time_s, c, period_s));
        }
        Plots.checkFonts();
        Layout l = layout(feet.size(), time_s[0] - period_s, time_s[time_s.length - 1]);
        BufferedImage image = new BufferedImage(l.width(), l.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            draw(g, l, title, feet, phases);
        } finally {
            g.dispose();
        }
        Plots.writePng(png, image);
        return l;
    }

    private static void draw(Graphics2D g, Layout l, String title, List<String> feet, List<List<Phase>> phases) {
        // Shapes on whole pixels without antialiasing (crisp bar edges, exact colours); text antialiased.
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, l.width(), l.height());
        int plotWidth = l.right() - l.left();
        for (int r = 0; r < l.rows(); r += 2) {
            g.setColor(BAND);
            g.fillRect(l.left(), l.rowTop(r), plotWidth, ROW);
        }
        double tick = tickStep(l.t1_s() - l.t0_s());
        g.setColor(GRID);
        for (long k = (long) Math.ceil(l.t0_s() / tick - 1e-9); k * tick <= l.t1_s() + 1e-9 * tick; k++) {
            int x = (int) Math.round(l.x(k * tick));
            g.drawLine(x, l.top(), x, l.bottom());
        }
        g.setColor(BAR);
        for (int r = 0; r < l.rows(); r++) {
            for (Phase p : phases.get(r)) {
                int x0 = (int) Math.round(l.x(p.start_s())), x1 = (int) Math.round(l.x(p.end_s()));
                g.fillRect(x0, l.rowTop(r) + INSET, Math.max(1, x1 - x0), ROW - 2 * INSET);
            }
        }
        g.setColor(FRAME);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(l.left(), l.top(), plotWidth, l.bottom() - l.top());

        Font label = new Font(Font.SANS_SERIF, Font.BOLD, 14), small = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        g.setColor(TEXT);
        g.setFont(label);
        FontMetrics fm = g.getFontMetrics();
        double total = l.t1_s() - l.t0_s();
        for (int r = 0; r < l.rows(); r++) {
            int baseline = l.rowCenter(r) + (fm.getAscent() - fm.getDescent()) / 2;
            g.drawString(feet.get(r), l.left() - 10 - fm.stringWidth(feet.get(r)), baseline);
        }
        g.setFont(small);
        fm = g.getFontMetrics();
        for (int r = 0; r < l.rows(); r++) {
            double stance = 0;
            for (Phase p : phases.get(r)) {
                stance += p.end_s() - p.start_s();
            }
            int baseline = l.rowCenter(r) + (fm.getAscent() - fm.getDescent()) / 2;
            g.drawString(String.format(Locale.ROOT, "duty %.0f%%", 100 * stance / total), l.right() + 10, baseline);
        }
        for (long k = (long) Math.ceil(l.t0_s() / tick - 1e-9); k * tick <= l.t1_s() + 1e-9 * tick; k++) {
            String s = tickLabel(k * tick, tick);
            int x = (int) Math.round(l.x(k * tick));
            g.drawLine(x, l.bottom(), x, l.bottom() + 4);
            g.drawString(s, x - fm.stringWidth(s) / 2, l.bottom() + 6 + fm.getAscent());
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        fm = g.getFontMetrics();
        String axis = "time (s)";
        g.drawString(axis, l.left() + (plotWidth - fm.stringWidth(axis)) / 2, l.bottom() + 26 + fm.getAscent());
        // Legend: a bar swatch and what it means.
        g.setFont(small);
        fm = g.getFontMetrics();
        int ly = l.bottom() + 52;
        g.setColor(BAR);
        g.fillRect(l.left(), ly, 28, 12);
        g.setColor(TEXT);
        g.drawString("stance (foot on the ground); gaps: swing", l.left() + 36, ly + 11);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        fm = g.getFontMetrics();
        String t = title == null ? "gait" : title;
        g.drawString(t, Math.max(4, (l.width() - fm.stringWidth(t)) / 2), 14 + fm.getAscent());
    }

    /** A round tick spacing (1, 2 or 5 times a power of ten) giving at most about 20 ticks over {@code span_s}. */
    static double tickStep(double span_s) {
        double raw = span_s / 20, p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[]{1, 2, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String tickLabel(double t, double tick) {
        int decimals = tick >= 1 ? 0 : (int) Math.ceil(-Math.log10(tick) - 1e-9);
        double v = Math.abs(t) < tick * 1e-6 ? 0 : t;
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}

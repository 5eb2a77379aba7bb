package trot.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gait diagram: a bar in each foot's row exactly where that foot is in stance, and nowhere else. */
class GaitPlotTest {
    static final double DT = 0.05;
    static final List<String> FEET = List.of("FR", "FL", "RR", "RL");

    /** 4 s at 20 Hz; every foot a different pattern, so a swapped row or a shifted phase shows. */
    static double[][] contacts(double[] time) {
        double[][] c = new double[4][time.length];
        for (int i = 0; i < time.length; i++) {
            double mid = time[i] - DT / 2;          // the middle of sample i's control period
            c[0][i] = (mid < 1.0 || (mid > 2.0 && mid < 3.0)) ? 1 : 0;            // FR
            c[1][i] = ((mid > 0.5 && mid < 1.5) || (mid > 2.5 && mid < 3.5)) ? 1 : 0;   // FL
            c[2][i] = ((int) (mid / 0.3)) % 2 == 0 ? 1 : 0;                    // RR: 0.3 s on, 0.3 s off
            c[3][i] = (mid > 3.0 && mid < 3.2) ? 1 : 0;                        // RL: one short stance
        }
        return c;
    }

    static double[] times(int n) {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = (i + 1) * DT;
        }
        return t;
    }

    @Test
    void barsAreExactlyWhereTheStancePhasesAre(@TempDir Path dir) throws Exception {
        double[] time = times(80);
        double[][] contact = contacts(time);
        Path png = dir.resolve("gait.png");
        GaitPlot.Layout l = GaitPlot.write(png, "test gait", FEET, time, contact, DT);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(l.width(), img.getWidth());
        assertEquals(l.height(), img.getHeight());
        assertEquals(0.0, l.t0_s(), 1e-12);
        assertEquals(4.0, l.t1_s(), 1e-12);
        int bar = GaitPlot.BAR.getRGB() & 0xFFFFFF;
        int checked = 0;
        for (int r = 0; r < 4; r++) {
            assertTrue(l.rowTop(r) >= l.top() && l.rowTop(r) + GaitPlot.ROW <= l.bottom(), "row " + r + " in the plot");
            for (int i = 0; i < time.length; i++) {
                int x = (int) Math.floor(l.x(time[i] - DT / 2));
                for (int y : new int[]{l.rowCenter(r), l.rowTop(r) + GaitPlot.INSET + 1, l.rowTop(r) + GaitPlot.ROW - GaitPlot.INSET - 2}) {
                    boolean drawn = (img.getRGB(x, y) & 0xFFFFFF) == bar;
                    assertEquals(contact[r][i] > 0.5, drawn, FEET.get(r) + " at t = " + (time[i] - DT / 2) + " s (x " + x
                            + ", y " + y + ")");
                    checked++;
                }
                // Between rows (the bars' inset) there is never a bar.
                assertFalse((img.getRGB(x, l.rowTop(r) + 2) & 0xFFFFFF) == bar, "a bar spills into the gap above row " + r);
            }
        }
        assertEquals(4 * 80 * 3, checked);
        // No bar colour outside the plot area.
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                boolean inside = x >= l.left() && x <= l.right() && y >= l.top() && y <= l.bottom();
                boolean legend = y > l.bottom() + 40;
                if (!inside && !legend) {
                    assertFalse((img.getRGB(x, y) & 0xFFFFFF) == bar, "bar colour at (" + x + ", " + y + ")");
                }
            }
        }
        // Labels and axis text are drawn: ink left of the rows and below the axis.
        assertTrue(ink(img, 0, l.top(), l.left() - 2, l.bottom()) > 20, "foot labels");
        assertTrue(ink(img, l.left(), l.bottom() + 6, l.right(), l.bottom() + 40) > 50, "tick labels and the axis title");
    }

    static int ink(BufferedImage img, int x0, int y0, int x1, int y1) {
        int n = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void stancePhasesJoinConsecutiveSamples() {
        double[] time = times(10);
        double[] c = {1, 1, 0, 0, 1, Double.NaN, 1, 1, 1, 0};
        List<GaitPlot.Phase> p = GaitPlot.stancePhases(time, c, DT);
        assertEquals(3, p.size(), p.toString());
        assertEquals(0.0, p.get(0).start_s(), 1e-12);
        assertEquals(0.10, p.get(0).end_s(), 1e-12);
        assertEquals(0.20, p.get(1).start_s(), 1e-12);
        assertEquals(0.25, p.get(1).end_s(), 1e-12);
        assertEquals(0.30, p.get(2).start_s(), 1e-12);
        assertEquals(0.45, p.get(2).end_s(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> GaitPlot.stancePhases(new double[]{0.1, 0.1}, new double[]{1, 1}, DT));
        assertThrows(IllegalArgumentException.class, () -> GaitPlot.stancePhases(time, new double[3], DT));
        assertThrows(IllegalArgumentException.class, () -> GaitPlot.write(Path.of("x.png"), "t", FEET, time,
                new double[3][10], DT));
    }

    @Test
    void ticksAreRound() {
        assertEquals(1.0, GaitPlot.tickStep(20), 1e-12);
        assertEquals(0.2, GaitPlot.tickStep(4), 1e-12);
        assertEquals(0.5, GaitPlot.tickStep(8), 1e-12);
    }
}

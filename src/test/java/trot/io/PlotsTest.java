package trot.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PNG line plots: a readable image of the right size, gaps for NaN, atomic replacement. */
class PlotsTest {
    @TempDir
    Path dir;

    static Plots.Series curve(String name, int n, double phase) {
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i * 1000.0;
            y[i] = -1500 + 1300 * (1 - Math.exp(-i / 30.0)) + 50 * Math.sin(i / 5.0 + phase);
        }
        return new Plots.Series(name, x, y);
    }

    /** Fraction of pixels that are not pure white. */
    static double inkFraction(BufferedImage img) {
        long ink = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF) {
                    ink++;
                }
            }
        }
        return ink / (double) (img.getWidth() * img.getHeight());
    }

    @Test
    void writesAReadablePngOfTheRightSize() throws IOException {
        Path png = dir.resolve("plots/return.png");
        Plots.linePlot(png, "Pendulum, SAC", "environment steps", "episode return",
                List.of(curve("seed 1", 200, 0), curve("seed 2", 200, 1)));
        assertTrue(Files.isRegularFile(png));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(800, img.getWidth());
        assertEquals(500, img.getHeight());
        assertEquals(0xFFFFFF, img.getRGB(2, 2) & 0xFFFFFF, "white background");
        double ink = inkFraction(img);
        assertTrue(ink > 0.005 && ink < 0.5, "fraction of non-white pixels " + ink);
        assertFalse(Files.exists(AtomicFiles.tempFor(png)), "no temporary file is left behind");
    }

    @Test
    void textIsDrawn() throws IOException {
        // The same plot with and without a long title differs in the title band: text rendering works.
        Path a = dir.resolve("a.png"), b = dir.resolve("b.png");
        List<Plots.Series> s = List.of(curve("return", 50, 0));
        Plots.linePlot(a, "", "x", "y", s);
        Plots.linePlot(b, "A TITLE THAT NEEDS FONTS", "x", "y", s);
        BufferedImage ia = ImageIO.read(a.toFile()), ib = ImageIO.read(b.toFile());
        int differ = 0;
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < ia.getWidth(); x++) {
                differ += ia.getRGB(x, y) != ib.getRGB(x, y) ? 1 : 0;
            }
        }
        assertTrue(differ > 100, "the title changed only " + differ + " pixels");
    }

    @Test
    void nanAndInfinitiesAreGapsNotErrors() throws IOException {
        Path png = dir.resolve("gaps.png");
        double[] x = {0, 1, 2, Double.NaN, 4, 5, 6, 7};
        double[] y = {1, 2, Double.NaN, 3, 4, Double.POSITIVE_INFINITY, 2, 1};
        double[] none = {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        Plots.linePlot(png, "gaps", "x", "y", List.of(new Plots.Series("gappy", x, y), new Plots.Series("missing", x, none)));
        assertEquals(800, ImageIO.read(png.toFile()).getWidth());
        Plots.linePlot(png, "nothing yet", "x", "y", List.of(new Plots.Series("missing", x, none)));
        Plots.linePlot(png, "empty", "x", "y", List.of(new Plots.Series("empty", new double[0], new double[0])));
        Plots.linePlot(png, "one point", "x", "y", List.of(Plots.Series.of("one", new double[]{3})));
        assertEquals(500, ImageIO.read(png.toFile()).getHeight());
    }

    @Test
    void replacesAnExistingImageAndLeavesItWhenWritingFails() throws IOException {
        Path png = dir.resolve("loss.png");
        Plots.linePlot(png, "first", "x", "y", List.of(curve("a", 20, 0)));
        byte[] first = Files.readAllBytes(png);
        Plots.linePlot(png, "second", "x", "y", List.of(curve("a", 20, 2)), 640, 400);
        byte[] second = Files.readAllBytes(png);
        assertFalse(java.util.Arrays.equals(first, second));
        assertEquals(640, ImageIO.read(png.toFile()).getWidth());

        Files.createDirectory(AtomicFiles.tempFor(png));           // the temporary file cannot be written
        assertThrows(IOException.class, () -> Plots.linePlot(png, "third", "x", "y", List.of(curve("a", 20, 4))));
        assertArrayEquals(second, Files.readAllBytes(png), "a failed write must keep the previous image");
    }

    @Test
    void badArgumentsAreRejected() {
        Path png = dir.resolve("bad.png");
        assertThrows(IllegalArgumentException.class, () -> new Plots.Series("s", new double[2], new double[3]));
        assertThrows(IllegalArgumentException.class, () -> new Plots.Series("", new double[2], new double[2]));
        assertThrows(IllegalArgumentException.class, () -> Plots.linePlot(png, "t", "x", "y", List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> Plots.linePlot(png, "t", "x", "y", List.of(curve("a", 5, 0), curve("a", 5, 1))));
        assertThrows(IllegalArgumentException.class, () -> Plots.linePlot(png, "t", "x", "y", List.of(curve("a", 5, 0)), 50, 50));
        assertFalse(Files.exists(png));
    }

    @Test
    void plottingIsHeadless() throws IOException {
        Plots.linePlot(dir.resolve("h.png"), "t", "x", "y", List.of(curve("a", 5, 0)));
        assertEquals("true", System.getProperty("java.awt.headless"), "Plots sets headless mode unless told otherwise");
        assertTrue(java.awt.GraphicsEnvironment.isHeadless());
    }
}

package trot.testing;

import org.jblas.FloatMatrix;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Tensor comparison with a stated tolerance: the largest absolute difference must not exceed
 * {@code tol * max(|reference|)} (with a floor of {@code tol * 1e-6} for an all-zero reference).
 * A failure message names the worst element of every failing tensor; {@link #close} also prints a
 * one-line summary of each comparison, so a test log shows how much margin each tensor has.
 */
public final class Compare {
    private Compare() {
    }

    /** The error of {@code actual} against {@code expected}, relative to the largest reference magnitude. */
    public static double relativeError(float[] actual, float[] expected) {
        double maxRef = 0, maxErr = 0;
        for (int i = 0; i < expected.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
            maxErr = Math.max(maxErr, Math.abs((double) actual[i] - expected[i]));
        }
        return maxErr / Math.max(maxRef, 1e-6);
    }

    public static void close(String what, FloatMatrix actual, FloatMatrix expected, double tol) {
        if (actual.rows != expected.rows || actual.columns != expected.columns) {
            fail(what + ": shape " + actual.rows + "x" + actual.columns + " vs reference " + expected.rows + "x"
                    + expected.columns);
        }
        close(what, actual.data, expected.data, actual.rows, tol);
    }

    public static void close(String what, float[] actual, float[] expected, int rows, double tol) {
        close(what, actual, expected, rows, tol, Double.NaN);
    }

    /**
     * As {@link #close(String, float[], float[], int, double)}, but relative to {@code scale} when it is a number
     * (for example the largest magnitude of a whole network, so that a one-element bias near zero is judged
     * against the network it belongs to).
     */
    public static void close(String what, float[] actual, float[] expected, int rows, double tol, double scale) {
        if (actual.length < expected.length) {
            fail(what + ": " + actual.length + " elements vs reference " + expected.length);
        }
        double maxRef = 0;
        for (float e : expected) {
            maxRef = Math.max(maxRef, Math.abs(e));
        }
        if (!Double.isNaN(scale)) {
            maxRef = scale;
        }
        scale = Math.max(maxRef, 1e-6);
        int worst = -1;
        double worstErr = -1;
        for (int i = 0; i < expected.length; i++) {
            double err = Float.isNaN(actual[i]) ? Double.POSITIVE_INFINITY : Math.abs((double) actual[i] - expected[i]);
            if (err > worstErr) {
                worstErr = err;
                worst = i;
            }
        }
        double rel = worstErr / scale;
        String at = worst < 0 ? "" : String.format(" at [%d,%d] (java %.9g, reference %.9g)",
                worst % Math.max(rows, 1), worst / Math.max(rows, 1), actual[worst], expected[worst]);
        System.out.printf("  %-40s worst error %.3e of max|ref| %.3e (tolerance %.1e)%s%n", what, rel, maxRef, tol,
                rel > tol ? at : "");
        if (!(rel <= tol)) {
            fail(what + ": worst error " + String.format("%.3e", rel) + " x max|ref| exceeds tolerance " + tol + at);
        }
    }
}

package trot.env;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The filter against an independent derivation: the digital frequency response computed from its coefficients must
 * be the analog Butterworth magnitude {@code 1 / sqrt(1 + (W / W_c)^4)} at the bilinear transform's warped frequency
 * {@code W = 2 f_s tan(pi f / f_s)}; the step response's overshoot must be the 2nd-order Butterworth's
 * {@code exp(-pi)}; and the seeding must hold a constant input still.
 */
class ButterworthLowPassTest {
    static final double FC = 3, FS = 20;

    /** |H(e^{j 2 pi f / f_s})| of the biquad with coefficients c = {b0, b1, b2, a1, a2}. */
    static double digitalGain(double[] c, double f, double fs) {
        double w = 2 * Math.PI * f / fs;
        double nr = c[0] + c[1] * Math.cos(w) + c[2] * Math.cos(2 * w), ni = -c[1] * Math.sin(w) - c[2] * Math.sin(2 * w);
        double dr = 1 + c[3] * Math.cos(w) + c[4] * Math.cos(2 * w), di = -c[3] * Math.sin(w) - c[4] * Math.sin(2 * w);
        return Math.hypot(nr, ni) / Math.hypot(dr, di);
    }

    /** The analog 2nd-order Butterworth's gain at the analog frequency the bilinear transform maps f to. */
    static double analogGainWarped(double f, double fc, double fs) {
        double ratio = Math.tan(Math.PI * f / fs) / Math.tan(Math.PI * fc / fs);
        return 1 / Math.sqrt(1 + Math.pow(ratio, 4));
    }

    @Test
    void frequencyResponseIsTheWarpedAnalogButterworth() {
        ButterworthLowPass f = new ButterworthLowPass(1, FC, FS);
        double[] c = new double[5];
        f.coefficients(c);
        assertEquals(1, digitalGain(c, 0, FS), 1e-12, "gain 1 at DC");
        assertEquals(1 / Math.sqrt(2), digitalGain(c, FC, FS), 1e-12, "-3 dB at the cutoff (pre-warped)");
        assertEquals(0, digitalGain(c, FS / 2, FS), 1e-12, "0 at the Nyquist frequency");
        for (double hz : new double[]{0.5, 1, 2, 4, 6, 8, 9.5}) {
            assertEquals(analogGainWarped(hz, FC, FS), digitalGain(c, hz, FS), 1e-12, "gain at " + hz + " Hz");
        }
        double previous = 1 + 1e-12;
        for (int i = 0; i <= 1000; i++) {
            double g = digitalGain(c, FS / 2 * i / 1000.0, FS);
            assertTrue(g < previous, "the gain falls monotonically: " + g + " at " + FS / 2 * i / 1000.0 + " Hz after " + previous);
            previous = g;
        }
        // Unity DC gain exactly from the coefficients, and a real low-pass (no gain at Nyquist: b0 - b1 + b2 = 0).
        assertEquals(1 + c[3] + c[4], c[0] + c[1] + c[2], 1e-15);
        assertEquals(0, c[0] - c[1] + c[2], 1e-15);
    }

    @Test
    void coefficientsAgreeWithScipy() {
        // scipy.signal.butter(2, 3, fs=20) (SciPy 1.17, an independent implementation of the same design):
        // b = [0.13110644, 0.26221288, 0.13110644], a = [1, -0.74778918, 0.27221494].
        double[] c = new double[5];
        new ButterworthLowPass(12, FC, FS).coefficients(c);
        assertArrayEquals(new double[]{0.13110644, 0.26221288, 0.13110644, -0.74778918, 0.27221494}, c, 1e-8);
    }

    @Test
    void theFilterRealisesItsFrequencyResponse() {
        // A sine at 2 Hz through the filter: its steady-state amplitude is the gain computed above (a check of the
        // difference equation, not only of the coefficients).
        ButterworthLowPass f = new ButterworthLowPass(1, FC, FS);
        f.reset(new float[]{0f});
        float[] in = new float[1], out = new float[1];
        double hz = 2, peak = 0;
        for (int t = 0; t < 2000; t++) {
            in[0] = (float) Math.sin(2 * Math.PI * hz * t / FS);
            f.filter(in, out);
            if (t >= 1000) {
                peak = Math.max(peak, Math.abs(out[0]));
            }
        }
        // Sampled at 20 Hz a 2 Hz sine has samples at its peaks (every 10 samples, phase aside): bound from both sides.
        double g = analogGainWarped(hz, FC, FS);
        assertTrue(peak <= g + 1e-6 && peak > g * Math.cos(Math.PI * hz / FS), "steady amplitude " + peak + ", gain " + g);
    }

    @Test
    void aStepOvershootsByAbout4Point3Percent() {
        // At a high sample rate the digital filter approaches the analog one: overshoot exp(-pi) = 4.32 %.
        ButterworthLowPass fine = new ButterworthLowPass(1, FC, 2000);
        assertEquals(Math.exp(-Math.PI), overshoot(fine, 4000), 2e-4);
        // At the control rate (20 Hz, the robot's filter: f_c / f_s = 0.15) the bilinear transform's frequency warping
        // shows in the time response: 6.23 % (scipy.signal.lfilter of butter(2, 3, fs=20) on a step: 0.0622631).
        ButterworthLowPass control = new ButterworthLowPass(1, FC, FS);
        assertEquals(0.0622631, overshoot(control, 200), 1e-6);
    }

    static double overshoot(ButterworthLowPass f, int samples) {
        f.reset(new float[]{0f});
        float[] one = {1f}, out = new float[1];
        double max = 0, last = 0;
        for (int t = 0; t < samples; t++) {
            f.filter(one, out);
            max = Math.max(max, out[0]);
            last = out[0];
        }
        assertEquals(1, last, 1e-6, "settles at the input");
        return max - 1;
    }

    @Test
    void aSeededHistoryHoldsAConstantInputStill() {
        float[] q = {0.05f, 0.7f, -1.4f, -0.05f, 0.9f, -1.8f};
        ButterworthLowPass f = new ButterworthLowPass(q.length, FC, FS);
        f.reset(q);
        float[] out = new float[q.length];
        for (int t = 0; t < 1000; t++) {
            f.filter(q, out);
            assertArrayEquals(q, out, "a constant input equal to the seed comes out unchanged, step " + t);
        }
        // Seeded elsewhere (zeros), the same input is not constant at first: the seed is what holds it.
        f.reset(new float[q.length]);
        f.filter(q, out);
        assertTrue(Math.abs(out[1]) < 0.7f * 0.5f, "from a zero history the first output is far from 0.7: " + out[1]);
    }

    @Test
    void channelsAreIndependentAndTheOutputMayAliasTheInput() {
        ButterworthLowPass a = new ButterworthLowPass(2, FC, FS), b = new ButterworthLowPass(1, FC, FS);
        a.reset(new float[]{0f, 5f});
        b.reset(new float[]{0f});
        float[] inA = new float[2], outA = new float[2], inB = new float[1], outB = new float[1];
        float[] inPlace = new float[2];
        ButterworthLowPass c = new ButterworthLowPass(2, FC, FS);
        c.reset(new float[]{0f, 5f});
        for (int t = 0; t < 50; t++) {
            inA[0] = inB[0] = (float) Math.sin(t * 0.7);
            inA[1] = 5f;
            a.filter(inA, outA);
            b.filter(inB, outB);
            assertEquals(outB[0], outA[0], "channel 0 does not see channel 1, step " + t);
            assertEquals(5f, outA[1], "channel 1 holds its constant, step " + t);
            inPlace[0] = inA[0];
            inPlace[1] = inA[1];
            c.filter(inPlace, inPlace);
            assertArrayEquals(outA, inPlace, "in place equals out of place, step " + t);
        }
    }

    @Test
    void badConfigurationAndInputAreRefusedWithAReason() {
        refused(() -> new ButterworthLowPass(0, FC, FS), "at least 1 channel");
        refused(() -> new ButterworthLowPass(12, 0, FS), "positive");
        refused(() -> new ButterworthLowPass(12, -3, FS), "positive");
        refused(() -> new ButterworthLowPass(12, FC, 0), "positive");
        refused(() -> new ButterworthLowPass(12, Double.NaN, FS), "positive");
        refused(() -> new ButterworthLowPass(12, FC, Double.POSITIVE_INFINITY), "finite");
        refused(() -> new ButterworthLowPass(12, 10, 20), "Nyquist", "10.0 Hz");
        refused(() -> new ButterworthLowPass(12, 15, 20), "Nyquist");
        ButterworthLowPass f = new ButterworthLowPass(3, FC, FS);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> f.filter(new float[3], new float[3]));
        assertTrue(e.getMessage().contains("reset"), e.getMessage());
        refused(() -> f.reset(new float[2]), "expected 3 values", "got 2");
        refused(() -> f.reset(new float[]{0f, Float.NaN, 0f}), "channel 1", "NaN");
        f.reset(new float[3]);
        refused(() -> f.filter(new float[4], new float[3]), "input", "got 4");
        refused(() -> f.filter(new float[3], new float[2]), "output", "got 2");
        // Just below the Nyquist frequency is a valid (if pointless) filter.
        new ButterworthLowPass(1, 9.99, 20);
    }

    static void refused(Executable call, String... words) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "message \"" + e.getMessage() + "\" should mention \"" + w + "\"");
        }
    }

    @Test
    void filteringAllocatesNothing() {
        ButterworthLowPass f = new ButterworthLowPass(12, FC, FS);
        float[] in = new float[12], out = new float[12];
        f.reset(in);
        Runnable step = () -> {
            in[3] += 0.01f;
            f.filter(in, out);
        };
        long[] windows = trot.testing.Allocations.windows(step, 20_000, 1000, 4);
        assertEquals(0, java.util.Arrays.stream(windows).min().orElseThrow(), trot.testing.Allocations.describe(windows, 1000));
    }
}

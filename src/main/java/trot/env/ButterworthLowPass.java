package trot.env;

/**
 * A 2nd-order Butterworth low-pass filter on {@code channels} independent channels (one per joint), run at a fixed
 * sample rate: the action filter of the paper's real robot (cutoff 3 Hz at the 20 Hz control rate), which takes the
 * edge off 20 Hz steps of the joint targets.
 *
 * <h2>Coefficients</h2>
 * The analog prototype {@code H(s) = W^2 / (s^2 + sqrt(2) W s + W^2)}, with its cutoff pre-warped so that the
 * digital filter's -3 dB point is exactly {@code f_c}: {@code W = 2 f_s tan(pi f_c / f_s)}; then the bilinear
 * transform {@code s = 2 f_s (1 - z^-1) / (1 + z^-1)}. With {@code K = tan(pi f_c / f_s)} and
 * {@code n = 1 + sqrt(2) K + K^2}:
 * <pre>
 *   b0 = K^2 / n,  b1 = 2 b0,  b2 = b0,
 *   a1 = 2 (K^2 - 1) / n,  a2 = (1 - sqrt(2) K + K^2) / n,
 *   y[t] = b0 x[t] + b1 x[t-1] + b2 x[t-2] - a1 y[t-1] - a2 y[t-2]      (direct form I, in double precision)
 * </pre>
 * (the same as {@code scipy.signal.butter(2, f_c, fs=f_s)}). The gain is 1 at DC ({@code b0 + b1 + b2 = 1 + a1 + a2}),
 * {@code 1/sqrt(2)} at {@code f_c} and 0 at the Nyquist frequency, falling monotonically in between. The analog
 * prototype's unit step overshoots by {@code exp(-pi)} = 4.3 % (damping {@code 1/sqrt(2)}); the digital filter's does
 * so when {@code f_c << f_s}, and by 6.2 % at 3 Hz and 20 Hz, where the frequency warping shows in the time response.
 *
 * <h2>Use</h2>
 * {@link #reset} seeds the history (inputs and outputs) with one value per channel, as if that value had been the
 * input forever: the reference seeds it with the measured joint angles at the start of an episode, so the first
 * filtered targets start where the joints are. Then {@link #filter} once per sample. Neither allocates; the filter
 * is not thread-safe (one control thread).
 */
public final class ButterworthLowPass {
    private final int channels;
    private final double cutoff_Hz, sampleRate_Hz;
    private final double b0, b1, b2, a1, a2;
    /** Per channel: x[t-1], x[t-2], y[t-1], y[t-2]. */
    private final double[] x1, x2, y1, y2;
    private boolean seeded;

    /**
     * @param channels      independent channels, at least 1
     * @param cutoff_Hz     the -3 dB frequency, positive and below the Nyquist frequency {@code sampleRate_Hz / 2}
     * @param sampleRate_Hz samples per second (the control rate), positive
     * @throws IllegalArgumentException for a channel count below 1, a non-positive or non-finite frequency, or a cutoff
     *                                  at or above the Nyquist frequency
     */
    public ButterworthLowPass(int channels, double cutoff_Hz, double sampleRate_Hz) {
        if (channels < 1) {
            throw new IllegalArgumentException("ButterworthLowPass: needs at least 1 channel, got " + channels);
        }
        if (!(sampleRate_Hz > 0) || !Double.isFinite(sampleRate_Hz) || !(cutoff_Hz > 0) || !Double.isFinite(cutoff_Hz)) {
            throw new IllegalArgumentException("ButterworthLowPass: the cutoff and the sample rate must be positive and"
                    + " finite, got cutoff " + cutoff_Hz + " Hz and sample rate " + sampleRate_Hz + " Hz");
        }
        if (!(cutoff_Hz < sampleRate_Hz / 2)) {
            throw new IllegalArgumentException("ButterworthLowPass: the cutoff " + cutoff_Hz + " Hz must be below the"
                    + " Nyquist frequency " + sampleRate_Hz / 2 + " Hz (half the sample rate " + sampleRate_Hz
                    + " Hz); lower the cutoff or raise the sample rate");
        }
        this.channels = channels;
        this.cutoff_Hz = cutoff_Hz;
        this.sampleRate_Hz = sampleRate_Hz;
        double k = Math.tan(Math.PI * cutoff_Hz / sampleRate_Hz), r2 = Math.sqrt(2);
        double n = 1 + r2 * k + k * k;
        b0 = k * k / n;
        b1 = 2 * b0;
        b2 = b0;
        a1 = 2 * (k * k - 1) / n;
        a2 = (1 - r2 * k + k * k) / n;
        x1 = new double[channels];
        x2 = new double[channels];
        y1 = new double[channels];
        y2 = new double[channels];
    }

    /**
     * Seeds every channel's history with {@code initial}: a constant input equal to {@code initial} then comes out
     * unchanged.
     *
     * @throws IllegalArgumentException when {@code initial} does not have one finite value per channel
     */
    public void reset(float[] initial) {
        checkLength("reset", initial);
        for (int i = 0; i < channels; i++) {
            if (!Float.isFinite(initial[i])) {
                throw new IllegalArgumentException("ButterworthLowPass.reset: channel " + i + " is " + initial[i]
                        + "; seed the filter with finite values (the measured joint angles)");
            }
        }
        for (int i = 0; i < channels; i++) {
            x1[i] = x2[i] = y1[i] = y2[i] = initial[i];
        }
        seeded = true;
    }

    /**
     * One sample per channel: {@code out[i] = y[t]} of channel {@code i} for the input {@code in[i] = x[t]}.
     * {@code out} may be the same array as {@code in} (each channel's input is read before its output is written).
     *
     * @throws IllegalStateException    before the first {@link #reset}
     * @throws IllegalArgumentException when an array does not have one value per channel
     */
    public void filter(float[] in, float[] out) {
        if (!seeded) {
            throw new IllegalStateException("ButterworthLowPass.filter: the history is not seeded; call reset(initial)"
                    + " with the measured joint angles at the start of the episode first");
        }
        checkLength("filter (input)", in);
        checkLength("filter (output)", out);
        for (int i = 0; i < channels; i++) {
            double x = in[i];
            double y = b0 * x + b1 * x1[i] + b2 * x2[i] - a1 * y1[i] - a2 * y2[i];
            x2[i] = x1[i];
            x1[i] = x;
            y2[i] = y1[i];
            y1[i] = y;
            out[i] = (float) y;
        }
    }

    private void checkLength(String method, float[] a) {
        if (a == null || a.length != channels) {
            throw new IllegalArgumentException("ButterworthLowPass." + method + ": expected " + channels + " values (one"
                    + " per channel), got " + (a == null ? "null" : a.length));
        }
    }

    public int channels() {
        return channels;
    }

    public double cutoff_Hz() {
        return cutoff_Hz;
    }

    public double sampleRate_Hz() {
        return sampleRate_Hz;
    }

    /** The coefficients {b0, b1, b2, a1, a2} (with {@code a0 = 1}) into {@code out}, which needs 5 entries. */
    public void coefficients(double[] out) {
        out[0] = b0;
        out[1] = b1;
        out[2] = b2;
        out[3] = a1;
        out[4] = a2;
    }
}

package trot.nn;

/**
 * LayerNorm's loops in C ({@code native/trotnn.c}, built as {@code native/build/libtrotnn.so}), where they
 * vectorise as written; the Java loops in {@link LayerNorm} are the fallback and the reference (bitwise the same
 * results, but for the parameter gradients' summation order). Loaded by {@link trot.util.NativeLoader} when this
 * class initialises ({@code -Dtrot.native.dir}, {@code java.library.path}, or the copy in trot's jar, which is refused
 * on a CPU without the flags of the machine that built it); {@code -Dtrot.kernels=java} keeps the Java loops. The
 * choice is logged once ({@code trot.nn}, INFO).
 */
final class NativeKernels {
    /** True when the C kernels are in use. */
    static final boolean AVAILABLE;
    /** One line: the library and its compiler flags, or why the Java loops run. */
    static final String DESCRIPTION;

    static {
        boolean ok = false;
        String description;
        if ("java".equals(System.getProperty("trot.kernels"))) {
            description = "Java LayerNorm loops (trot.kernels=java)";
        } else {
            trot.util.NativeLoader.Library library = trot.util.NativeLoader.load("trotnn");
            if (library.loaded()) {
                description = "native LayerNorm kernels (" + library.file() + ", " + library.source() + ": "
                        + describe() + ")";
                ok = true;
            } else {
                description = "Java LayerNorm loops: " + library.error() + "; build native/ (gcc, make) for the faster"
                        + " C kernels";
            }
        }
        AVAILABLE = ok;
        DESCRIPTION = description;
        System.getLogger("trot.nn").log(System.Logger.Level.INFO, DESCRIPTION);
    }

    private NativeKernels() {
    }

    static native void layerNormForward(float[] x, float[] y, float[] xhat, float[] gain, float[] bias, int batch,
                                        int features, float eps, float[] mean, float[] rstd);

    /** {@code dgain}, {@code dbias} and {@code dx} may each be null (not computed). */
    static native void layerNormBackward(float[] dy, float[] xhat, float[] gain, float[] rstd, int batch, int features,
                                         float[] dgain, float[] dbias, float[] dx);

    /**
     * Dropout -> LayerNorm -> ReLU forward in one pass pair (native/trotnn.c fused_forward): bitwise
     * {@link Dropout}, {@link LayerNorm} and {@link Relu} one after the other, without their intermediate outputs.
     */
    static native void dropoutLayerNormReluForward(float[] z, int batch, int features, float scale, int[] dropped,
                                                   int count, float[] xhat, float[] gain, float[] bias, float eps,
                                                   float[] mean, float[] rstd, float[] out);

    /**
     * {@link #dropoutLayerNormReluForward} for a network that is not back-propagated afterwards: the block's output
     * is written over {@code z} (bitwise the same values), and neither xhat nor the statistics are kept.
     */
    static native void dropoutLayerNormReluInference(float[] z, int batch, int features, float scale, int[] dropped,
                                                     int count, float[] gain, float[] bias, float eps);

    /** The backward of {@link #dropoutLayerNormReluForward}; {@code dgain}, {@code dbias} and {@code dz} may be null. */
    static native void dropoutLayerNormReluBackward(float[] dout, float[] out, float[] xhat, float[] gain, float[] rstd,
                                                    int batch, int features, float[] dgain, float[] dbias, float scale,
                                                    int[] dropped, int count, float[] dz);

    static native String describe();
}

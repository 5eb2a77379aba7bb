package trot.blas;

/**
 * oneDNN's matmul primitive behind BLAS's gemm formula, through libtrotdnnl.so (native/trotdnnl.c, over Debian's
 * libdnnl2; loaded by {@link trot.util.NativeLoader}): {@code C = alpha op(A) op(B) + beta C} on column-major arrays, in f32, or with both
 * factors rounded to bf16 and the sum kept in f32. Primitives are cached per shape and thread; a call
 * allocates nothing on the Java heap and runs on the calling thread.
 *
 * <p>Use it through {@link Blas#gemm(Products, boolean, boolean, float, org.jblas.FloatMatrix,
 * org.jblas.FloatMatrix, float, org.jblas.FloatMatrix)}, which checks the shapes.
 */
public final class Onednn {
    private static final trot.util.NativeLoader.Library LIBRARY;
    private static final String LOAD_ERROR;

    static {
        LIBRARY = trot.util.NativeLoader.load("trotdnnl");
        LOAD_ERROR = LIBRARY.error();
        if (LOAD_ERROR == null) {
            System.getLogger("trot.blas").log(System.Logger.Level.INFO, "oneDNN bridge " + LIBRARY.describe());
        }
    }

    private Onednn() {
    }

    /** Where libtrotdnnl.so came from, or why it did not load. */
    public static trot.util.NativeLoader.Library library() {
        return LIBRARY;
    }

    /** Whether libtrotdnnl.so loaded. */
    public static boolean available() {
        return LOAD_ERROR == null;
    }

    /**
     * Throws a clear error when oneDNN is not there.
     *
     * @throws IllegalStateException naming what is missing and how to get it
     */
    public static void requireAvailable(String what) {
        if (LOAD_ERROR != null) {
            throw new IllegalStateException(what + " needs oneDNN, but libtrotdnnl.so did not load (" + LOAD_ERROR
                    + "). " + (LOAD_ERROR.contains("libdnnl") ? "Install oneDNN (Debian: apt-get install libdnnl2)"
                    : "Install oneDNN (Debian: apt-get install libdnnl-dev) and rebuild trot (mvn package) or native/"
                    + " (bash native/build.sh)") + ", or leave precision at fp32 (OpenBLAS).");
        }
    }

    /** The oneDNN build, e.g. "oneDNN 2.6.3 (hash), CPU runtime OpenMP". */
    public static String version() {
        requireAvailable("Onednn.version");
        return nativeVersion();
    }

    /**
     * The kernel oneDNN runs for {@code C (m x n) = op(A) op(B)} with inner size {@code k}, e.g.
     * {@code brg:avx512_core} (f32), {@code brg:avx512_core_bf16} (AVX512-BF16), {@code brg:avx512_core_amx} (AMX);
     * a name starting with {@code ref} means oneDNN's slow reference code.
     */
    public static String kernel(boolean bf16, boolean transA, boolean transB, int m, int n, int k) {
        requireAvailable("Onednn.kernel");
        return nativeKernel(transA, transB, m, n, k, bf16);
    }

    /** The kernel of a 256 x 256 x 256 product, the learner's typical one. */
    public static String kernel(boolean bf16) {
        return kernel(bf16, false, false, 256, 256, 256);
    }

    /**
     * {@code C = alpha op(A) op(B) + beta C} over raw column-major arrays (no shape checks beyond the array
     * bounds; {@link Blas#gemm(Products, boolean, boolean, float, org.jblas.FloatMatrix, org.jblas.FloatMatrix,
     * float, org.jblas.FloatMatrix)} is the checked entry).
     */
    static void gemm(boolean bf16, boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
                     int lda, float[] b, int ldb, float beta, float[] c, int ldc) {
        nativeGemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bf16);
    }

    private static native void nativeGemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
                                          int lda, float[] b, int ldb, float beta, float[] c, int ldc, boolean bf16);

    private static native String nativeKernel(boolean transA, boolean transB, int m, int n, int k, boolean bf16);

    private static native String nativeVersion();
}

package trot.blas;

import org.jblas.FloatMatrix;
import org.jblas.NativeBlas;

/**
 * The BLAS products the engine uses, on whole column-major {@link FloatMatrix} operands, with the shape
 * checks jblas's {@code NativeBlas} leaves out. Allocation-free: every call goes straight to
 * {@code NativeBlas}, whichever library backs it ({@link BlasBackend}).
 *
 * <p>Outputs are arguments; an output that shares its array with an input is rejected, because BLAS
 * would read what it has already overwritten.
 */
public final class Blas {
    static {
        BlasBackend.active(); // loads jblas's library and logs which backend this JVM got, once
    }

    /** The smallest m, n and k a product must have to go to oneDNN when a oneDNN {@link Products} is chosen. */
    public static final int ONEDNN_MIN_SIZE = 8;

    private Blas() {
    }

    /** Hears about every product {@link Blas} computes (for the bound benchmark, which replays an update's shapes). */
    public interface ProductListener {
        /**
         * A product {@code C (m x n) = op(A) op(B)} with inner size {@code k}; for a gemv, {@code n == 1} and
         * {@code transB} is false.
         */
        void product(boolean gemv, boolean transA, boolean transB, int m, int n, int k);
    }

    /** Null unless a benchmark is recording shapes: one field read per product otherwise. */
    private static volatile ProductListener listener;

    /**
     * Sets (or, with null, removes) the listener told of every gemm and gemv from now on, on every thread.
     * Costs one volatile read per product when unset; not for production use, where it stays null.
     */
    public static void setProductListener(ProductListener l) {
        listener = l;
    }

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C}, where {@code op(X)} is {@code X} or its transpose.
     *
     * @throws IllegalArgumentException when the shapes do not agree or {@code C} aliases {@code A} or {@code B}
     */
    public static void gemm(boolean transA, boolean transB, float alpha, FloatMatrix a, FloatMatrix b,
                            float beta, FloatMatrix c) {
        gemm(Products.FP32, transA, transB, alpha, a, b, beta, c);
    }

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C} computed by {@code products}: OpenBLAS's sgemm
     * ({@link Products#FP32}), oneDNN's f32 matmul, or oneDNN's matmul with both factors rounded to bf16 and
     * the sum kept in fp32. Thin products (any of m, n, k below {@link #ONEDNN_MIN_SIZE}) stay on OpenBLAS
     * whatever is chosen: oneDNN gains nothing there (docs/benchmarks.md), and bf16 rounding of an outer
     * product's factors buys no speed.
     *
     * @throws IllegalArgumentException when the shapes do not agree or {@code C} aliases {@code A} or {@code B}
     * @throws IllegalStateException    when {@code products} needs oneDNN and libtrotdnnl.so is not loaded
     */
    public static void gemm(Products products, boolean transA, boolean transB, float alpha, FloatMatrix a,
                            FloatMatrix b, float beta, FloatMatrix c) {
        int m = transA ? a.columns : a.rows;
        int k = transA ? a.rows : a.columns;
        int kb = transB ? b.columns : b.rows;
        int n = transB ? b.rows : b.columns;
        if (k != kb || c.rows != m || c.columns != n) {
            throw new IllegalArgumentException("Blas.gemm: op(A) is " + m + "x" + k + ", op(B) is " + kb + "x" + n
                    + ", C is " + c.rows + "x" + c.columns + " (transA=" + transA + ", transB=" + transB + ")");
        }
        if (c.data == a.data || c.data == b.data) {
            throw new IllegalArgumentException("Blas.gemm: the output C (" + c.rows + "x" + c.columns
                    + ") shares its array with an input");
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            // BLAS leaves C untouched when k == 0 only if beta == 1; keep the formula exact.
            scale(beta, c);
            return;
        }
        ProductListener l = listener;
        if (l != null) {
            l.product(false, transA, transB, m, n, k);
        }
        if (products != Products.FP32 && m >= ONEDNN_MIN_SIZE && n >= ONEDNN_MIN_SIZE && k >= ONEDNN_MIN_SIZE) {
            Onednn.gemm(products == Products.BF16, transA, transB, m, n, k, alpha, a.data, Math.max(1, a.rows),
                    b.data, Math.max(1, b.rows), beta, c.data, Math.max(1, c.rows));
            return;
        }
        NativeBlas.sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', m, n, k, alpha,
                a.data, 0, Math.max(1, a.rows), b.data, 0, Math.max(1, b.rows), beta, c.data, 0, Math.max(1, c.rows));
    }

    /**
     * {@code y = alpha * op(A) * x + beta * y} with {@code x} and {@code y} vectors (any matrix whose length is right).
     *
     * @throws IllegalArgumentException when the lengths do not agree or {@code y} aliases {@code A} or {@code x}
     */
    public static void gemv(boolean transA, float alpha, FloatMatrix a, FloatMatrix x, float beta, FloatMatrix y) {
        int m = transA ? a.columns : a.rows;
        int n = transA ? a.rows : a.columns;
        if (x.length != n || y.length != m) {
            throw new IllegalArgumentException("Blas.gemv: op(A) is " + m + "x" + n + ", x has " + x.length
                    + " elements, y has " + y.length + " (transA=" + transA + ")");
        }
        if (y.data == a.data || y.data == x.data) {
            throw new IllegalArgumentException("Blas.gemv: the output y (" + y.length
                    + " elements) shares its array with an input");
        }
        if (a.rows == 0 || a.columns == 0) {
            scale(beta, y);
            return;
        }
        ProductListener l = listener;
        if (l != null) {
            l.product(true, transA, false, m, 1, n);
        }
        NativeBlas.sgemv(transA ? 'T' : 'N', a.rows, a.columns, alpha, a.data, 0, Math.max(1, a.rows),
                x.data, 0, 1, beta, y.data, 0, 1);
    }

    /** {@code y = alpha * x + y}, elementwise over equal-length operands. */
    public static void axpy(float alpha, FloatMatrix x, FloatMatrix y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("Blas.axpy: x has " + x.length + " elements, y has " + y.length);
        }
        NativeBlas.saxpy(x.length, alpha, x.data, 0, 1, y.data, 0, 1);
    }

    /** {@code x = alpha * x} (exact zero fill when {@code alpha == 0}, so NaNs do not survive). */
    public static void scale(float alpha, FloatMatrix x) {
        if (alpha == 0f) {
            java.util.Arrays.fill(x.data, 0, x.length, 0f);
        } else if (alpha != 1f) {
            NativeBlas.sscal(x.length, alpha, x.data, 0, 1);
        }
    }
}

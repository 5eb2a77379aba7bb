package trot.blas;

import java.util.Locale;

/**
 * Which library computes a layer's matrix products ({@link Blas#gemm(Products, boolean, boolean, float,
 * org.jblas.FloatMatrix, org.jblas.FloatMatrix, float, org.jblas.FloatMatrix)}), chosen per learner with
 * {@code --set precision=...}. Only the level-3 products change; the one-column products (gemv), the
 * elementwise work, Adam and the master weights stay fp32 whatever is chosen.
 */
public enum Products {
    /** OpenBLAS's sgemm: the audited default, the one the PyTorch fixtures are checked against. */
    FP32("fp32"),
    /**
     * oneDNN's f32 matmul: the same formula in fp32, summed in another order (a few ulp apart from OpenBLAS;
     * bitwise reproducible on one machine for any thread count).
     */
    FP32_ONEDNN("fp32-onednn"),
    /**
     * oneDNN's bf16 matmul: both factors rounded to bfloat16 (8 bits of mantissa, round to nearest even),
     * products accumulated and returned in fp32. On AMX or AVX512-BF16 CPUs several times faster.
     */
    BF16("bf16");

    /** The name {@code --set precision=} takes. */
    public final String key;

    Products(String key) {
        this.key = key;
    }

    /** The choice called {@code name} ({@code fp32}, {@code fp32-onednn} or {@code bf16}). */
    public static Products parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Products p : values()) {
            if (p.key.equals(n)) {
                return p;
            }
        }
        throw new IllegalArgumentException("precision '" + name + "' is not one of fp32 (OpenBLAS, the default), "
                + "fp32-onednn (oneDNN's f32 matmul) or bf16 (bf16 products, fp32 accumulation)");
    }

    /** True when the products go through oneDNN (native/build/libtrotdnnl.so must load). */
    public boolean usesOnednn() {
        return this != FP32;
    }
}

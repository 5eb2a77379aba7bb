/*
 * trotnn.c: LayerNorm forward and backward in C, for the native methods of trot.nn.NativeKernels.
 *
 * Why this exists
 * ---------------
 * C2 does not vectorise a loop that reads a per-sample vector at b next to a matrix at j * batch + b (it
 * cannot rule out that the two arrays are the same), so trot.nn.LayerNorm's Java loops stage every column
 * through a batch-sized scratch array, which doubles their memory traffic; in the learner the activations
 * come from L3, where that traffic is the cost. The same loops here, with restrict pointers, vectorise as
 * written: 2-3x faster (docs/benchmarks.md). The other elementwise kernels (ReLU, dropout, bias, Adam,
 * Polyak) were measured in C as well and gained nothing over C2's vectorised Java loops, so they stay Java.
 *
 * Results: bitwise those of the Java loops, except the parameter gradients (see ln_backward). Every loop
 * does the Java code's float operations in the Java code's order; the flags keep IEEE semantics: no
 * -ffast-math, -ffp-contract=off (GCC's default in GNU C mode fuses a * b + c into an FMA, which rounds once
 * where Java rounds twice), -fno-math-errno (only so that sqrt compiles to the instruction). The exception:
 * dgain += (dy * xhat)^T 1 and dbias += dy^T 1 are float sums over the batch that the Java code leaves to
 * OpenBLAS; here they are `#pragma omp simd reduction` sums, in yet another order (a few ulp apart).
 *
 * Layout (trot's): a batch x features matrix is column-major, element (b, j) at j * batch + b; all arrays
 * are float[] starting at index 0.
 *
 * Build: `make` in native/ (build.sh, run by Maven, calls it) with -O3 -march=native -fopenmp-simd
 * -fno-math-errno -ffp-contract=off, and on x86-64 -mprefer-vector-width=256. -march=native ties the
 * library to the CPU it was built on (elsewhere it may die with SIGILL); that is fine because native/ is
 * built on the machine that runs it. 256-bit rather than 512-bit vectors: a Java float[] is only 16-byte
 * aligned, and on the Zen 4 development machine 512-bit loops over such arrays were 15-25% slower.
 *
 * Pinned arrays: as in jblas_zero_copy.c, each entry point checks its arguments, pins the Java arrays
 * (GetPrimitiveArrayCritical), runs the kernel and unpins them (JNI_ABORT for arrays it only reads, 0 for
 * arrays it writes). A negative size throws IllegalArgumentException, a required null array
 * NullPointerException, an array shorter than the sizes say ArrayIndexOutOfBoundsException, before anything
 * is written. The pointers are restrict, so two arguments that are the same Java array throw
 * IllegalArgumentException (trot's layers never pass such arguments).
 */

#include <jni.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifndef TROTNN_FLAGS
#define TROTNN_FLAGS "(unknown flags)"
#endif

/* ---------------------------------------------------------------------------------------------
 * Kernels: plain C over restrict pointers; n: number of samples (batch), f: number of features.
 * ------------------------------------------------------------------------------------------- */

/*
 * mean_b, var_b over the f features of each sample in one pass over the columns (Welford's update,
 * vectorised over the samples, as the Java code does): mu_j = mu_{j-1} + (x_j - mu_{j-1}) / j,
 * M_j = M_{j-1} + (x_j - mu_{j-1}) (x_j - mu_j), var = M_f / f (biased). rstd holds M until the end.
 * rstd = 1 / sqrt(var + eps) in double, like the Java code; then xhat = (x - mean) rstd, y = gain xhat + bias.
 */
static void ln_forward(const float *restrict x, float *restrict y, float *restrict xhat,
                       const float *restrict gain, const float *restrict bias, int n, int f, float eps,
                       float *restrict mean, float *restrict rstd) {
    for (int b = 0; b < n; b++) {
        mean[b] = 0.0f;
        rstd[b] = 0.0f;
    }
    for (int j = 0; j < f; j++) {
        const float *restrict xj = x + (size_t)j * n;
        const float w = 1.0f / (float)(j + 1);
        for (int b = 0; b < n; b++) {
            const float d = xj[b] - mean[b];
            mean[b] += d * w;
            rstd[b] += d * (xj[b] - mean[b]);
        }
    }
    const float inv_f = 1.0f / (float)f;
    for (int b = 0; b < n; b++) {
        rstd[b] = (float)(1.0 / sqrt((double)(rstd[b] * inv_f + eps)));
    }
    for (int j = 0; j < f; j++) {
        const float *restrict xj = x + (size_t)j * n;
        float *restrict hj = xhat + (size_t)j * n;
        float *restrict yj = y + (size_t)j * n;
        const float gj = gain[j], bj = bias[j];
        for (int b = 0; b < n; b++) {
            const float h = (xj[b] - mean[b]) * rstd[b];
            hj[b] = h;
            yj[b] = h * gj + bj;
        }
    }
}

/*
 * One column j of LayerNorm's backward over m samples: dgain_j += sum_b dy xhat, dbias_j += sum_b dy (each when
 * not NULL), and with per_sample mg[b] += dy gain_j, mgh[b] += dy gain_j xhat. Shared by ln_backward and the
 * fused block's backward, so that both sum in the same order.
 */
static inline void ln_column_sums(const float *restrict dyj, const float *restrict hj, float gj, int m,
                                  int per_sample, float *restrict mg, float *restrict mgh,
                                  float *restrict dgain_j, float *restrict dbias_j) {
    float sg = 0.0f, sb = 0.0f;
    if (per_sample) {
#pragma omp simd reduction(+:sg, sb)
        for (int b = 0; b < m; b++) {
            const float d = dyj[b], h = hj[b], gb = d * gj;
            sg += d * h;
            sb += d;
            mg[b] += gb;
            mgh[b] += gb * h;
        }
    } else {
#pragma omp simd reduction(+:sg, sb)
        for (int b = 0; b < m; b++) {
            sg += dyj[b] * hj[b];
            sb += dyj[b];
        }
    }
    if (dgain_j != NULL) *dgain_j += sg;
    if (dbias_j != NULL) *dbias_j += sb;
}

/* Samples per block in ln_backward: the per-sample means of g and g * xhat live on the stack (4 KB). */
#define LN_BLOCK 512

/*
 * With g = dy gain: dgain_j += sum_b dy xhat, dbias_j += sum_b dy (each when not NULL), and when dx is not
 * NULL dx = rstd (g - mean_j g - xhat mean_j (g xhat)). One pass over dy and xhat gathers the column sums and
 * the per-sample sums over the features, a second writes dx (the Java code makes four passes, two of them
 * BLAS calls). Samples are processed in blocks of LN_BLOCK (one block for batch <= 512). The per-sample sums
 * run over the features in the Java code's order, so dx is the Java kernel's to the bit; the column sums are
 * vectorised reductions, in an order of the compiler's choosing (fixed for a build), as BLAS's are.
 */
static void ln_backward(const float *restrict dy, const float *restrict xhat, const float *restrict gain,
                        const float *restrict rstd, int n, int f, float *restrict dgain,
                        float *restrict dbias, float *restrict dx) {
    float mg[LN_BLOCK], mgh[LN_BLOCK];
    const float inv_f = 1.0f / (float)f;
    for (int b0 = 0; b0 < n; b0 += LN_BLOCK) {
        const int m = n - b0 < LN_BLOCK ? n - b0 : LN_BLOCK;
        const float *restrict rs = rstd + b0;
        if (dx != NULL) {
            for (int b = 0; b < m; b++) {
                mg[b] = 0.0f;
                mgh[b] = 0.0f;
            }
        }
        for (int j = 0; j < f; j++) {
            ln_column_sums(dy + (size_t)j * n + b0, xhat + (size_t)j * n + b0, gain[j], m, dx != NULL, mg, mgh,
                           dgain != NULL ? dgain + j : NULL, dbias != NULL ? dbias + j : NULL);
        }
        if (dx == NULL) continue;
        for (int b = 0; b < m; b++) {
            mg[b] *= inv_f;
            mgh[b] *= inv_f;
        }
        for (int j = 0; j < f; j++) {
            const float *restrict dyj = dy + (size_t)j * n + b0;
            const float *restrict hj = xhat + (size_t)j * n + b0;
            float *restrict dxj = dx + (size_t)j * n + b0;
            const float gj = gain[j];
            for (int b = 0; b < m; b++) {
                dxj[b] = rs[b] * (dyj[b] * gj - mg[b] - hj[b] * mgh[b]);
            }
        }
    }
}


/*
 * The DroQ hidden block Dropout -> LayerNorm -> ReLU in one kernel (trot.nn.DropoutLayerNormRelu), bitwise the
 * three layers one after the other: the same float operations in the same order, on values kept in registers
 * (forward: tiles of samples) or staged column by column in L1 (backward: n floats) instead of written to and
 * read back from two whole batch x features buffers.
 *
 * Forward: x = z * scale with the dropped units (ascending flat indices) set to 0; LayerNorm of x as ln_forward
 * (mean, rstd, xhat written); out = max(gain xhat + bias, 0) as Java's Math.max(y, 0f) (NaN stays NaN, -0 -> +0).
 * Backward: dy = dout * min(1, out 2^100 2^100) as trot.nn.Relu's backward; LayerNorm's backward as ln_backward
 * (the per-column dy, kept in dz, summed by ln_column_sums, ln_backward's own loop); dz = dx * scale, dropped units 0.
 * Either may run with scale 1 and no dropped units (LayerNorm -> ReLU without dropout): z * 1 is z exactly.
 * In place: xhat may be z (forward: each element of a tile is read before it is written) and dz may be dout
 * (backward: the first pass reads dout and writes dy at the same element, the second reads dy back from dz and
 * overwrites it, and dout is not read again), so z, dout and dz carry no restrict.
 */
#define FUSED_MAX_BATCH 4096

static inline float java_max0(float y) {
    return (y > 0.0f || y != y) ? y : 0.0f;
}

static inline float java_min1(float v) {
    return (v < 1.0f || v != v) ? v : 1.0f;
}

/*
 * The forwards work on tiles of samples: for 64 samples at a time (8 vectors of 8), the per-sample Welford
 * statistics stay in registers across the f features, then a second pass over the same tile writes xhat and
 * out. That reads z twice and writes each output once, where staging each column in L1 cost a store and two
 * loads per element on top (35-40% slower on Zen 4, 256 x 256). Each lane does one sample's operations in the
 * scalar code's order, so the results are the column-by-column kernel's to the bit. 8-float vectors through
 * GCC's vector extension (AVX on x86-64, NEON pairs elsewhere), loaded and stored through memcpy: a Java
 * float[] is only 16-byte aligned. Samples past the last whole vector run one by one (fused_sample).
 */
typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
#define TILE_VECTORS 8

static inline v8f load8(const float *p) {
    v8f v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void store8(float *p, v8f v) {
    memcpy(p, &v, sizeof v);
}

/* java_max0 per lane: y where y > 0 or y is NaN, else +0 (all bits cleared). */
static inline v8f max0_8(v8f y) {
    const v8i keep = (y > 0.0f) | (y != y);
    return (v8f)((v8i)y & keep);
}

/* The dropped units of a batch x features buffer set to +0: dropout(z) in place before the forward's z * scale
 * (0 * scale = +0, what dropout writes), and dropout's backward on dz. */
static void drop_units(float *z, const int *restrict dropped, int count) {
    for (int i = 0; i < count; i++) {
        z[dropped[i]] = 0.0f;
    }
}

/*
 * Samples [b0, b0 + 8 tv) of the block's forward over zio (dropped units already 0): mean and rstd as
 * ln_forward computes them (Welford over the features in order, mu += d / j, M += d (x - mu), rstd =
 * 1 / sqrt(M / f + eps) in double), then with out: xhat over zio and out = max(gain xhat + bias, 0); without
 * out (inference): the output over zio.
 */
static inline __attribute__((always_inline)) void fused_tile(float *zio, int n, int f, float scale, int b0, int tv,
        float eps, const float *restrict gain, const float *restrict bias, float *restrict mean,
        float *restrict rstd, float *restrict out) {
    v8f mu[TILE_VECTORS], m2[TILE_VECTORS], rs[TILE_VECTORS];
    for (int t = 0; t < tv; t++) {
        mu[t] = (v8f){0};
        m2[t] = (v8f){0};
    }
    for (int j = 0; j < f; j++) {
        const float w = 1.0f / (float)(j + 1);
        const float *zj = zio + (size_t)j * n + b0;
        for (int t = 0; t < tv; t++) {
            const v8f x = load8(zj + 8 * t) * scale;
            const v8f d = x - mu[t];
            mu[t] = mu[t] + d * w;
            m2[t] = m2[t] + d * (x - mu[t]);
        }
    }
    const float inv_f = 1.0f / (float)f;
    for (int t = 0; t < tv; t++) {
        float m[8], r[8];
        store8(m, m2[t]);
        for (int l = 0; l < 8; l++) {
            r[l] = (float)(1.0 / sqrt((double)(m[l] * inv_f + eps)));
        }
        rs[t] = load8(r);
        store8(mean + b0 + 8 * t, mu[t]);
        store8(rstd + b0 + 8 * t, rs[t]);
    }
    for (int j = 0; j < f; j++) {
        float *zj = zio + (size_t)j * n + b0;
        const float gj = gain[j], bj = bias[j];
        for (int t = 0; t < tv; t++) {
            const v8f h = (load8(zj + 8 * t) * scale - mu[t]) * rs[t];
            const v8f y = max0_8(h * gj + bj);
            if (out != NULL) {
                store8(zj + 8 * t, h);
                store8(out + (size_t)j * n + b0 + 8 * t, y);
            } else {
                store8(zj + 8 * t, y);
            }
        }
    }
}

/* One sample b of fused_tile, scalar: the operations of one lane. */
static void fused_sample(float *zio, int n, int f, float scale, int b, float eps, const float *restrict gain,
                         const float *restrict bias, float *restrict mean, float *restrict rstd, float *restrict out) {
    float mu = 0.0f, m2 = 0.0f;
    for (int j = 0; j < f; j++) {
        const float x = zio[(size_t)j * n + b] * scale;
        const float w = 1.0f / (float)(j + 1);
        const float d = x - mu;
        mu += d * w;
        m2 += d * (x - mu);
    }
    const float r = (float)(1.0 / sqrt((double)(m2 * (1.0f / (float)f) + eps)));
    mean[b] = mu;
    rstd[b] = r;
    for (int j = 0; j < f; j++) {
        const size_t i = (size_t)j * n + b;
        const float h = (zio[i] * scale - mu) * r;
        const float y = java_max0(h * gain[j] + bias[j]);
        if (out != NULL) {
            zio[i] = h;
            out[i] = y;
        } else {
            zio[i] = y;
        }
    }
}

/* The whole batch in tiles of 64 samples, then of 8, then one by one. */
static void fused_tiles(float *zio, int n, int f, float scale, float eps, const float *restrict gain,
                        const float *restrict bias, float *restrict mean, float *restrict rstd, float *restrict out) {
    int b = 0;
    for (; b + 8 * TILE_VECTORS <= n; b += 8 * TILE_VECTORS) {
        fused_tile(zio, n, f, scale, b, TILE_VECTORS, eps, gain, bias, mean, rstd, out);
    }
    for (; b + 8 <= n; b += 8) {
        fused_tile(zio, n, f, scale, b, 1, eps, gain, bias, mean, rstd, out);
    }
    for (; b < n; b++) {
        fused_sample(zio, n, f, scale, b, eps, gain, bias, mean, rstd, out);
    }
}

/* Training forward: xhat (which may be z itself; otherwise z is copied there first and left as it was), the
 * per-sample mean and rstd, and out. */
static void fused_forward(const float *z, int n, int f, float scale, const int *restrict dropped,
                          int count, float *xhat, const float *restrict gain, const float *restrict bias,
                          float eps, float *restrict mean, float *restrict rstd, float *restrict out) {
    if (xhat != z) {
        memcpy(xhat, z, (size_t)n * f * sizeof(float));
    }
    drop_units(xhat, dropped, count);
    fused_tiles(xhat, n, f, scale, eps, gain, bias, mean, rstd, out);
}

/* The forward for a network that will not be back-propagated (a target critic): the same float operations as
 * fused_forward, but out = ReLU(LayerNorm(Dropout(z))) is written over z itself and neither xhat nor the
 * per-sample statistics are kept. Saves two batch x features output streams (xhat, out) to buffers that are
 * cold by the time a target network runs, and leaves the result where z was, still warm. */
static void fused_forward_inference(float *zio, int n, int f, float scale, const int *restrict dropped, int count,
                                    const float *restrict gain, const float *restrict bias, float eps) {
    float mean[FUSED_MAX_BATCH], rstd[FUSED_MAX_BATCH];
    drop_units(zio, dropped, count);
    fused_tiles(zio, n, f, scale, eps, gain, bias, mean, rstd, NULL);
}

/* col = dout * ReLU'(out) for one column; col may be doj itself (each element is read before it is written). */
static inline void relu_grad_column(const float *doj, const float *restrict oj, float *col, int n) {
    for (int b = 0; b < n; b++) {
        col[b] = doj[b] * java_min1(oj[b] * 0x1p100f * 0x1p100f);
    }
}

/* The backward's first pass writes dy = dout * ReLU'(out) into dz itself (over dout when in place) and sums it;
 * the second reads it back from there instead of computing it again (a quarter less time: the recomputation was
 * the pass's largest cost). Without dz (parameter gradients only) dy is staged in col. */
static void fused_backward(const float *dout, const float *restrict out, const float *restrict xhat,
                           const float *restrict gain, const float *restrict rstd, int n, int f,
                           float *restrict dgain, float *restrict dbias, float scale, const int *restrict dropped,
                           int count, float *dz) {
    float mg[FUSED_MAX_BATCH], mgh[FUSED_MAX_BATCH], col[FUSED_MAX_BATCH];
    const float inv_f = 1.0f / (float)f;
    if (dz != NULL) {
        for (int b = 0; b < n; b++) {
            mg[b] = 0.0f;
            mgh[b] = 0.0f;
        }
    }
    for (int j = 0; j < f; j++) {
        float *dyj = dz != NULL ? dz + (size_t)j * n : col;
        relu_grad_column(dout + (size_t)j * n, out + (size_t)j * n, dyj, n);
        ln_column_sums(dyj, xhat + (size_t)j * n, gain[j], n, dz != NULL, mg, mgh,
                       dgain != NULL ? dgain + j : NULL, dbias != NULL ? dbias + j : NULL);
    }
    if (dz == NULL) return;
    for (int b = 0; b < n; b++) {
        mg[b] *= inv_f;
        mgh[b] *= inv_f;
    }
    for (int j = 0; j < f; j++) {
        const float *restrict hj = xhat + (size_t)j * n;
        float *dzj = dz + (size_t)j * n;         /* holds dy; each element read before it is written */
        const float gj = gain[j];
        for (int b = 0; b < n; b++) {
            const float dx = rstd[b] * (dzj[b] * gj - mg[b] - hj[b] * mgh[b]);
            dzj[b] = dx * scale;
        }
    }
    drop_units(dz, dropped, count);            /* dropout's backward: no gradient through a dropped unit */
}

static void throw_new(JNIEnv *env, const char *cls, const char *msg) {
    jclass c = (*env)->FindClass(env, cls);
    if (c != NULL) (*env)->ThrowNew(env, c, msg);
}

static int nonnegative(JNIEnv *env, const char *kernel, const char *name, jint value) {
    if (value >= 0) return 1;
    char msg[160];
    snprintf(msg, sizeof msg, "NativeKernels.%s: %s must be >= 0, got %d", kernel, name, (int)value);
    throw_new(env, "java/lang/IllegalArgumentException", msg);
    return 0;
}

/* A required array (optional ones are checked only when not null) with at least `needed` elements. */
static int long_enough(JNIEnv *env, const char *kernel, const char *name, jarray a, int64_t needed) {
    if (a == NULL) {
        char msg[160];
        snprintf(msg, sizeof msg, "NativeKernels.%s: array %s is null", kernel, name);
        throw_new(env, "java/lang/NullPointerException", msg);
        return 0;
    }
    jsize length = (*env)->GetArrayLength(env, a);
    if ((int64_t)length >= needed) return 1;
    char msg[192];
    snprintf(msg, sizeof msg, "NativeKernels.%s: %s needs %lld elements but its array has length %d",
             kernel, name, (long long)needed, (int)length);
    throw_new(env, "java/lang/ArrayIndexOutOfBoundsException", msg);
    return 0;
}

#define CHECK(condition) do { if (!(condition)) return; } while (0)

typedef struct {
    jarray array; /* NULL: an optional argument that was not given; not pinned */
    void *ptr;
    jint mode; /* JNI_ABORT: read only; 0: written */
    const char *name;
} pin_t;

#define IN(a) { (jarray)(a), NULL, JNI_ABORT, #a }
#define OUT(a) { (jarray)(a), NULL, 0, #a }

static inline void unpin_all(JNIEnv *env, pin_t *p, int n) {
    for (int i = n - 1; i >= 0; i--)
        if (p[i].ptr != NULL)
            (*env)->ReleasePrimitiveArrayCritical(env, p[i].array, p[i].ptr, p[i].mode);
}

/* Pins the non-null arrays and checks that no two are the same array. On failure releases what it
 * pinned, leaves an exception pending and returns 0. */
static int pin_all(JNIEnv *env, const char *kernel, pin_t *p, int n) {
    for (int i = 0; i < n; i++) {
        if (p[i].array == NULL) continue;
        p[i].ptr = (*env)->GetPrimitiveArrayCritical(env, p[i].array, NULL);
        if (p[i].ptr == NULL) { /* only if the JVM had to copy and ran out of memory */
            unpin_all(env, p, i);
            return 0;
        }
    }
    for (int i = 1; i < n; i++) {
        for (int j = 0; j < i; j++) {
            if (p[i].ptr != NULL && p[i].ptr == p[j].ptr) {
                unpin_all(env, p, n);
                char msg[160];
                snprintf(msg, sizeof msg, "NativeKernels.%s: %s and %s are the same array", kernel,
                         p[j].name, p[i].name);
                throw_new(env, "java/lang/IllegalArgumentException", msg);
                return 0;
            }
        }
    }
    return 1;
}

#define NK(name) Java_trot_nn_NativeKernels_##name
#define F(k) ((float *)p[k].ptr)

/* ---------------------------------------------------------------------------------------------
 * Entry points (trot.nn.NativeKernels)
 * ------------------------------------------------------------------------------------------- */

JNIEXPORT void JNICALL NK(layerNormForward)(JNIEnv *env, jclass cls, jfloatArray x, jfloatArray y,
        jfloatArray xhat, jfloatArray gain, jfloatArray bias, jint batch, jint features, jfloat eps,
        jfloatArray mean, jfloatArray rstd) {
    (void)cls;
    static const char *K = "layerNormForward";
    CHECK(nonnegative(env, K, "batch", batch) && nonnegative(env, K, "features", features));
    const int64_t nf = (int64_t)batch * features;
    CHECK(long_enough(env, K, "x", x, nf) && long_enough(env, K, "y", y, nf)
          && long_enough(env, K, "xhat", xhat, nf) && long_enough(env, K, "gain", gain, features)
          && long_enough(env, K, "bias", bias, features) && long_enough(env, K, "mean", mean, batch)
          && long_enough(env, K, "rstd", rstd, batch));
    if (batch == 0) return;
    pin_t p[7] = { IN(x), OUT(y), OUT(xhat), IN(gain), IN(bias), OUT(mean), OUT(rstd) };
    if (!pin_all(env, K, p, 7)) return;
    ln_forward(F(0), F(1), F(2), F(3), F(4), batch, features, eps, F(5), F(6));
    unpin_all(env, p, 7);
}

JNIEXPORT void JNICALL NK(layerNormBackward)(JNIEnv *env, jclass cls, jfloatArray dy, jfloatArray xhat,
        jfloatArray gain, jfloatArray rstd, jint batch, jint features, jfloatArray dgain,
        jfloatArray dbias, jfloatArray dx) {
    (void)cls;
    static const char *K = "layerNormBackward";
    CHECK(nonnegative(env, K, "batch", batch) && nonnegative(env, K, "features", features));
    const int64_t nf = (int64_t)batch * features;
    CHECK(long_enough(env, K, "dy", dy, nf) && long_enough(env, K, "xhat", xhat, nf)
          && long_enough(env, K, "gain", gain, features) && long_enough(env, K, "rstd", rstd, batch));
    CHECK(dgain == NULL || long_enough(env, K, "dgain", dgain, features));
    CHECK(dbias == NULL || long_enough(env, K, "dbias", dbias, features));
    CHECK(dx == NULL || long_enough(env, K, "dx", dx, nf));
    if (batch == 0 || features == 0 || (dgain == NULL && dbias == NULL && dx == NULL)) return;
    pin_t p[7] = { IN(dy), IN(xhat), IN(gain), IN(rstd), OUT(dgain), OUT(dbias), OUT(dx) };
    if (!pin_all(env, K, p, 7)) return;
    ln_backward(F(0), F(1), F(2), F(3), batch, features, F(4), F(5), F(6));
    unpin_all(env, p, 7);
}


/* Checks the dropped list: count within [0, n f], indices ascending inside [0, n f). */
static int dropped_ok(JNIEnv *env, const char *K, jintArray dropped, jint count, int64_t nf) {
    if (count < 0 || count > nf) {
        char msg[160];
        snprintf(msg, sizeof msg, "NativeKernels.%s: %d dropped units in a block of %lld", K, (int)count, (long long)nf);
        throw_new(env, "java/lang/IllegalArgumentException", msg);
        return 0;
    }
    return long_enough(env, K, "dropped", dropped, count);
}

static int batch_fits(JNIEnv *env, const char *K, jint batch) {
    if (batch <= FUSED_MAX_BATCH) return 1;
    char msg[160];
    snprintf(msg, sizeof msg, "NativeKernels.%s: batch %d is above the fused kernels' %d", K, (int)batch, FUSED_MAX_BATCH);
    throw_new(env, "java/lang/IllegalArgumentException", msg);
    return 0;
}

static int ascending(JNIEnv *env, const char *K, const int *d, int count, int64_t nf) {
    for (int i = 0; i < count; i++) {
        if (d[i] < 0 || d[i] >= nf || (i > 0 && d[i] <= d[i - 1])) {
            char msg[160];
            snprintf(msg, sizeof msg, "NativeKernels.%s: dropped[%d] = %d is not an ascending index below %lld",
                     K, i, d[i], (long long)nf);
            throw_new(env, "java/lang/IllegalArgumentException", msg);
            return 0;
        }
    }
    return 1;
}

JNIEXPORT void JNICALL NK(dropoutLayerNormReluForward)(JNIEnv *env, jclass cls, jfloatArray z, jint batch,
        jint features, jfloat scale, jintArray dropped, jint count, jfloatArray xhat, jfloatArray gain,
        jfloatArray bias, jfloat eps, jfloatArray mean, jfloatArray rstd, jfloatArray out) {
    (void)cls;
    static const char *K = "dropoutLayerNormReluForward";
    CHECK(nonnegative(env, K, "batch", batch) && nonnegative(env, K, "features", features) && batch_fits(env, K, batch));
    const int64_t nf = (int64_t)batch * features;
    CHECK(long_enough(env, K, "z", z, nf) && long_enough(env, K, "xhat", xhat, nf)
          && long_enough(env, K, "gain", gain, features) && long_enough(env, K, "bias", bias, features)
          && long_enough(env, K, "mean", mean, batch) && long_enough(env, K, "rstd", rstd, batch)
          && long_enough(env, K, "out", out, nf) && dropped_ok(env, K, dropped, count, nf));
    if (batch == 0 || features == 0) return;
    /* xhat may be z itself (written in place): pinned once, written back. Any other shared array is refused. */
    const int in_place = (*env)->IsSameObject(env, z, xhat);
    pin_t p[8] = { IN(z), IN(dropped), OUT(xhat), IN(gain), IN(bias), OUT(mean), OUT(rstd), OUT(out) };
    if (in_place) {
        p[0].mode = 0;
        p[2].array = NULL;
    }
    if (!pin_all(env, K, p, 8)) return;
    if (ascending(env, K, (const int *)p[1].ptr, count, nf)) {
        fused_forward(F(0), batch, features, scale, (const int *)p[1].ptr, count, in_place ? F(0) : F(2), F(3), F(4),
                      eps, F(5), F(6), F(7));
    }
    unpin_all(env, p, 8);
}

JNIEXPORT void JNICALL NK(dropoutLayerNormReluInference)(JNIEnv *env, jclass cls, jfloatArray z, jint batch,
        jint features, jfloat scale, jintArray dropped, jint count, jfloatArray gain, jfloatArray bias, jfloat eps) {
    (void)cls;
    static const char *K = "dropoutLayerNormReluInference";
    CHECK(nonnegative(env, K, "batch", batch) && nonnegative(env, K, "features", features) && batch_fits(env, K, batch));
    const int64_t nf = (int64_t)batch * features;
    CHECK(long_enough(env, K, "z", z, nf) && long_enough(env, K, "gain", gain, features)
          && long_enough(env, K, "bias", bias, features) && dropped_ok(env, K, dropped, count, nf));
    if (batch == 0 || features == 0) return;
    pin_t p[4] = { OUT(z), IN(dropped), IN(gain), IN(bias) };
    if (!pin_all(env, K, p, 4)) return;
    if (ascending(env, K, (const int *)p[1].ptr, count, nf)) {
        fused_forward_inference(F(0), batch, features, scale, (const int *)p[1].ptr, count, F(2), F(3), eps);
    }
    unpin_all(env, p, 4);
}

JNIEXPORT void JNICALL NK(dropoutLayerNormReluBackward)(JNIEnv *env, jclass cls, jfloatArray dout, jfloatArray out,
        jfloatArray xhat, jfloatArray gain, jfloatArray rstd, jint batch, jint features, jfloatArray dgain,
        jfloatArray dbias, jfloat scale, jintArray dropped, jint count, jfloatArray dz) {
    (void)cls;
    static const char *K = "dropoutLayerNormReluBackward";
    CHECK(nonnegative(env, K, "batch", batch) && nonnegative(env, K, "features", features) && batch_fits(env, K, batch));
    const int64_t nf = (int64_t)batch * features;
    CHECK(long_enough(env, K, "dout", dout, nf) && long_enough(env, K, "out", out, nf)
          && long_enough(env, K, "xhat", xhat, nf) && long_enough(env, K, "gain", gain, features)
          && long_enough(env, K, "rstd", rstd, batch) && dropped_ok(env, K, dropped, count, nf));
    CHECK(dgain == NULL || long_enough(env, K, "dgain", dgain, features));
    CHECK(dbias == NULL || long_enough(env, K, "dbias", dbias, features));
    CHECK(dz == NULL || long_enough(env, K, "dz", dz, nf));
    if (batch == 0 || features == 0 || (dgain == NULL && dbias == NULL && dz == NULL)) return;
    /* dz may be dout itself (written in place): pinned once, written back. Any other shared array is refused. */
    const int in_place = dz != NULL && (*env)->IsSameObject(env, dout, dz);
    pin_t p[9] = { IN(dout), IN(out), IN(xhat), IN(gain), IN(rstd), OUT(dgain), OUT(dbias), IN(dropped), OUT(dz) };
    if (in_place) {
        p[0].mode = 0;
        p[8].array = NULL;
    }
    if (!pin_all(env, K, p, 9)) return;
    if (ascending(env, K, (const int *)p[7].ptr, count, nf)) {
        fused_backward(F(0), F(1), F(2), F(3), F(4), batch, features, F(5), F(6), scale, (const int *)p[7].ptr, count,
                       in_place ? F(0) : F(8));
    }
    unpin_all(env, p, 9);
}

JNIEXPORT jstring JNICALL NK(describe)(JNIEnv *env, jclass cls) {
    (void)cls;
#if defined(__AVX512F__)
    const char *vectors = "AVX-512F";
#elif defined(__AVX2__)
    const char *vectors = "AVX2";
#elif defined(__AVX__)
    const char *vectors = "AVX";
#elif defined(__SSE2__)
    const char *vectors = "SSE2";
#elif defined(__ARM_NEON)
    const char *vectors = "NEON";
#else
    const char *vectors = "none known";
#endif
#if defined(__clang__)
    const char *compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
    const char *compiler = "gcc " __VERSION__;
#else
    const char *compiler = "unknown compiler";
#endif
    char text[512];
    snprintf(text, sizeof text, "%s, %s, widest vector extension %s", compiler, TROTNN_FLAGS, vectors);
    return (*env)->NewStringUTF(env, text);
}

/*
 * jblas_zero_copy.c: a drop-in replacement for the BLAS half of jblas's native library.
 *
 * Why this exists
 * ---------------
 * jblas (org.jblas:jblas:1.2.5) calls BLAS through the static native methods of
 * org.jblas.NativeBlas. Its bundled libjblas.so implements each of them by asking the JVM for a
 * C copy of every Java array argument (Get<Type>ArrayElements), calling Fortran BLAS on the copies
 * and copying the arrays back. The arrays are copied whole, not just the part the call touches,
 * so the cost grows with the array rather than with the work: for the thin products of a
 * 256-wide network (a matrix times one column, an outer product) the copies take several times
 * longer than the arithmetic, and with glibc's default malloc thresholds the freshly malloc'ed
 * copies of large arrays are mmap'ed and unmapped again on every call, so each call also pays for
 * page faults (a 256^3 sgemm measured 2.0-2.6 ms instead of 0.38 ms). The bundled OpenBLAS also
 * predates recent CPUs and falls back to an SSE kernel unless OPENBLAS_CORETYPE is exported
 * before the JVM starts.
 *
 * This library exports the same JNI symbols, so when it is found first on java.library.path
 * jblas's loader (System.loadLibrary("jblas")) picks it and never extracts its own. When trot loads it
 * from elsewhere (unpacked from its jar, or -Dtrot.native.dir), trot.blas.BlasBackend binds NativeBlas's
 * methods to it explicitly through Java_trot_blas_BlasBackend_nativeBind below. Each entry
 * point pins the Java arrays in place (GetPrimitiveArrayCritical), passes pointers at the given
 * offsets to the system OpenBLAS through CBLAS (column-major, like jblas), and unpins them:
 * nothing is copied, and the system OpenBLAS chooses its kernel for the CPU it runs on.
 *
 * Scope: the real (single and double precision) BLAS entry points of NativeBlas:
 *   level 1: ?copy ?swap ?axpy ?scal ?dot ?nrm2 ?asum i?amax
 *   level 2: ?gemv ?ger
 *   level 3: ?gemm
 * The complex (c*, z*) and LAPACK (?gesv, ?syev, ...) entry points are not implemented: calling
 * them with this library loaded throws UnsatisfiedLinkError. trot uses neither.
 *
 * Argument checks: like jblas's own library, wrong sizes or leading dimensions throw
 * IllegalArgumentException (named after BLAS's XERBLA report), and, unlike it, a range that
 * does not fit inside its Java array throws ArrayIndexOutOfBoundsException instead of
 * overwriting the Java heap. These are a few integer comparisons and one GetArrayLength per
 * array (10-25 ns per call measured); `make TROT_BLAS_UNCHECKED=1` (after `make clean`) drops
 * them.
 *
 * Threads: JNI_OnLoad sets OpenBLAS to one thread unless OPENBLAS_NUM_THREADS is set. trot runs
 * its own parallelism, and single-threaded OpenBLAS gives bitwise reproducible results.
 * trot.blas.BlasBackend (Java) reaches the OpenBLAS configuration through the Java_trot_blas_*
 * functions at the end of this file.
 *
 * Pinned arrays: between Get- and ReleasePrimitiveArrayCritical no JNI function is called and
 * the thread does not block, as JNI requires; the same Java array may be passed as two
 * arguments (jblas's load check passes one array as A, B and C), and each acquisition is
 * released separately. Read-only arguments are released with JNI_ABORT, written ones with 0.
 */

#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <jni.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cblas.h>

/* ---------------------------------------------------------------------------------------------
 * Pinning
 * ------------------------------------------------------------------------------------------- */

typedef struct {
    jarray array;
    void *ptr;
    jint mode; /* JNI_ABORT: read only; 0: written */
} pin_t;

#define IN(a) { (jarray)(a), NULL, JNI_ABORT }
#define OUT(a) { (jarray)(a), NULL, 0 }

/* Pins n arrays. On failure releases what it pinned, leaves an exception pending, returns 0. */
static inline int pin_all(JNIEnv *env, pin_t *p, int n) {
    for (int i = 0; i < n; i++) {
        p[i].ptr = (*env)->GetPrimitiveArrayCritical(env, p[i].array, NULL);
        if (p[i].ptr == NULL) { /* only if the JVM had to copy and ran out of memory */
            for (int j = i - 1; j >= 0; j--)
                (*env)->ReleasePrimitiveArrayCritical(env, p[j].array, p[j].ptr, JNI_ABORT);
            return 0;
        }
    }
    return 1;
}

static inline void unpin_all(JNIEnv *env, pin_t *p, int n) {
    for (int i = n - 1; i >= 0; i--)
        (*env)->ReleasePrimitiveArrayCritical(env, p[i].array, p[i].ptr, p[i].mode);
}

/* ---------------------------------------------------------------------------------------------
 * Argument checks (before pinning: they may throw)
 * ------------------------------------------------------------------------------------------- */

static void throw_new(JNIEnv *env, const char *cls, const char *msg) {
    jclass c = (*env)->FindClass(env, cls);
    if (c != NULL) (*env)->ThrowNew(env, c, msg);
}

/* Mirrors jblas's XERBLA exception: names the routine and the 1-based BLAS argument. */
static int bad_arg(JNIEnv *env, const char *routine, int position, const char *name) {
    char msg[128];
    snprintf(msg, sizeof msg, "XERBLA: Error on argument %d (%s) in %s", position, name, routine);
    throw_new(env, "java/lang/IllegalArgumentException", msg);
    return 0;
}

static int not_null(JNIEnv *env, jarray a, const char *routine, const char *name) {
    if (a != NULL) return 1;
    char msg[128];
    snprintf(msg, sizeof msg, "%s: array %s is null", routine, name);
    throw_new(env, "java/lang/NullPointerException", msg);
    return 0;
}

/* Checks that elements [offset, offset + needed) lie inside the array; needed == 0: no access. */
static int in_bounds(JNIEnv *env, jarray a, jint offset, int64_t needed,
                     const char *routine, const char *name) {
    if (!not_null(env, a, routine, name)) return 0;
    if (needed <= 0) return 1;
    jsize length = (*env)->GetArrayLength(env, a);
    if (offset >= 0 && (int64_t)offset + needed <= (int64_t)length) return 1;
    char msg[192];
    snprintf(msg, sizeof msg, "%s: %s needs elements [%d, %lld) but its array has length %d",
             routine, name, (int)offset, (long long)offset + (long long)needed, (int)length);
    throw_new(env, "java/lang/ArrayIndexOutOfBoundsException", msg);
    return 0;
}

/* Elements spanned by a strided vector of n entries (n <= 0: none). */
static inline int64_t vec_extent(jint n, jint inc) {
    if (n <= 0) return 0;
    int64_t step = inc < 0 ? -(int64_t)inc : (int64_t)inc;
    return (int64_t)(n - 1) * step + 1;
}

/* Elements spanned by a column-major rows x cols matrix with leading dimension ld. */
static inline int64_t mat_extent(jint rows, jint cols, jint ld) {
    if (rows <= 0 || cols <= 0) return 0;
    return (int64_t)(cols - 1) * ld + rows;
}

static inline jint max1(jint x) { return x > 1 ? x : 1; }

/* jblas passes BLAS's Fortran transpose characters; for real matrices 'C' means 'T'. */
static inline int is_trans_char(jchar c) {
    return c == 'N' || c == 'n' || c == 'T' || c == 't' || c == 'C' || c == 'c';
}
static inline int no_trans(jchar c) { return c == 'N' || c == 'n'; }
static inline CBLAS_TRANSPOSE cblas_trans(jchar c) { return no_trans(c) ? CblasNoTrans : CblasTrans; }

/* CHECK in functions returning void, CHECK0 in functions returning a value (then 0 is returned
 * with the exception pending). */
#ifdef TROT_BLAS_UNCHECKED
#define CHECK(condition) ((void)sizeof(condition)) /* no evaluation */
#define CHECK0(condition) ((void)sizeof(condition))
#else
#define CHECK(condition) do { if (!(condition)) return; } while (0)
#define CHECK0(condition) do { if (!(condition)) return 0; } while (0)
#endif

/* ---------------------------------------------------------------------------------------------
 * Entry points. Each macro below defines one routine for P = s (float) and P = d (double).
 * U: the upper-case prefix for messages; T: C element type; JT: JNI element type, whose
 * array type is JT##Array (jfloatArray, jdoubleArray).
 * ------------------------------------------------------------------------------------------- */

#define JB(name) Java_org_jblas_NativeBlas_##name

/* ?copy(n, x, xIdx, incx, y, yIdx, incy): y = x */
#define DEF_COPY(P, U, T, JT)                                                                     \
JNIEXPORT void JNICALL JB(P##copy)(JNIEnv *env, jclass cls, jint n,                               \
        JT##Array x, jint xIdx, jint incx, JT##Array y, jint yIdx, jint incy) {                   \
    (void)cls;                                                                                    \
    CHECK(in_bounds(env, x, xIdx, vec_extent(n, incx), #U "COPY", "x"));                          \
    CHECK(in_bounds(env, y, yIdx, vec_extent(n, incy), #U "COPY", "y"));                          \
    if (n <= 0) return;                                                                           \
    pin_t p[2] = { IN(x), OUT(y) };                                                               \
    if (!pin_all(env, p, 2)) return;                                                              \
    cblas_##P##copy(n, (T *)p[0].ptr + xIdx, incx, (T *)p[1].ptr + yIdx, incy);                   \
    unpin_all(env, p, 2);                                                                         \
}

/* ?swap(n, x, xIdx, incx, y, yIdx, incy): x <-> y */
#define DEF_SWAP(P, U, T, JT)                                                                     \
JNIEXPORT void JNICALL JB(P##swap)(JNIEnv *env, jclass cls, jint n,                               \
        JT##Array x, jint xIdx, jint incx, JT##Array y, jint yIdx, jint incy) {                   \
    (void)cls;                                                                                    \
    CHECK(in_bounds(env, x, xIdx, vec_extent(n, incx), #U "SWAP", "x"));                          \
    CHECK(in_bounds(env, y, yIdx, vec_extent(n, incy), #U "SWAP", "y"));                          \
    if (n <= 0) return;                                                                           \
    pin_t p[2] = { OUT(x), OUT(y) };                                                              \
    if (!pin_all(env, p, 2)) return;                                                              \
    cblas_##P##swap(n, (T *)p[0].ptr + xIdx, incx, (T *)p[1].ptr + yIdx, incy);                   \
    unpin_all(env, p, 2);                                                                         \
}

/* ?axpy(n, alpha, x, xIdx, incx, y, yIdx, incy): y += alpha x */
#define DEF_AXPY(P, U, T, JT)                                                                     \
JNIEXPORT void JNICALL JB(P##axpy)(JNIEnv *env, jclass cls, jint n, JT alpha,                     \
        JT##Array x, jint xIdx, jint incx, JT##Array y, jint yIdx, jint incy) {                   \
    (void)cls;                                                                                    \
    CHECK(in_bounds(env, x, xIdx, vec_extent(n, incx), #U "AXPY", "x"));                          \
    CHECK(in_bounds(env, y, yIdx, vec_extent(n, incy), #U "AXPY", "y"));                          \
    if (n <= 0) return;                                                                           \
    pin_t p[2] = { IN(x), OUT(y) };                                                               \
    if (!pin_all(env, p, 2)) return;                                                              \
    cblas_##P##axpy(n, alpha, (T *)p[0].ptr + xIdx, incx, (T *)p[1].ptr + yIdx, incy);            \
    unpin_all(env, p, 2);                                                                         \
}

/* ?scal(n, alpha, x, xIdx, incx): x *= alpha (BLAS does nothing for incx <= 0) */
#define DEF_SCAL(P, U, T, JT)                                                                     \
JNIEXPORT void JNICALL JB(P##scal)(JNIEnv *env, jclass cls, jint n, JT alpha,                     \
        JT##Array x, jint xIdx, jint incx) {                                                      \
    (void)cls;                                                                                    \
    CHECK(in_bounds(env, x, xIdx, incx > 0 ? vec_extent(n, incx) : 0, #U "SCAL", "x"));           \
    if (n <= 0 || incx <= 0) return;                                                              \
    pin_t p[1] = { OUT(x) };                                                                      \
    if (!pin_all(env, p, 1)) return;                                                              \
    cblas_##P##scal(n, alpha, (T *)p[0].ptr + xIdx, incx);                                        \
    unpin_all(env, p, 1);                                                                         \
}

/* ?dot(n, x, xIdx, incx, y, yIdx, incy) = x . y */
#define DEF_DOT(P, U, T, JT)                                                                      \
JNIEXPORT JT JNICALL JB(P##dot)(JNIEnv *env, jclass cls, jint n,                                  \
        JT##Array x, jint xIdx, jint incx, JT##Array y, jint yIdx, jint incy) {                   \
    (void)cls;                                                                                    \
    CHECK0(in_bounds(env, x, xIdx, vec_extent(n, incx), #U "DOT", "x"));                          \
    CHECK0(in_bounds(env, y, yIdx, vec_extent(n, incy), #U "DOT", "y"));                          \
    if (n <= 0) return 0;                                                                         \
    pin_t p[2] = { IN(x), IN(y) };                                                                \
    if (!pin_all(env, p, 2)) return 0;                                                            \
    T r = cblas_##P##dot(n, (T *)p[0].ptr + xIdx, incx, (T *)p[1].ptr + yIdx, incy);              \
    unpin_all(env, p, 2);                                                                         \
    return r;                                                                                     \
}

/* ?nrm2 and ?asum(n, x, xIdx, incx): BLAS returns 0 for n < 1 or incx < 1 */
#define DEF_REDUCE(P, U, T, JT, NAME, UPPER)                                                      \
JNIEXPORT JT JNICALL JB(P##NAME)(JNIEnv *env, jclass cls, jint n,                                 \
        JT##Array x, jint xIdx, jint incx) {                                                      \
    (void)cls;                                                                                    \
    CHECK0(in_bounds(env, x, xIdx, incx > 0 ? vec_extent(n, incx) : 0, #U UPPER, "x"));           \
    if (n <= 0 || incx <= 0) return 0;                                                            \
    pin_t p[1] = { IN(x) };                                                                       \
    if (!pin_all(env, p, 1)) return 0;                                                            \
    T r = cblas_##P##NAME(n, (T *)p[0].ptr + xIdx, incx);                                         \
    unpin_all(env, p, 1);                                                                         \
    return r;                                                                                     \
}

/* i?amax(n, x, xIdx, incx): the Fortran (1-based) index of the first largest |x_i|, 0 if
 * n < 1 or incx < 1, which is what jblas's library returns (SimpleBlas.iamax subtracts 1).
 * CBLAS returns a 0-based index. */
#define DEF_IAMAX(P, U, T, JT)                                                                    \
JNIEXPORT jint JNICALL JB(i##P##amax)(JNIEnv *env, jclass cls, jint n,                            \
        JT##Array x, jint xIdx, jint incx) {                                                      \
    (void)cls;                                                                                    \
    CHECK0(in_bounds(env, x, xIdx, incx > 0 ? vec_extent(n, incx) : 0, "I" #U "AMAX", "x"));      \
    if (n <= 0 || incx <= 0) return 0;                                                            \
    pin_t p[1] = { IN(x) };                                                                       \
    if (!pin_all(env, p, 1)) return 0;                                                            \
    jint r = (jint)cblas_i##P##amax(n, (T *)p[0].ptr + xIdx, incx) + 1;                           \
    unpin_all(env, p, 1);                                                                         \
    return r;                                                                                     \
}

/* ?gemv(trans, m, n, alpha, a, aIdx, lda, x, xIdx, incx, beta, y, yIdx, incy):
 * y = alpha op(A) x + beta y, A m x n column-major. Like reference BLAS, nothing happens
 * when m or n is 0. */
#define DEF_GEMV(P, U, T, JT)                                                                     \
JNIEXPORT void JNICALL JB(P##gemv)(JNIEnv *env, jclass cls, jchar trans, jint m, jint n,          \
        JT alpha, JT##Array a, jint aIdx, jint lda, JT##Array x, jint xIdx, jint incx,            \
        JT beta, JT##Array y, jint yIdx, jint incy) {                                             \
    (void)cls;                                                                                    \
    CHECK(is_trans_char(trans) || bad_arg(env, #U "GEMV", 1, "TRANS"));                           \
    CHECK(m >= 0 || bad_arg(env, #U "GEMV", 2, "M"));                                             \
    CHECK(n >= 0 || bad_arg(env, #U "GEMV", 3, "N"));                                             \
    CHECK(lda >= max1(m) || bad_arg(env, #U "GEMV", 6, "LDA"));                                   \
    CHECK(incx != 0 || bad_arg(env, #U "GEMV", 8, "INCX"));                                       \
    CHECK(incy != 0 || bad_arg(env, #U "GEMV", 11, "INCY"));                                      \
    int any = m > 0 && n > 0;                                                                     \
    jint lenx = no_trans(trans) ? n : m, leny = no_trans(trans) ? m : n;                          \
    CHECK(in_bounds(env, a, aIdx, mat_extent(m, n, lda), #U "GEMV", "a"));                        \
    CHECK(in_bounds(env, x, xIdx, any ? vec_extent(lenx, incx) : 0, #U "GEMV", "x"));             \
    CHECK(in_bounds(env, y, yIdx, any ? vec_extent(leny, incy) : 0, #U "GEMV", "y"));             \
    if (!any) return;                                                                             \
    pin_t p[3] = { IN(a), IN(x), OUT(y) };                                                        \
    if (!pin_all(env, p, 3)) return;                                                              \
    cblas_##P##gemv(CblasColMajor, cblas_trans(trans), m, n, alpha, (T *)p[0].ptr + aIdx, lda,    \
                    (T *)p[1].ptr + xIdx, incx, beta, (T *)p[2].ptr + yIdx, incy);                \
    unpin_all(env, p, 3);                                                                         \
}

/* ?ger(m, n, alpha, x, xIdx, incx, y, yIdx, incy, a, aIdx, lda): A += alpha x y^T */
#define DEF_GER(P, U, T, JT)                                                                      \
JNIEXPORT void JNICALL JB(P##ger)(JNIEnv *env, jclass cls, jint m, jint n, JT alpha,              \
        JT##Array x, jint xIdx, jint incx, JT##Array y, jint yIdx, jint incy,                     \
        JT##Array a, jint aIdx, jint lda) {                                                       \
    (void)cls;                                                                                    \
    CHECK(m >= 0 || bad_arg(env, #U "GER", 1, "M"));                                              \
    CHECK(n >= 0 || bad_arg(env, #U "GER", 2, "N"));                                              \
    CHECK(incx != 0 || bad_arg(env, #U "GER", 5, "INCX"));                                        \
    CHECK(incy != 0 || bad_arg(env, #U "GER", 7, "INCY"));                                        \
    CHECK(lda >= max1(m) || bad_arg(env, #U "GER", 9, "LDA"));                                    \
    int any = m > 0 && n > 0;                                                                     \
    CHECK(in_bounds(env, x, xIdx, any ? vec_extent(m, incx) : 0, #U "GER", "x"));                 \
    CHECK(in_bounds(env, y, yIdx, any ? vec_extent(n, incy) : 0, #U "GER", "y"));                 \
    CHECK(in_bounds(env, a, aIdx, mat_extent(m, n, lda), #U "GER", "a"));                         \
    if (!any) return;                                                                             \
    pin_t p[3] = { IN(x), IN(y), OUT(a) };                                                        \
    if (!pin_all(env, p, 3)) return;                                                              \
    cblas_##P##ger(CblasColMajor, m, n, alpha, (T *)p[0].ptr + xIdx, incx,                        \
                   (T *)p[1].ptr + yIdx, incy, (T *)p[2].ptr + aIdx, lda);                        \
    unpin_all(env, p, 3);                                                                         \
}

/* ?gemm(transa, transb, m, n, k, alpha, a, aIdx, lda, b, bIdx, ldb, beta, c, cIdx, ldc):
 * C = alpha op(A) op(B) + beta C, C m x n column-major */
#define DEF_GEMM(P, U, T, JT)                                                                     \
JNIEXPORT void JNICALL JB(P##gemm)(JNIEnv *env, jclass cls, jchar transa, jchar transb,           \
        jint m, jint n, jint k, JT alpha, JT##Array a, jint aIdx, jint lda,                       \
        JT##Array b, jint bIdx, jint ldb, JT beta, JT##Array c, jint cIdx, jint ldc) {            \
    (void)cls;                                                                                    \
    int na = no_trans(transa), nb = no_trans(transb);                                             \
    jint rowsa = na ? m : k, colsa = na ? k : m, rowsb = nb ? k : n, colsb = nb ? n : k;          \
    CHECK(is_trans_char(transa) || bad_arg(env, #U "GEMM", 1, "TRANSA"));                         \
    CHECK(is_trans_char(transb) || bad_arg(env, #U "GEMM", 2, "TRANSB"));                         \
    CHECK(m >= 0 || bad_arg(env, #U "GEMM", 3, "M"));                                             \
    CHECK(n >= 0 || bad_arg(env, #U "GEMM", 4, "N"));                                             \
    CHECK(k >= 0 || bad_arg(env, #U "GEMM", 5, "K"));                                             \
    CHECK(lda >= max1(rowsa) || bad_arg(env, #U "GEMM", 8, "LDA"));                               \
    CHECK(ldb >= max1(rowsb) || bad_arg(env, #U "GEMM", 10, "LDB"));                              \
    CHECK(ldc >= max1(m) || bad_arg(env, #U "GEMM", 13, "LDC"));                                  \
    int any = m > 0 && n > 0;                                                                     \
    CHECK(in_bounds(env, a, aIdx, any ? mat_extent(rowsa, colsa, lda) : 0, #U "GEMM", "a"));      \
    CHECK(in_bounds(env, b, bIdx, any ? mat_extent(rowsb, colsb, ldb) : 0, #U "GEMM", "b"));      \
    CHECK(in_bounds(env, c, cIdx, mat_extent(m, n, ldc), #U "GEMM", "c"));                        \
    if (!any) return;                                                                             \
    pin_t p[3] = { IN(a), IN(b), OUT(c) };                                                        \
    if (!pin_all(env, p, 3)) return;                                                              \
    cblas_##P##gemm(CblasColMajor, cblas_trans(transa), cblas_trans(transb), m, n, k, alpha,      \
                    (T *)p[0].ptr + aIdx, lda, (T *)p[1].ptr + bIdx, ldb,                         \
                    beta, (T *)p[2].ptr + cIdx, ldc);                                             \
    unpin_all(env, p, 3);                                                                         \
}

#define DEF_ALL(P, U, T, JT)                                                                      \
    DEF_COPY(P, U, T, JT)                                                                         \
    DEF_SWAP(P, U, T, JT)                                                                         \
    DEF_AXPY(P, U, T, JT)                                                                         \
    DEF_SCAL(P, U, T, JT)                                                                         \
    DEF_DOT(P, U, T, JT)                                                                          \
    DEF_REDUCE(P, U, T, JT, nrm2, "NRM2")                                                         \
    DEF_REDUCE(P, U, T, JT, asum, "ASUM")                                                         \
    DEF_IAMAX(P, U, T, JT)                                                                        \
    DEF_GEMV(P, U, T, JT)                                                                         \
    DEF_GER(P, U, T, JT)                                                                          \
    DEF_GEMM(P, U, T, JT)

DEF_ALL(s, S, float, jfloat)
DEF_ALL(d, D, double, jdouble)

/* ---------------------------------------------------------------------------------------------
 * trot.blas.BlasBackend
 * ------------------------------------------------------------------------------------------- */

JNIEXPORT jstring JNICALL Java_trot_blas_BlasBackend_nativeDescribe(JNIEnv *env, jclass cls) {
    (void)cls;
    char text[512];
    snprintf(text, sizeof text, "OpenBLAS config \"%s\", core %s",
             openblas_get_config(), openblas_get_corename());
    return (*env)->NewStringUTF(env, text);
}

JNIEXPORT void JNICALL Java_trot_blas_BlasBackend_nativeSetThreads(JNIEnv *env, jclass cls, jint n) {
    (void)env; (void)cls;
    openblas_set_num_threads(n);
}

JNIEXPORT jint JNICALL Java_trot_blas_BlasBackend_nativeThreads(JNIEnv *env, jclass cls) {
    (void)env; (void)cls;
    return openblas_get_num_threads();
}

/*
 * Binds native methods of `target` (org.jblas.NativeBlas) to this library's functions explicitly
 * (RegisterNatives), whatever else the class loader has loaded: when trot unpacks this library from its jar
 * and System.load()s it, jblas's own System.loadLibrary("jblas") does not find it on java.library.path, and
 * the JVM's lazy lookup of a native method would search every library of the class loader in no fixed order.
 * names[i], signatures[i] and symbols[i] describe one method (Java computes them by reflection); a symbol
 * this library does not export (the complex and LAPACK entry points) is skipped. Returns how many methods
 * were bound, or -1 with an exception pending.
 */
JNIEXPORT jint JNICALL Java_trot_blas_BlasBackend_nativeBind(JNIEnv *env, jclass cls, jclass target,
                                                             jobjectArray names, jobjectArray signatures,
                                                             jobjectArray symbols) {
    (void)cls;
    Dl_info self;
    if (dladdr((void *)&Java_trot_blas_BlasBackend_nativeBind, &self) == 0 || self.dli_fname == NULL) {
        throw_new(env, "java/lang/IllegalStateException", "dladdr cannot name libjblas.so");
        return -1;
    }
    void *handle = dlopen(self.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
    if (handle == NULL) {
        throw_new(env, "java/lang/IllegalStateException", dlerror());
        return -1;
    }
    jint bound = 0;
    jsize n = (*env)->GetArrayLength(env, names);
    for (jsize i = 0; i < n && bound >= 0; i++) {
        jstring jname = (jstring)(*env)->GetObjectArrayElement(env, names, i);
        jstring jsig = (jstring)(*env)->GetObjectArrayElement(env, signatures, i);
        jstring jsym = (jstring)(*env)->GetObjectArrayElement(env, symbols, i);
        const char *name = (*env)->GetStringUTFChars(env, jname, NULL);
        const char *sig = (*env)->GetStringUTFChars(env, jsig, NULL);
        const char *sym = (*env)->GetStringUTFChars(env, jsym, NULL);
        if (name == NULL || sig == NULL || sym == NULL) {
            bound = -1; /* OutOfMemoryError pending */
        } else {
            void *fn = dlsym(handle, sym);
            if (fn != NULL) {
                JNINativeMethod method = { (char *)name, (char *)sig, fn };
                if ((*env)->RegisterNatives(env, target, &method, 1) == 0) bound++;
                else bound = -1; /* NoSuchMethodError pending */
            }
        }
        if (sym != NULL) (*env)->ReleaseStringUTFChars(env, jsym, sym);
        if (sig != NULL) (*env)->ReleaseStringUTFChars(env, jsig, sig);
        if (name != NULL) (*env)->ReleaseStringUTFChars(env, jname, name);
        (*env)->DeleteLocalRef(env, jname);
        (*env)->DeleteLocalRef(env, jsig);
        (*env)->DeleteLocalRef(env, jsym);
    }
    dlclose(handle);
    return bound;
}

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    (void)vm; (void)reserved;
    if (getenv("OPENBLAS_NUM_THREADS") == NULL) openblas_set_num_threads(1);
    return JNI_VERSION_1_8;
}

/*
 * trotdnnl.c: matrix products through oneDNN's matmul primitive, for the native methods of trot.blas.Onednn.
 *
 * Why this exists
 * ---------------
 * On the CPUs trot runs on (Zen 4, Zen 5, Sapphire Rapids) oneDNN's f32 matmul (its "brgemm" kernels) is
 * 5-25% faster than OpenBLAS's sgemm at the shapes of the learner's update, and its bf16 matmul (bf16
 * inputs, f32 accumulation and output) runs on AVX512-BF16 (2x) or AMX (10x at 256^3). docs/benchmarks.md
 * has the figures. trot keeps OpenBLAS as its audited default and offers these as options
 * (`--set precision=fp32-onednn` or `bf16`, see trot.blas.Products).
 *
 * What a call computes
 * --------------------
 * The BLAS formula on column-major operands, C = alpha op(A) op(B) + beta C, with C m x n. A column-major
 * m x n matrix with leading dimension ld is a row-major n x m matrix with row stride ld, so the call is the
 * row-major matmul   C'(n x m) = op(B)'(n x k) op(A)'(k x m)   (' the transpose): oneDNN's source is B,
 * its weights are A, each described by strides, and beta is a "sum" post-op (skipped when beta == 0, so
 * that NaNs in C do not survive, as BLAS specifies). bf16: A and B are rounded to bf16 (round to nearest
 * even, by oneDNN's reorder) into buffers the cache entry owns, the product accumulates in f32, C stays f32.
 *
 * Cost of a call: primitives are created once per shape and thread and cached (a thread-local table keyed
 * by the transposes, sizes, leading dimensions, alpha, beta and precision); a call then pins the Java arrays
 * (GetPrimitiveArrayCritical), points the cached memory objects at them and runs the primitive on the
 * calling thread. Nothing is allocated on the Java heap; after the first call of a shape, nothing in C.
 *
 * Threads: Debian's libdnnl runs its parallel regions on OpenMP. trot runs its own workers, so every
 * calling thread sets its OpenMP team to one thread once (omp_set_num_threads(1) is per thread); each
 * product then runs on the thread that called it, and results are bitwise the same whichever thread count
 * trot uses (oneDNN picks its kernel per shape, not per thread).
 *
 * Errors: a negative size, an array shorter than its sizes, a null array throw IllegalArgumentException
 * (or NullPointerException) before anything is written; a oneDNN failure throws IllegalStateException
 * naming the shape and oneDNN's status.
 */

#include <jni.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <oneapi/dnnl/dnnl.h>

#define CACHE_CAPACITY 256

typedef struct {
    int ta, tb, m, n, k, lda, ldb, ldc, bf16;
    uint32_t alpha_bits, beta_bits;
    dnnl_primitive_t matmul;
    dnnl_primitive_t reorder_src, reorder_wei;  /* bf16 only: f32 user operand -> bf16 buffer */
    dnnl_memory_t src_user, wei_user, dst_user; /* point at the Java arrays during a call */
    dnnl_memory_t src_bf16, wei_bf16;           /* bf16 only: owned by the entry */
    const char *impl;
} entry;

typedef struct {
    entry *entries;
    int count, next_evict;
    dnnl_stream_t stream;
} thread_cache;

static dnnl_engine_t engine;
static dnnl_status_t engine_status = dnnl_success;
static __thread thread_cache cache;
static __thread int omp_single;

static const char *status_name(dnnl_status_t s) {
    switch (s) {
    case dnnl_success: return "success";
    case dnnl_out_of_memory: return "out of memory";
    case dnnl_invalid_arguments: return "invalid arguments";
    case dnnl_unimplemented: return "unimplemented";
    case dnnl_iterator_ends: return "iterator ends";
    case dnnl_runtime_error: return "runtime error";
    case dnnl_not_required: return "not required";
    default: return "unknown status";
    }
}

JNIEXPORT jint JNI_OnLoad(JavaVM *vm, void *reserved) {
    engine_status = dnnl_engine_create(&engine, dnnl_cpu, 0);
    return JNI_VERSION_1_8;
}

static void throw_named(JNIEnv *env, const char *cls, const char *msg) {
    jclass c = (*env)->FindClass(env, cls);
    if (c != NULL) {
        (*env)->ThrowNew(env, c, msg);
    }
}

/* op(X) is rows x cols; X column-major with leading dimension ld. The matmul sees it transposed (cols x rows, row-major). */
static dnnl_status_t transposed_md(dnnl_memory_desc_t *md, int rows, int cols, int trans, int ld, dnnl_data_type_t dt) {
    dnnl_dims_t dims = {cols, rows};
    dnnl_dims_t strides;
    if (!trans) { /* X rows x cols, element (i, j) at i + j ld: in the transposed view (j, i) -> strides {ld, 1} */
        strides[0] = ld;
        strides[1] = 1;
    } else {      /* X cols x rows, op(X)(i, j) = X(j, i) at j + i ld: transposed view (j, i) -> strides {1, ld} */
        strides[0] = 1;
        strides[1] = ld;
    }
    return dnnl_memory_desc_init_by_strides(md, 2, dims, dt, strides);
}

static void entry_destroy(entry *e) {
    if (e->matmul) dnnl_primitive_destroy(e->matmul);
    if (e->reorder_src) dnnl_primitive_destroy(e->reorder_src);
    if (e->reorder_wei) dnnl_primitive_destroy(e->reorder_wei);
    if (e->src_user) dnnl_memory_destroy(e->src_user);
    if (e->wei_user) dnnl_memory_destroy(e->wei_user);
    if (e->dst_user) dnnl_memory_destroy(e->dst_user);
    if (e->src_bf16) dnnl_memory_destroy(e->src_bf16);
    if (e->wei_bf16) dnnl_memory_destroy(e->wei_bf16);
    memset(e, 0, sizeof(*e));
}

static dnnl_status_t make_reorder(dnnl_primitive_t *p, const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to) {
    dnnl_primitive_desc_t pd;
    dnnl_status_t s = dnnl_reorder_primitive_desc_create(&pd, from, engine, to, engine, NULL);
    if (s != dnnl_success) return s;
    s = dnnl_primitive_create(p, pd);
    dnnl_primitive_desc_destroy(pd);
    return s;
}

#define TRY(x) do { s = (x); if (s != dnnl_success) goto fail; } while (0)

static dnnl_status_t entry_create(entry *e) {
    dnnl_status_t s;
    dnnl_memory_desc_t src_f32, wei_f32, src_md, wei_md, dst_md;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t post = NULL;
    dnnl_primitive_desc_t pd = NULL;
    float alpha, beta;
    memcpy(&alpha, &e->alpha_bits, 4);
    memcpy(&beta, &e->beta_bits, 4);
    /* source = op(B)' (n x k), weights = op(A)' (k x m), destination = C' (n x m, row stride ldc) */
    TRY(transposed_md(&src_f32, e->k, e->n, e->tb, e->ldb, dnnl_f32));
    TRY(transposed_md(&wei_f32, e->m, e->k, e->ta, e->lda, dnnl_f32));
    dnnl_dims_t dst_dims = {e->n, e->m}, dst_strides = {e->ldc, 1};
    TRY(dnnl_memory_desc_init_by_strides(&dst_md, 2, dst_dims, dnnl_f32, dst_strides));
    if (e->bf16) {
        dnnl_dims_t sd = {e->n, e->k}, wd = {e->k, e->m};
        TRY(dnnl_memory_desc_init_by_tag(&src_md, 2, sd, dnnl_bf16, dnnl_ab));
        TRY(dnnl_memory_desc_init_by_tag(&wei_md, 2, wd, dnnl_bf16, dnnl_ab));
    } else {
        src_md = src_f32;
        wei_md = wei_f32;
    }
    dnnl_matmul_desc_t desc;
    TRY(dnnl_matmul_desc_init(&desc, &src_md, &wei_md, NULL, &dst_md));
    TRY(dnnl_primitive_attr_create(&attr));
    if (alpha != 1.0f) TRY(dnnl_primitive_attr_set_output_scales(attr, 1, 0, &alpha));
    if (beta != 0.0f) {
        TRY(dnnl_post_ops_create(&post));
        TRY(dnnl_post_ops_append_sum(post, beta));
        TRY(dnnl_primitive_attr_set_post_ops(attr, post));
    }
    TRY(dnnl_primitive_desc_create(&pd, &desc, attr, engine, NULL));
    TRY(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &e->impl));
    TRY(dnnl_primitive_create(&e->matmul, pd));
    TRY(dnnl_memory_create(&e->src_user, &src_f32, engine, DNNL_MEMORY_NONE));
    TRY(dnnl_memory_create(&e->wei_user, &wei_f32, engine, DNNL_MEMORY_NONE));
    TRY(dnnl_memory_create(&e->dst_user, &dst_md, engine, DNNL_MEMORY_NONE));
    if (e->bf16) {
        TRY(dnnl_memory_create(&e->src_bf16, &src_md, engine, DNNL_MEMORY_ALLOCATE));
        TRY(dnnl_memory_create(&e->wei_bf16, &wei_md, engine, DNNL_MEMORY_ALLOCATE));
        TRY(make_reorder(&e->reorder_src, &src_f32, &src_md));
        TRY(make_reorder(&e->reorder_wei, &wei_f32, &wei_md));
    }
    /* impl points into the primitive descriptor; keep the primitive's own copy alive instead */
    {
        const_dnnl_primitive_desc_t own;
        TRY(dnnl_primitive_get_primitive_desc(e->matmul, &own));
        TRY(dnnl_primitive_desc_query(own, dnnl_query_impl_info_str, 0, &e->impl));
    }
    dnnl_primitive_desc_destroy(pd);
    dnnl_primitive_attr_destroy(attr);
    if (post) dnnl_post_ops_destroy(post);
    return dnnl_success;
fail:
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (post) dnnl_post_ops_destroy(post);
    entry_destroy(e);
    return s;
}

static dnnl_status_t lookup(entry **out, int ta, int tb, int m, int n, int k, int lda, int ldb, int ldc,
                            float alpha, float beta, int bf16) {
    uint32_t ab, bb;
    memcpy(&ab, &alpha, 4);
    memcpy(&bb, &beta, 4);
    if (!omp_single) {
        omp_set_num_threads(1);
        omp_single = 1;
    }
    if (cache.entries == NULL) {
        cache.entries = calloc(CACHE_CAPACITY, sizeof(entry));
        if (cache.entries == NULL) return dnnl_out_of_memory;
        dnnl_status_t s = dnnl_stream_create(&cache.stream, engine, dnnl_stream_default_flags);
        if (s != dnnl_success) return s;
    }
    for (int i = 0; i < cache.count; i++) {
        entry *e = &cache.entries[i];
        if (e->m == m && e->n == n && e->k == k && e->ta == ta && e->tb == tb && e->lda == lda && e->ldb == ldb
            && e->ldc == ldc && e->alpha_bits == ab && e->beta_bits == bb && e->bf16 == bf16) {
            *out = e;
            return dnnl_success;
        }
    }
    entry *e;
    if (cache.count < CACHE_CAPACITY) {
        e = &cache.entries[cache.count++];
    } else { /* more shapes than any learner has: replace round-robin */
        e = &cache.entries[cache.next_evict];
        cache.next_evict = (cache.next_evict + 1) % CACHE_CAPACITY;
        entry_destroy(e);
    }
    e->ta = ta; e->tb = tb; e->m = m; e->n = n; e->k = k; e->lda = lda; e->ldb = ldb; e->ldc = ldc;
    e->alpha_bits = ab; e->beta_bits = bb; e->bf16 = bf16;
    dnnl_status_t s = entry_create(e);
    if (s != dnnl_success) {
        /* entry_create cleared it; drop it from the table if it was the last one */
        if (e == &cache.entries[cache.count - 1]) cache.count--;
        return s;
    }
    *out = e;
    return dnnl_success;
}

static dnnl_status_t run(entry *e, float *a, float *b, float *c) {
    dnnl_status_t s;
    if ((s = dnnl_memory_set_data_handle(e->src_user, b)) != dnnl_success) return s;
    if ((s = dnnl_memory_set_data_handle(e->wei_user, a)) != dnnl_success) return s;
    if ((s = dnnl_memory_set_data_handle(e->dst_user, c)) != dnnl_success) return s;
    if (e->bf16) {
        dnnl_exec_arg_t rs[2] = {{DNNL_ARG_FROM, e->src_user}, {DNNL_ARG_TO, e->src_bf16}};
        if ((s = dnnl_primitive_execute(e->reorder_src, cache.stream, 2, rs)) != dnnl_success) return s;
        dnnl_exec_arg_t rw[2] = {{DNNL_ARG_FROM, e->wei_user}, {DNNL_ARG_TO, e->wei_bf16}};
        if ((s = dnnl_primitive_execute(e->reorder_wei, cache.stream, 2, rw)) != dnnl_success) return s;
        dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, e->src_bf16}, {DNNL_ARG_WEIGHTS, e->wei_bf16},
                                   {DNNL_ARG_DST, e->dst_user}};
        return dnnl_primitive_execute(e->matmul, cache.stream, 3, args);
    }
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, e->src_user}, {DNNL_ARG_WEIGHTS, e->wei_user},
                               {DNNL_ARG_DST, e->dst_user}};
    return dnnl_primitive_execute(e->matmul, cache.stream, 3, args);
}

/* Elements a column-major rows x cols matrix with leading dimension ld spans. */
static int64_t span(int rows, int cols, int ld) {
    return rows == 0 || cols == 0 ? 0 : (int64_t)ld * (cols - 1) + rows;
}

JNIEXPORT void JNICALL Java_trot_blas_Onednn_nativeGemm(JNIEnv *env, jclass cls, jboolean ta, jboolean tb, jint m,
        jint n, jint k, jfloat alpha, jfloatArray ja, jint lda, jfloatArray jb, jint ldb, jfloat beta,
        jfloatArray jc, jint ldc, jboolean bf16) {
    char msg[256];
    if (engine_status != dnnl_success) {
        snprintf(msg, sizeof msg, "oneDNN: no CPU engine (%s)", status_name(engine_status));
        throw_named(env, "java/lang/IllegalStateException", msg);
        return;
    }
    if (ja == NULL || jb == NULL || jc == NULL) {
        throw_named(env, "java/lang/NullPointerException", "Onednn.gemm: an operand array is null");
        return;
    }
    int ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
    if (m < 1 || n < 1 || k < 1 || lda < (ar > 1 ? ar : 1) || ldb < (br > 1 ? br : 1) || ldc < (m > 1 ? m : 1)
        || (*env)->GetArrayLength(env, ja) < span(ar, ac, lda) || (*env)->GetArrayLength(env, jb) < span(br, bc, ldb)
        || (*env)->GetArrayLength(env, jc) < span(m, n, ldc)) {
        snprintf(msg, sizeof msg, "Onednn.gemm: m=%d n=%d k=%d lda=%d ldb=%d ldc=%d do not fit the arrays "
                 "(sizes must be >= 1, leading dimensions >= rows)", m, n, k, lda, ldb, ldc);
        throw_named(env, "java/lang/IllegalArgumentException", msg);
        return;
    }
    entry *e;
    dnnl_status_t s = lookup(&e, ta, tb, m, n, k, lda, ldb, ldc, alpha, beta, bf16);
    if (s == dnnl_success) {
        float *a = (*env)->GetPrimitiveArrayCritical(env, ja, NULL);
        float *b = (*env)->GetPrimitiveArrayCritical(env, jb, NULL);
        float *c = (*env)->GetPrimitiveArrayCritical(env, jc, NULL);
        if (a != NULL && b != NULL && c != NULL) {
            s = run(e, a, b, c);
        } else {
            s = dnnl_out_of_memory;
        }
        if (c) (*env)->ReleasePrimitiveArrayCritical(env, jc, c, 0);
        if (b) (*env)->ReleasePrimitiveArrayCritical(env, jb, b, JNI_ABORT);
        if (a) (*env)->ReleasePrimitiveArrayCritical(env, ja, a, JNI_ABORT);
    }
    if (s != dnnl_success) {
        snprintf(msg, sizeof msg, "oneDNN matmul %s %c%c m=%d n=%d k=%d failed: %s", bf16 ? "bf16" : "f32",
                 ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, status_name(s));
        throw_named(env, "java/lang/IllegalStateException", msg);
    }
}

/* The kernel oneDNN picks for C = op(A) op(B) at this shape (e.g. "brg:avx512_core_amx"), or an error text. */
JNIEXPORT jstring JNICALL Java_trot_blas_Onednn_nativeKernel(JNIEnv *env, jclass cls, jboolean ta, jboolean tb,
        jint m, jint n, jint k, jboolean bf16) {
    if (engine_status != dnnl_success) return (*env)->NewStringUTF(env, "no CPU engine");
    entry *e;
    dnnl_status_t s = lookup(&e, ta, tb, m, n, k, ta ? k : m, tb ? n : k, m, 1.0f, 0.0f, bf16);
    if (s != dnnl_success) return (*env)->NewStringUTF(env, status_name(s));
    return (*env)->NewStringUTF(env, e->impl);
}

JNIEXPORT jstring JNICALL Java_trot_blas_Onednn_nativeVersion(JNIEnv *env, jclass cls) {
    const dnnl_version_t *v = dnnl_version();
    char text[128];
    snprintf(text, sizeof text, "oneDNN %d.%d.%d (%s), CPU runtime %s", v->major, v->minor, v->patch, v->hash,
             v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : v->cpu_runtime == DNNL_RUNTIME_SEQ ? "sequential"
             : v->cpu_runtime == DNNL_RUNTIME_TBB ? "TBB" : "other");
    return (*env)->NewStringUTF(env, text);
}

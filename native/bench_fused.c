/*
 * bench_fused.c: the fused Dropout -> LayerNorm -> ReLU kernels of trotnn.c timed alone, on one batch x features
 * block (256 x 256 by default, 1% dropped) that stays warm in L2: `make -C native bench-fused` builds and runs
 * it with libtrotnn.so's flags; `native/build/bench_fused N F REPS` for other shapes. Prints the median over 9
 * rounds of the mean time per call. What the JMH benchmarks cannot show: the kernels without the products
 * around them (EngineBenchmarks.criticForwardBackward has both).
 */
#include "trotnn.c"

#include <stdlib.h>
#include <time.h>

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static uint64_t state = 0x9E3779B97F4A7C15ull;

static float uniform_pm1(void) {     /* xorshift64: any fixed inputs do */
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (float)((double)(state >> 11) * 0x1.0p-53) * 2.0f - 1.0f;
}

static int by_value(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define ROUNDS 9

int main(int argc, char **argv) {
    const int n = argc > 1 ? atoi(argv[1]) : 256, f = argc > 2 ? atoi(argv[2]) : 256;
    const int reps = argc > 3 ? atoi(argv[3]) : 2000;
    if (n <= 0 || n > FUSED_MAX_BATCH || f <= 0 || reps <= 0) {
        fprintf(stderr, "usage: bench_fused [batch 1..%d] [features > 0] [reps > 0]\n", FUSED_MAX_BATCH);
        return 2;
    }
    const size_t nf = (size_t)n * f;
    float *z = malloc(nf * sizeof(float)), *out = malloc(nf * sizeof(float)), *dout = malloc(nf * sizeof(float));
    float *dz = malloc(nf * sizeof(float));
    float *gain = malloc((size_t)f * sizeof(float)), *bias = malloc((size_t)f * sizeof(float));
    float *dgain = calloc((size_t)f, sizeof(float)), *dbias = calloc((size_t)f, sizeof(float));
    float *mean = malloc((size_t)n * sizeof(float)), *rstd = malloc((size_t)n * sizeof(float));
    int *dropped = malloc(nf * sizeof(int));
    if (!z || !out || !dout || !dz || !gain || !bias || !dgain || !dbias || !mean || !rstd || !dropped) {
        fprintf(stderr, "bench_fused: out of memory\n");
        return 1;
    }
    int count = 0;
    for (size_t i = 0; i < nf; i++) {
        z[i] = 3.0f * uniform_pm1();
        dout[i] = uniform_pm1();
        if (uniform_pm1() > 0.98f) dropped[count++] = (int)i;
    }
    for (int j = 0; j < f; j++) {
        gain[j] = 1.0f + 0.1f * uniform_pm1();
        bias[j] = 0.1f * uniform_pm1();
    }
    const float scale = 1.0f / 0.99f, eps = 1e-5f;
    const char *names[3] = {"forward (xhat over z)", "forward_inference", "backward"};
    double t[3][ROUNDS];
    /* The forwards in place, as trot calls them (normalising xhat again keeps the values in range); the backward
     * into its own dz, so that its input stays the same (in place, dz fed back would drift towards denormals). */
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now_s();
        for (int k = 0; k < reps; k++) fused_forward(z, n, f, scale, dropped, count, z, gain, bias, eps, mean, rstd, out);
        double t1 = now_s();
        for (int k = 0; k < reps; k++) fused_forward_inference(z, n, f, scale, dropped, count, gain, bias, eps);
        double t2 = now_s();
        for (int k = 0; k < reps; k++) fused_backward(dout, out, z, gain, rstd, n, f, dgain, dbias, scale, dropped, count, dz);
        double t3 = now_s();
        t[0][r] = (t1 - t0) / reps;
        t[1][r] = (t2 - t1) / reps;
        t[2][r] = (t3 - t2) / reps;
    }
    printf("fused kernels, batch %d x features %d, %d dropped, %d calls per round (%s)\n", n, f, count, reps, TROTNN_FLAGS);
    for (int k = 0; k < 3; k++) {
        qsort(t[k], ROUNDS, sizeof(double), by_value);
        printf("  %-24s median %7.2f us (rounds %.2f .. %.2f)\n", names[k], 1e6 * t[k][ROUNDS / 2], 1e6 * t[k][0],
               1e6 * t[k][ROUNDS - 1]);
    }
    return 0;
}

/*
 * check.h: a tiny unit-test harness (one test binary = one .c file that includes this).
 *
 *   static void test_something(void) { CHECK(x == 1); CHECK_EQ_U(a, b); CHECK_EQ_F(f, 0.5f); }
 *   int main(void) { RUN(test_something); return check_summary(); }
 *
 * A case passes when none of its checks fails. check_summary() prints, alone on the last line,
 * "N passed, N failed" (counting cases; CI parses this line) and returns the process exit status.
 * Cases can also be opened and closed by hand (check_begin / check_end), e.g. one per test vector.
 */
#ifndef TROT_CHECK_H
#define TROT_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int check_cases_passed, check_cases_failed, check_checks, check_case_failures;
static const char *check_case_name = "(no case)";
static char check_case_buf[160];

static void check_begin(const char *name) {
    snprintf(check_case_buf, sizeof check_case_buf, "%s", name);
    check_case_name = check_case_buf;
    check_case_failures = 0;
}

static void check_end(void) {
    if (check_case_failures == 0) {
        check_cases_passed++;
    } else {
        check_cases_failed++;
        printf("FAILED %s (%d failed checks)\n", check_case_name, check_case_failures);
    }
    check_case_name = "(no case)";
}

/* Returns ok, so a test can stop early: if (!CHECK(p != NULL)) return; */
static int check_report(int ok, const char *file, int line, const char *what) {
    check_checks++;
    if (!ok) {
        if (check_case_failures < 20)
            printf("  %s:%d: [%s] %s\n", file, line, check_case_name, what);
        check_case_failures++;
    }
    return ok;
}

static int check_u(uint64_t a, uint64_t b, const char *ea, const char *eb, const char *file, int line) {
    char what[400];
    if (a == b)
        return check_report(1, file, line, "");
    snprintf(what, sizeof what, "%s == %s: %llu (0x%llx) != %llu (0x%llx)", ea, eb, (unsigned long long)a,
             (unsigned long long)a, (unsigned long long)b, (unsigned long long)b);
    return check_report(0, file, line, what);
}

static int check_i(long long a, long long b, const char *ea, const char *eb, const char *file, int line) {
    char what[400];
    if (a == b)
        return check_report(1, file, line, "");
    snprintf(what, sizeof what, "%s == %s: %lld != %lld", ea, eb, a, b);
    return check_report(0, file, line, what);
}

static uint32_t check_float_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/* Bitwise equality of two floats (so 0.0 != -0.0 and a NaN equals the same NaN). */
static int check_f(float a, float b, const char *ea, const char *eb, const char *file, int line) {
    char what[400];
    if (check_float_bits(a) == check_float_bits(b))
        return check_report(1, file, line, "");
    snprintf(what, sizeof what, "%s == %s: %.9g (0x%08x) != %.9g (0x%08x)", ea, eb, (double)a,
             (unsigned)check_float_bits(a), (double)b, (unsigned)check_float_bits(b));
    return check_report(0, file, line, what);
}

static int check_near(double a, double b, double tol, const char *ea, const char *eb, const char *file, int line) {
    char what[400];
    double d = a - b;
    if (d <= tol && d >= -tol)
        return check_report(1, file, line, "");
    snprintf(what, sizeof what, "%s ~= %s: %.9g != %.9g (tolerance %g)", ea, eb, a, b, tol);
    return check_report(0, file, line, what);
}

#define CHECK(cond) check_report((cond) != 0, __FILE__, __LINE__, #cond)
#define CHECK_EQ_U(a, b) check_u((uint64_t)(a), (uint64_t)(b), #a, #b, __FILE__, __LINE__)
#define CHECK_EQ_I(a, b) check_i((long long)(a), (long long)(b), #a, #b, __FILE__, __LINE__)
#define CHECK_EQ_F(a, b) check_f((float)(a), (float)(b), #a, #b, __FILE__, __LINE__)
#define CHECK_NEAR(a, b, tol) check_near((double)(a), (double)(b), (double)(tol), #a, #b, __FILE__, __LINE__)

#define RUN(fn) do { check_begin(#fn); fn(); check_end(); } while (0)

static int check_summary(void) {
    (void)check_u; (void)check_i; (void)check_f; (void)check_near; /* each binary may not use every helper */
    printf("%d passed, %d failed\n", check_cases_passed, check_cases_failed);
    fflush(stdout);
    return check_cases_failed == 0 && check_cases_passed > 0 ? 0 : 1;
}

#endif

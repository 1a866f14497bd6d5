/*
 * How fast can `elementwise_chain` run on this CPU at all? A hand-tuned C version of the chain
 *
 *   y = sigmoid(1.5x + 0.25) * tanh(x) - 0.5 exp(-x^2) + clamp(x, -1, 1) + gelu(x) + x^2 / (1 + |x|)
 *
 * written to be cheaper than any kernel Kiln may generate, timed against a plain copy in the same run
 * (docs/benchmarks.md, "The bound, measured"). It takes every shortcut Kiln's generated code may not:
 *  - one exponential w = e^(-|x|/2) serves both sigmoid (e^(-1.5x) = w^3 or 1/w^3) and tanh (e^(-2|x|) = w^4),
 *    an identity that holds only because 1.5 and 2 are multiples of 1/2;
 *  - exp(-x^2) is the square of gelu's e^(-x^2/2);
 *  - sigmoid * tanh is one division, not two;
 *  - erf is Abramowitz-Stegun 7.1.26 (absolute error 1.5e-7), tanh loses relative accuracy near 0, the exponential
 *    flushes below e^-87: accuracy well below Kiln's documented per-function bounds (docs/fast-math.md).
 * It prints its largest error against a float64 evaluation, so what was given up is visible.
 *
 * Build and run (gcc auto-vectorises the loop with AVX2 + FMA; OpenMP splits it across threads):
 *   gcc -O3 -mavx2 -mfma -fopenmp -fno-math-errno -fno-trapping-math docs/bench/chain_speed_of_light.c \
 *       -o chain_speed_of_light -lm && ./chain_speed_of_light
 */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROWS 256L
#define COLS 65536L

/* e^x for -87 <= x <= 0 (clamped below): Cody-Waite reduction, degree-7 Cephes polynomial, 2^n by shifting. */
static inline __attribute__((always_inline)) float exp_nonpositive(float x) {
    x = x < -87.f ? -87.f : x;
    float t = fmaf(x, 1.44269504088896341f, 12582912.f + 127.f); /* low mantissa bits: round(x/ln2) + 127 */
    float n = t - (12582912.f + 127.f);
    float r = fmaf(n, -0.693359375f, x);
    r = fmaf(n, 2.12194440e-4f, r);
    float p = fmaf(r, 1.9875691500e-4f, 1.3981999507e-3f);
    p = fmaf(p, r, 8.3334519073e-3f);
    p = fmaf(p, r, 4.1665795894e-2f);
    p = fmaf(p, r, 1.6666665459e-1f);
    p = fmaf(p, r, 5.0000001201e-1f);
    p = fmaf(p, r * r, r) + 1.f;
    uint32_t bits;
    memcpy(&bits, &t, 4);
    bits <<= 23;
    float scale;
    memcpy(&scale, &bits, 4);
    return p * scale;
}

static void chain(const float *restrict in, float *restrict out, long n) {
    const float e_quarter = 0.77880078307f; /* e^-0.25 */
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) {
        float x = in[i], a = fabsf(x), x2 = x * x;
        float w = exp_nonpositive(-0.5f * a), w3 = w * w * w, e2 = w3 * w;
        /* sigmoid(1.5x + 0.25) = 1 / (1 + e^-0.25 w^3) for x >= 0, w^3 / (w^3 + e^-0.25) below */
        float num1 = x >= 0 ? 1.f : w3, den1 = x >= 0 ? fmaf(w3, e_quarter, 1.f) : w3 + e_quarter;
        float num2 = copysignf(1.f - e2, x), den2 = e2 + 1.f; /* tanh x = sign(x) (1 - e^-2|x|) / (1 + e^-2|x|) */
        float st = (num1 * num2) / (den1 * den2);
        float e3 = exp_nonpositive(-0.5f * x2);
        float t = 1.f / fmaf(a, 0.3275911f * 0.70710678f, 1.f);
        float p = fmaf(t, 1.061405429f, -1.453152027f);
        p = fmaf(p, t, 1.421413741f);
        p = fmaf(p, t, -0.284496736f);
        p = fmaf(p, t, 0.254829592f);
        float h = p * t * e3 * (a * 0.5f); /* |x| erfc(|x|/sqrt 2) / 2 */
        float gelu = x > 0 ? x - h : -h;
        float clamped = x < -1.f ? -1.f : (x > 1.f ? 1.f : x);
        out[i] = fmaf(e3 * e3, -0.5f, st) + clamped + gelu + x2 / (a + 1.f);
    }
}

static void copy(const float *restrict in, float *restrict out, long n) {
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) out[i] = in[i];
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double reference(double x) {
    double s = 1 / (1 + exp(-(1.5 * x + 0.25)));
    double gelu = 0.5 * x * erfc(-x / sqrt(2.0));
    return s * tanh(x) - 0.5 * exp(-x * x) + fmax(-1, fmin(1, x)) + gelu + x * x / (1 + fabs(x));
}

int main(void) {
    long n = ROWS * COLS;
    float *in = aligned_alloc(64, n * sizeof(float)), *out = aligned_alloc(64, n * sizeof(float));
    srand(20261121);
    for (long i = 0; i < n; i++) in[i] = (rand() / (float) RAND_MAX - 0.5f) * 12.f;
    for (int threads = 1; threads <= 2; threads++) {
        omp_set_num_threads(threads);
        for (int w = 0; w < 5; w++) {
            chain(in, out, n);
            copy(in, out, n);
        }
        const int reps = 20;
        double copy_ms = 0, chain_ms = 0;
        for (int r = 0; r < reps; r++) {
            double t0 = now_ms();
            copy(in, out, n);
            double t1 = now_ms();
            chain(in, out, n);
            chain_ms += now_ms() - t1;
            copy_ms += t1 - t0;
        }
        printf("%dx%d, %d thread(s): copy %.2f ms, chain %.2f ms, chain at %.1f%% of copy bandwidth\n", (int) ROWS,
               (int) COLS, threads, copy_ms / reps, chain_ms / reps, 100 * copy_ms / chain_ms);
    }
    double worst = 0, at = 0;
    for (long i = 0; i < n; i += 3) {
        double ref = reference(in[i]);
        double err = fabs(out[i] - ref) / fmax(1, fabs(ref));
        if (err > worst) worst = err, at = in[i];
    }
    printf("largest error against float64, |y - ref| / max(1, |ref|): %.2e (at x = %g)\n", worst, at);
    return 0;
}

// The f32 FMA ceiling of one core: twelve independent 512-bit FMA chains, nothing else.
// usage: fmapeak [ITERATIONS]  -> GFLOP/s of this core. Run one copy per core at once for the machine's peak.
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHAIN(i) __m512 a##i = _mm512_set1_ps(0.001f * i);
#define STEP(i) a##i = _mm512_fmadd_ps(a##i, m, c);
#define SUM(i) total += _mm512_reduce_add_ps(a##i);

volatile float sink; // the chains' results go here, so none of them can be dropped

int main(int argc, char **argv) {
    long iterations = argc > 1 ? atol(argv[1]) : 400000000L;
    CHAIN(0) CHAIN(1) CHAIN(2) CHAIN(3) CHAIN(4) CHAIN(5) CHAIN(6) CHAIN(7) CHAIN(8) CHAIN(9) CHAIN(10) CHAIN(11)
    __m512 m = _mm512_set1_ps(0.9999f), c = _mm512_set1_ps(0.0001f);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long k = 0; k < iterations; k++) {
        STEP(0) STEP(1) STEP(2) STEP(3) STEP(4) STEP(5) STEP(6) STEP(7) STEP(8) STEP(9) STEP(10) STEP(11)
        __asm__ volatile("" : "+v"(a0), "+v"(a6)); // keeps the chains in registers, in this loop
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    float total = 0;
    SUM(0) SUM(1) SUM(2) SUM(3) SUM(4) SUM(5) SUM(6) SUM(7) SUM(8) SUM(9) SUM(10) SUM(11)
    double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    printf("%.1f\n", iterations * 12.0 * 32 / s * 1e-9); // 16 lanes x 2 flops per FMA
    sink = total;
    return 0;
}

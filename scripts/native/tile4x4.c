// Native peer for the prompt path's loop (TiledKernels): four weight rows staged as f32, K tiles of 512,
// tokens four at a time, 16 accumulators in registers stored between K tiles, lanes summed at the end.
// Weights are already f32 here (no dequantizing), so this is the ceiling of that loop structure in C.
// usage: tile4x4 THREADS ROWS COLS TOKENS [ROUNDS]  -> one line per round, GFLOP/s
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KT 512
static int rows, cols, tokens, threads;
static float *w, *x, *out;
volatile float sink; // an output goes here at the end, so the work cannot be dropped

#define FMA4(v, j) \
    c0##j = _mm512_fmadd_ps(w0, v, c0##j); c1##j = _mm512_fmadd_ps(w1, v, c1##j); \
    c2##j = _mm512_fmadd_ps(w2, v, c2##j); c3##j = _mm512_fmadd_ps(w3, v, c3##j);
#define LOADC(j) __m512 c0##j = _mm512_load_ps(a + 64 * j), c1##j = _mm512_load_ps(a + 64 * j + 16), \
    c2##j = _mm512_load_ps(a + 64 * j + 32), c3##j = _mm512_load_ps(a + 64 * j + 48);
#define STOREC(j) _mm512_store_ps(a + 64 * j, c0##j); _mm512_store_ps(a + 64 * j + 16, c1##j); \
    _mm512_store_ps(a + 64 * j + 32, c2##j); _mm512_store_ps(a + 64 * j + 48, c3##j);

static void tile(const float *s, const float *x0, int k0, int k1, float *a) {
    LOADC(0) LOADC(1) LOADC(2) LOADC(3)
    for (int o = k0; o < k1; o += 16) {
        __m512 w0 = _mm512_load_ps(s + o), w1 = _mm512_load_ps(s + cols + o);
        __m512 w2 = _mm512_load_ps(s + 2 * cols + o), w3 = _mm512_load_ps(s + 3 * cols + o);
        __m512 v = _mm512_load_ps(x0 + o); FMA4(v, 0)
        v = _mm512_load_ps(x0 + cols + o); FMA4(v, 1)
        v = _mm512_load_ps(x0 + 2 * cols + o); FMA4(v, 2)
        v = _mm512_load_ps(x0 + 3 * cols + o); FMA4(v, 3)
    }
    STOREC(0) STOREC(1) STOREC(2) STOREC(3)
}

static void *work(void *arg) {
    long index = (long) arg;
    int r0 = (int) (rows / 4 * index / threads) * 4, r1 = (int) (rows / 4 * (index + 1) / threads) * 4;
    float *s = aligned_alloc(64, (size_t) (4 * cols + 64 * tokens) * sizeof(float));
    float *acc = s + 4 * cols;
    for (int r = r0; r < r1; r += 4) {
        memcpy(s, w + (size_t) r * cols, 4 * (size_t) cols * sizeof(float)); // stands in for dequantizing
        memset(acc, 0, 64 * (size_t) tokens * sizeof(float));
        for (int k0 = 0; k0 < cols; k0 += KT) {
            int k1 = k0 + KT < cols ? k0 + KT : cols;
            for (int t = 0; t < tokens; t += 4) tile(s, x + (size_t) t * cols, k0, k1, acc + 64 * t);
        }
        for (int t = 0; t < tokens; t++)
            for (int k = 0; k < 4; k++) out[(size_t) t * rows + r + k] = _mm512_reduce_add_ps(_mm512_load_ps(acc + 16 * (4 * t + k)));
    }
    free(s);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: tile4x4 THREADS ROWS COLS TOKENS [ROUNDS]\n"); return 2; }
    threads = atoi(argv[1]); rows = atoi(argv[2]); cols = atoi(argv[3]); tokens = atoi(argv[4]);
    int rounds = argc > 5 ? atoi(argv[5]) : 5;
    if (threads < 1 || threads > 64 || rows % 4 || cols % 16 || tokens % 4) { fprintf(stderr, "tile4x4: bad arguments\n"); return 2; }
    w = aligned_alloc(64, (size_t) rows * cols * sizeof(float));
    x = aligned_alloc(64, (size_t) tokens * cols * sizeof(float));
    out = aligned_alloc(64, (size_t) tokens * rows * sizeof(float));
    for (size_t i = 0; i < (size_t) rows * cols; i++) w[i] = (float) (i % 17) * 0.01f;
    for (size_t i = 0; i < (size_t) tokens * cols; i++) x[i] = (float) (i % 13) * 0.01f;
    pthread_t ids[64];
    for (int r = 0; r < rounds; r++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (long i = 0; i < threads; i++) pthread_create(&ids[i], NULL, work, (void *) i);
        for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
        printf("%.1f\n", 2.0 * rows * cols * tokens / s * 1e-9);
    }
    sink = out[7];
    return 0;
}

// Native peer for MemoryReadBench: how fast plain C with 512-bit loads reads a buffer on this machine.
// usage: membw THREADS MEGABYTES [ROUNDS]  -> one line per round, GB/s; each thread reads its own share.
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned char *buffer;
static size_t share;
static volatile long long sums[64 * 8]; // one slot per thread, 64 bytes apart; volatile, so the loads stay

static void *read_share(void *arg) {
    long index = (long) arg;
    const unsigned char *p = buffer + index * share;
    __m512i a = _mm512_setzero_si512(), b = a, c = a, d = a; // four independent chains
    for (size_t o = 0; o < share; o += 256) {
        a = _mm512_add_epi8(a, _mm512_load_si512(p + o));
        b = _mm512_add_epi8(b, _mm512_load_si512(p + o + 64));
        c = _mm512_add_epi8(c, _mm512_load_si512(p + o + 128));
        d = _mm512_add_epi8(d, _mm512_load_si512(p + o + 192));
    }
    __m512i s = _mm512_add_epi8(_mm512_add_epi8(a, b), _mm512_add_epi8(c, d));
    sums[index * 8] = _mm512_reduce_add_epi64(s);
    return NULL;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: membw THREADS MEGABYTES [ROUNDS]\n"); return 2; }
    int threads = atoi(argv[1]);
    size_t bytes = (size_t) atol(argv[2]) << 20;
    int rounds = argc > 3 ? atoi(argv[3]) : 8;
    if (threads < 1 || threads > 64 || bytes == 0) { fprintf(stderr, "membw: bad arguments\n"); return 2; }
    share = bytes / threads / 256 * 256;
    buffer = aligned_alloc(1 << 21, share * threads);
    if (buffer == NULL) { perror("membw"); return 1; }
    memset(buffer, 1, share * threads); // touch every page before timing
    pthread_t ids[64];
    for (int r = 0; r < rounds; r++) {
        double t0 = now();
        for (long i = 0; i < threads; i++) pthread_create(&ids[i], NULL, read_share, (void *) i);
        for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
        double t1 = now();
        printf("%.1f\n", share * threads / (t1 - t0) * 1e-9);
    }
    return 0;
}

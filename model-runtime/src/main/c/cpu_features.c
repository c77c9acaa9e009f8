/*
 * Which kernel variants this CPU can run: the instruction set bits from cpuid, and from xgetbv whether the
 * operating system saves the vector registers those instructions use (AVX: YMM state; AVX-512: opmask and
 * ZMM state as well). See gannet_cpu.h.
 */
#include "gannet_cpu.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static uint64_t xcr0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t) hi << 32) | lo;
}

int32_t gannet_cpu_isas(void) {
    int32_t isas = GANNET_ISA_SCALAR;
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return isas;
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, f16c = (c >> 29) & 1;
    if (!osxsave || !avx) return isas;
    uint64_t x = xcr0();
    if ((x & 0x6) != 0x6) return isas; /* SSE and YMM state */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return isas;
    int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1, avx512dq = (b >> 17) & 1, avx512bw = (b >> 30) & 1;
    int avx512vl = (b >> 31) & 1, vnni = (c >> 11) & 1;
    if (avx2 && fma && f16c) isas |= GANNET_ISA_AVX2;
    if ((x & 0xe0) == 0xe0 && avx512f && avx512dq && avx512bw && avx512vl && vnni && (isas & GANNET_ISA_AVX2)) {
        isas |= GANNET_ISA_AVX512;
    }
    return isas;
}
#else
int32_t gannet_cpu_isas(void) { return GANNET_ISA_SCALAR; }
#endif

int32_t gannet_cpu_abi_version(void) { return 2; }

/* IEEE half to float in plain C, exact (subnormals, infinities and NaN included): the scalar kernels and the
 * generic K-quant loops share it; the SIMD variants convert with F16C / AVX-512 instead. */
#ifndef GANNET_HALF_EXACT_H
#define GANNET_HALF_EXACT_H
#include <stdint.h>
#include <string.h>

static inline float gannet_half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t) (h & 0x8000) << 16, e = (h >> 10) & 0x1f, f = h & 0x3ff, bits;
    if (e == 0x1f) {
        bits = sign | 0x7f800000u | (f << 13);
    } else if (e != 0) {
        bits = sign | ((e + 112) << 23) | (f << 13);
    } else if (f == 0) {
        bits = sign;
    } else { /* subnormal: normalize */
        int shift = 0;
        while (!(f & 0x400)) { f <<= 1; shift++; }
        bits = sign | ((uint32_t) (113 - shift) << 23) | ((f & 0x3ff) << 13);
    }
    float v;
    memcpy(&v, &bits, 4);
    return v;
}
#endif

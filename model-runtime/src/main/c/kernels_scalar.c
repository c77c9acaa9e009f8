/*
 * Portable C kernels: the fallback on CPUs without AVX2 (and the only variant off x86-64). See gannet_cpu.h
 * for the contract. Built with -ffp-contract=off, so every multiply and add rounds as written.
 *
 * Activation record (gannet_scalar_quantize): one per block of 32 values, 36 bytes: the int8 quants in
 * order, then the f32 scale. Per output and block: acc += float(exact int dot) * (d_w * d_x).
 * Float weights: eight partial sums over the columns in order (column i into sum i % 8), added in a
 * fixed tree at the end.
 */
#include <math.h>
#include <string.h>

#include "gannet_cpu.h"
#include "half_exact.h"

#define REC 36

int64_t gannet_scalar_xq_row_bytes(int64_t k, int32_t mode) {
    (void) mode; /* one layout for every weight type */
    return k / 32 * REC;
}

void gannet_scalar_quantize(const float *x, int64_t x_stride, int64_t m, int64_t k, int32_t mode, uint8_t *xq) {
    (void) mode;
    for (int64_t t = 0; t < m; t++) {
        const float *xt = x + t * x_stride;
        uint8_t *rec = xq + t * gannet_scalar_xq_row_bytes(k, mode);
        for (int64_t b = 0; b < k / 32; b++, rec += REC) {
            float amax = 0.0f;
            for (int i = 0; i < 32; i++) amax = fmaxf(amax, fabsf(xt[32 * b + i]));
            float d = amax / 127.0f;
            float id = d != 0.0f ? 1.0f / d : 0.0f;
            for (int i = 0; i < 32; i++) rec[i] = (uint8_t) (int8_t) nearbyintf(xt[32 * b + i] * id); /* nearest even */
            memcpy(rec + 32, &d, 4);
        }
    }
}

static float rec_scale(const uint8_t *rec) {
    float d;
    memcpy(&d, rec + 32, 4);
    return d;
}

static void qmatmul(int q4, const uint8_t *w, int64_t w_stride, const float *ws, int64_t ws_stride, int64_t k,
                    const uint8_t *xq, int64_t m, float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    int64_t xrb = gannet_scalar_xq_row_bytes(k, GANNET_XQ_Q8_0);
    for (int64_t r = r0; r < r1; r++) {
        const uint8_t *wr = w + r * w_stride;
        const float *sr = (const float *) ((const uint8_t *) ws + r * ws_stride);
        for (int64_t t = 0; t < m; t++) {
            float acc = 0.0f;
            for (int64_t b = 0; b < k / 32; b++) {
                const uint8_t *rec = xq + t * xrb + b * REC;
                const int8_t *xv = (const int8_t *) rec;
                int32_t sum = 0;
                if (q4) {
                    const uint8_t *p = wr + 16 * b;
                    for (int i = 0; i < 16; i++) sum += ((p[i] & 15) - 8) * xv[i] + ((p[i] >> 4) - 8) * xv[i + 16];
                } else {
                    const int8_t *p = (const int8_t *) wr + 32 * b;
                    for (int i = 0; i < 32; i++) sum += p[i] * xv[i];
                }
                acc += (float) sum * (sr[b] * rec_scale(rec));
            }
            out[t * out_stride + r] = acc;
        }
    }
}

void gannet_scalar_matmul_q8_0(const int8_t *w, int64_t w_stride, const float *ws, int64_t ws_stride, int64_t k,
                               const uint8_t *xq, int64_t m, float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    qmatmul(0, (const uint8_t *) w, w_stride, ws, ws_stride, k, xq, m, out, out_stride, r0, r1);
}

void gannet_scalar_matmul_q4_0(const uint8_t *w, int64_t w_stride, const float *ws, int64_t ws_stride, int64_t k,
                               const uint8_t *xq, int64_t m, float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    qmatmul(1, w, w_stride, ws, ws_stride, k, xq, m, out, out_stride, r0, r1);
}

static float bf16_to_float(uint16_t h) {
    uint32_t bits = (uint32_t) h << 16;
    float v;
    memcpy(&v, &bits, 4);
    return v;
}

enum { FT_F32, FT_F16, FT_BF16 };

static float weight(int ft, const uint8_t *row, int64_t i) {
    switch (ft) {
    case FT_F32: { float v; memcpy(&v, row + 4 * i, 4); return v; }
    case FT_F16: { uint16_t h; memcpy(&h, row + 2 * i, 2); return gannet_half_to_float(h); }
    default: { uint16_t h; memcpy(&h, row + 2 * i, 2); return bf16_to_float(h); }
    }
}

static void fmatmul(int ft, const uint8_t *w, int64_t w_stride, int64_t k, const float *x, int64_t x_stride, int64_t m,
                    float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    float row[256];
    for (int64_t r = r0; r < r1; r++) {
        const uint8_t *wr = w + r * w_stride;
        for (int64_t t = 0; t < m; t++) {
            const float *xt = x + t * x_stride;
            float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            for (int64_t c0 = 0; c0 < k; c0 += 256) { /* convert 256 weights at a time, then multiply */
                int64_t n = k - c0 < 256 ? k - c0 : 256;
                for (int64_t i = 0; i < n; i++) row[i] = weight(ft, wr, c0 + i);
                for (int64_t i = 0; i < n; i++) s[i % 8] += row[i] * xt[c0 + i];
            }
            out[t * out_stride + r] = ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]));
        }
    }
}

void gannet_scalar_matmul_f32(const float *w, int64_t w_stride, int64_t k, const float *x, int64_t x_stride, int64_t m,
                              float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    fmatmul(FT_F32, (const uint8_t *) w, w_stride, k, x, x_stride, m, out, out_stride, r0, r1);
}

void gannet_scalar_matmul_f16(const uint16_t *w, int64_t w_stride, int64_t k, const float *x, int64_t x_stride, int64_t m,
                              float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    fmatmul(FT_F16, (const uint8_t *) w, w_stride, k, x, x_stride, m, out, out_stride, r0, r1);
}

void gannet_scalar_matmul_bf16(const uint16_t *w, int64_t w_stride, int64_t k, const float *x, int64_t x_stride, int64_t m,
                               float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    fmatmul(FT_BF16, (const uint8_t *) w, w_stride, k, x, x_stride, m, out, out_stride, r0, r1);
}

#define KQ_REC REC
#define KQ_D_AT 32
#define KQ_NAME(op) gannet_scalar_##op
#include "kquants_generic.h"

/*
 * Q4_K and Q6_K against 8-bit activation records whose block of 32 starts with its 32 int8 quants in order
 * and holds its f32 scale KQ_D_AT bytes in, one record every KQ_REC bytes: the AVX2 and the scalar variants
 * include this with their own layout and compiler flags (-ffp-contract=off: every rounding as written).
 * Per output, in the order of its columns: Q4_K sub-block j adds (d sc_j d_x) * sum(q x) - (dmin m_j d_x) *
 * sum(x); Q6_K's 16-value group g adds (d sc_g d_x) * sum((q - 32) x); the int sums are exact.
 * Define KQ_REC, KQ_D_AT and KQ_NAME(op) (the exported name) before including.
 */
#include <string.h>

#include "half_exact.h"

static float kq_half(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return gannet_half_to_float(h);
}

static float kq_dx(const uint8_t *rec) {
    float d;
    memcpy(&d, rec + KQ_D_AT, 4);
    return d;
}

/* One Q4_K row (k / 256 blocks of 144 bytes) times one token's records. */
static float kq_dot_q4_k(const uint8_t *row, int64_t k, const uint8_t *x) {
    float acc = 0.0f;
    for (int64_t sb = 0; sb < k / 256; sb++) {
        const uint8_t *blk = row + 144 * sb, *s = blk + 4, *qs = blk + 16;
        float d = kq_half(blk), dmin = kq_half(blk + 2);
        for (int j = 0; j < 8; j++) {
            int sc = j < 4 ? s[j] & 63 : (s[j + 4] & 0x0f) | ((s[j - 4] >> 6) << 4);
            int mn = j < 4 ? s[j + 4] & 63 : (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
            const uint8_t *rec = x + (8 * sb + j) * KQ_REC;
            const int8_t *xq = (const int8_t *) rec;
            int32_t dot = 0, sum = 0;
            for (int l = 0; l < 32; l++) { /* sub-block j: nibbles of qs[32 (j / 2) + l], low for even j */
                int q = j % 2 == 0 ? qs[32 * (j / 2) + l] & 15 : qs[32 * (j / 2) + l] >> 4;
                dot += q * xq[l];
                sum += xq[l];
            }
            float dx = kq_dx(rec);
            acc += (float) dot * (d * (float) sc * dx);
            acc -= (float) sum * (dmin * (float) mn * dx);
        }
    }
    return acc;
}

/* One Q6_K row (k / 256 blocks of 210 bytes) times one token's records. */
static float kq_dot_q6_k(const uint8_t *row, int64_t k, const uint8_t *x) {
    float acc = 0.0f;
    for (int64_t sb = 0; sb < k / 256; sb++) {
        const uint8_t *blk = row + 210 * sb;
        float d = kq_half(blk + 208);
        for (int h = 0; h < 2; h++) {
            const uint8_t *ql = blk + 64 * h, *qh = blk + 128 + 32 * h;
            const int8_t *sc = (const int8_t *) (blk + 192 + 8 * h);
            for (int b = 0; b < 4; b++) { /* the half's block b: values 32b..32b+31 */
                const uint8_t *rec = x + (8 * sb + 4 * h + b) * KQ_REC;
                const int8_t *xq = (const int8_t *) rec;
                float dx = kq_dx(rec);
                for (int p = 0; p < 2; p++) {
                    int32_t dot = 0;
                    for (int l = 16 * p; l < 16 * p + 16; l++) {
                        int lo = b < 2 ? ql[32 * (b & 1) + l] & 15 : ql[32 * (b & 1) + l] >> 4;
                        int q = lo | (((qh[l] >> (2 * b)) & 3) << 4);
                        dot += (q - 32) * xq[l];
                    }
                    acc += (float) dot * (d * (float) sc[2 * b + p] * dx);
                }
            }
        }
    }
    return acc;
}

void KQ_NAME(matmul_q4_k)(const uint8_t *w, int64_t w_stride, int64_t k, const uint8_t *xq, int64_t m, float *out,
                          int64_t out_stride, int64_t r0, int64_t r1) {
    int64_t xrb = k / 32 * KQ_REC;
    for (int64_t r = r0; r < r1; r++)
        for (int64_t t = 0; t < m; t++) out[t * out_stride + r] = kq_dot_q4_k(w + r * w_stride, k, xq + t * xrb);
}

void KQ_NAME(matmul_q6_k)(const uint8_t *w, int64_t w_stride, int64_t k, const uint8_t *xq, int64_t m, float *out,
                          int64_t out_stride, int64_t r0, int64_t r1) {
    int64_t xrb = k / 32 * KQ_REC;
    for (int64_t r = r0; r < r1; r++)
        for (int64_t t = 0; t < m; t++) out[t * out_stride + r] = kq_dot_q6_k(w + r * w_stride, k, xq + t * xrb);
}

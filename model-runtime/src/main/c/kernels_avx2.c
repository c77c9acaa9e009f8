/*
 * AVX2 + FMA + F16C kernels, for x86-64 CPUs without AVX-512 VNNI. See gannet_cpu.h for the contract.
 *
 * Activation record (gannet_avx2_quantize): one per block of 32 values, 96 bytes: [0, 32) the int8 quants
 * in order, [32, 64) 8 int32 corrections -8 * (sum of the 4 quants of lane i) (used by Q4_0 only),
 * [64, 68) the f32 scale. Without vpdpbusd a block's products go through vpmaddubsw (unsigned x signed
 * bytes into saturating int16 pairs) and vpmaddwd (pairs into int32 lanes):
 *  - Q8_0: |w| times x carrying w's sign (vpsignb), so no pair can reach the int16 limit;
 *  - Q4_0: the nibbles (0..15) times x, plus the correction: sum((q - 8) x).
 * Per output and block: acc = fma(float(lanes), d_w * d_x, acc) (8 lanes), then one horizontal sum.
 */
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "gannet_cpu.h"

#define AI static inline __attribute__((always_inline))
#define REC 96

int64_t gannet_avx2_xq_row_bytes(int64_t k, int32_t mode) {
    (void) mode; /* one layout for every weight type */
    return k / 32 * REC;
}

/* Fixed-order sum of 8 lanes. */
AI float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

AI float hmax8(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* 8 floats to 8 int8 (round to nearest even; |v| <= 127 here), in the low 8 bytes. */
AI __m128i to_i8(__m256 v) {
    __m256i i = _mm256_cvtps_epi32(v);
    __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(i), _mm256_extracti128_si256(i, 1));
    return _mm_packs_epi16(w, w);
}

void gannet_avx2_quantize(const float *x, int64_t x_stride, int64_t m, int64_t k, int32_t mode, uint8_t *xq) {
    (void) mode; /* one layout for every weight type: the Q4_0 correction is always written */
    const __m256 sign = _mm256_set1_ps(-0.0f);
    const __m256i ones = _mm256_set1_epi8(1);
    const __m256i ones16 = _mm256_set1_epi16(1);
    for (int64_t t = 0; t < m; t++) {
        const float *xt = x + t * x_stride;
        uint8_t *rec = xq + t * gannet_avx2_xq_row_bytes(k, mode);
        for (int64_t b = 0; b < k / 32; b++, rec += REC) {
            __m256 v[4], a = _mm256_setzero_ps();
            for (int j = 0; j < 4; j++) {
                v[j] = _mm256_loadu_ps(xt + 32 * b + 8 * j);
                a = _mm256_max_ps(a, _mm256_andnot_ps(sign, v[j]));
            }
            float d = hmax8(a) / 127.0f;
            __m256 id = _mm256_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
            __m128i q01 = _mm_unpacklo_epi64(to_i8(_mm256_mul_ps(v[0], id)), to_i8(_mm256_mul_ps(v[1], id)));
            __m128i q23 = _mm_unpacklo_epi64(to_i8(_mm256_mul_ps(v[2], id)), to_i8(_mm256_mul_ps(v[3], id)));
            __m256i q = _mm256_set_m128i(q23, q01);
            __m256i sum = _mm256_madd_epi16(_mm256_maddubs_epi16(ones, q), ones16);
            _mm256_store_si256((__m256i *) rec, q);
            _mm256_store_si256((__m256i *) (rec + 32), _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(sum, 3)));
            memcpy(rec + 64, &d, 4);
        }
    }
}

/* Block b of a Q8_0 row: |w| and w (the sign source), bytes. */
AI __m256i w8(const int8_t *row, int64_t b) { return _mm256_loadu_si256((const __m256i *) (row + 32 * b)); }

/* Block b of a Q4_0 row: its 32 values' nibbles in order (low nibbles are values 0..15). */
AI __m256i w4(const uint8_t *row, int64_t b) {
    __m128i v = _mm_loadu_si128((const __m128i *) (row + 16 * b));
    __m128i low = _mm_set1_epi8(0x0f);
    return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(v, 4), low), _mm_and_si128(v, low));
}

AI __m256 block_dot(int q4, __m256i wv, __m256i wabs, float dw, const uint8_t *rec, __m256 acc) {
    const __m256i ones16 = _mm256_set1_epi16(1);
    __m256i xv = _mm256_load_si256((const __m256i *) rec);
    __m256i i;
    if (q4) {
        i = _mm256_add_epi32(_mm256_madd_epi16(_mm256_maddubs_epi16(wv, xv), ones16), _mm256_load_si256((const __m256i *) (rec + 32)));
    } else {
        i = _mm256_madd_epi16(_mm256_maddubs_epi16(wabs, _mm256_sign_epi8(xv, wv)), ones16);
    }
    float dx;
    memcpy(&dx, rec + 64, 4);
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(i), _mm256_set1_ps(dw * dx), acc);
}

AI void qtile(int q4, int R, int T, const uint8_t *w, int64_t w_stride, const float *ws, int64_t ws_stride, int64_t k,
              const uint8_t *xq, int64_t xrb, float *out, int64_t out_stride, int64_t r, int64_t gap, int64_t t) {
    __m256 acc[4][4];
    const uint8_t *wr[4];
    const float *sr[4];
#pragma GCC unroll 4
    for (int i = 0; i < R; i++) {
        wr[i] = w + (r + i * gap) * w_stride;
        sr[i] = (const float *) ((const uint8_t *) ws + (r + i * gap) * ws_stride);
#pragma GCC unroll 4
        for (int j = 0; j < T; j++) acc[i][j] = _mm256_setzero_ps();
    }
    for (int64_t b = 0; b < k / 32; b++) {
        __m256i wv[4], wa[4];
        float dw[4];
#pragma GCC unroll 4
        for (int i = 0; i < R; i++) {
            wv[i] = q4 ? w4(wr[i], b) : w8((const int8_t *) wr[i], b);
            wa[i] = q4 ? wv[i] : _mm256_sign_epi8(wv[i], wv[i]);
            dw[i] = sr[i][b];
        }
#pragma GCC unroll 4
        for (int j = 0; j < T; j++) {
            const uint8_t *rec = xq + (t + j) * xrb + b * REC;
#pragma GCC unroll 4
            for (int i = 0; i < R; i++) acc[i][j] = block_dot(q4, wv[i], wa[i], dw[i], rec, acc[i][j]);
        }
    }
#pragma GCC unroll 4
    for (int i = 0; i < R; i++)
#pragma GCC unroll 4
        for (int j = 0; j < T; j++) out[(t + j) * out_stride + r + i * gap] = hsum8(acc[i][j]);
}

AI void qmatmul(int q4, const uint8_t *w, int64_t w_stride, const float *ws, int64_t ws_stride, int64_t k,
                const uint8_t *xq, int64_t m, float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    int64_t xrb = gannet_avx2_xq_row_bytes(k, q4 ? GANNET_XQ_Q4_0 : GANNET_XQ_Q8_0), r = r0;
    if (m == 1) {
        int64_t g = (r1 - r0) / 4;
        for (int64_t i = 0; i < g; i++) qtile(q4, 4, 1, w, w_stride, ws, ws_stride, k, xq, xrb, out, out_stride, r0 + i, g, 0);
        for (r = r0 + 4 * g; r < r1; r++) qtile(q4, 1, 1, w, w_stride, ws, ws_stride, k, xq, xrb, out, out_stride, r, 1, 0);
        return;
    }
    for (; r + 2 <= r1; r += 2) {
        int64_t t = 0;
        for (; t + 4 <= m; t += 4) qtile(q4, 2, 4, w, w_stride, ws, ws_stride, k, xq, xrb, out, out_stride, r, 1, t);
        for (; t < m; t++) qtile(q4, 2, 1, w, w_stride, ws, ws_stride, k, xq, xrb, out, out_stride, r, 1, t);
    }
    for (; r < r1; r++) {
        for (int64_t t = 0; t < m; t++) qtile(q4, 1, 1, w, w_stride, ws, ws_stride, k, xq, xrb, out, out_stride, r, 1, t);
    }
}

void gannet_avx2_matmul_q8_0(const int8_t *w, int64_t w_stride, const float *ws, int64_t ws_stride, int64_t k,
                             const uint8_t *xq, int64_t m, float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    qmatmul(0, (const uint8_t *) w, w_stride, ws, ws_stride, k, xq, m, out, out_stride, r0, r1);
}

void gannet_avx2_matmul_q4_0(const uint8_t *w, int64_t w_stride, const float *ws, int64_t ws_stride, int64_t k,
                             const uint8_t *xq, int64_t m, float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    qmatmul(1, w, w_stride, ws, ws_stride, k, xq, m, out, out_stride, r0, r1);
}

/* ---- float weights ---------------------------------------------------------------------------------- */

enum { FT_F32, FT_F16, FT_BF16 };

/* 8 weights of chunk c; n < 8 only for a row's last partial chunk (read through a zeroed copy). */
AI __m256 wload(int ft, const uint8_t *row, int64_t c, int n) {
    size_t size = ft == FT_F32 ? 4 : 2;
    const uint8_t *p = row + 8 * size * c;
    uint8_t tmp[32];
    if (n < 8) {
        memset(tmp, 0, sizeof tmp);
        memcpy(tmp, p, n * size);
        p = tmp;
    }
    switch (ft) {
    case FT_F32: return _mm256_loadu_ps((const float *) p);
    case FT_F16: return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) p));
    default: return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *) p)), 16));
    }
}

AI __m256 xload(const float *p, int n) {
    if (n == 8) return _mm256_loadu_ps(p);
    float tmp[8] = {0};
    memcpy(tmp, p, 4 * n);
    return _mm256_loadu_ps(tmp);
}

AI void ftile(int ft, int R, int T, const uint8_t *w, int64_t w_stride, int64_t k, const float *x, int64_t x_stride,
              float *out, int64_t out_stride, int64_t r, int64_t gap, int64_t t) {
    __m256 acc[4][3];
    const uint8_t *wr[4];
#pragma GCC unroll 4
    for (int i = 0; i < R; i++) {
        wr[i] = w + (r + i * gap) * w_stride;
#pragma GCC unroll 3
        for (int j = 0; j < T; j++) acc[i][j] = _mm256_setzero_ps();
    }
    int64_t full = k / 8;
    for (int64_t c = 0; c <= full; c++) {
        int n = c < full ? 8 : (int) (k % 8); /* the last, partial chunk goes through zeroed copies */
        if (n == 0) break;
        __m256 wv[4];
#pragma GCC unroll 4
        for (int i = 0; i < R; i++) wv[i] = n == 8 ? wload(ft, wr[i], c, 8) : wload(ft, wr[i], c, n);
#pragma GCC unroll 3
        for (int j = 0; j < T; j++) {
            __m256 xv = n == 8 ? _mm256_loadu_ps(x + (t + j) * x_stride + 8 * c) : xload(x + (t + j) * x_stride + 8 * c, n);
#pragma GCC unroll 4
            for (int i = 0; i < R; i++) acc[i][j] = _mm256_fmadd_ps(wv[i], xv, acc[i][j]);
        }
    }
#pragma GCC unroll 4
    for (int i = 0; i < R; i++)
#pragma GCC unroll 3
        for (int j = 0; j < T; j++) out[(t + j) * out_stride + r + i * gap] = hsum8(acc[i][j]);
}

AI void fmatmul(int ft, const uint8_t *w, int64_t w_stride, int64_t k, const float *x, int64_t x_stride, int64_t m,
                float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    if (m == 1) {
        int64_t g = (r1 - r0) / 4;
        for (int64_t i = 0; i < g; i++) ftile(ft, 4, 1, w, w_stride, k, x, x_stride, out, out_stride, r0 + i, g, 0);
        for (int64_t r = r0 + 4 * g; r < r1; r++) ftile(ft, 1, 1, w, w_stride, k, x, x_stride, out, out_stride, r, 1, 0);
        return;
    }
    /* tokens in blocks of about 1 MiB of activations, as the AVX-512 variant (the L2 holds them) */
    int64_t tb = ((int64_t) 1 << 20) / (4 * k) / 3 * 3;
    if (tb < 3) tb = 3;
    for (int64_t t0 = 0; t0 < m; t0 += tb) {
        int64_t t1 = t0 + tb < m ? t0 + tb : m, r = r0;
        for (; r + 3 <= r1; r += 3) {
            int64_t t = t0;
            for (; t + 3 <= t1; t += 3) ftile(ft, 3, 3, w, w_stride, k, x, x_stride, out, out_stride, r, 1, t);
            for (; t < t1; t++) ftile(ft, 3, 1, w, w_stride, k, x, x_stride, out, out_stride, r, 1, t);
        }
        for (; r < r1; r++) {
            for (int64_t t = t0; t < t1; t++) ftile(ft, 1, 1, w, w_stride, k, x, x_stride, out, out_stride, r, 1, t);
        }
    }
}

void gannet_avx2_matmul_f32(const float *w, int64_t w_stride, int64_t k, const float *x, int64_t x_stride, int64_t m,
                            float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    fmatmul(FT_F32, (const uint8_t *) w, w_stride, k, x, x_stride, m, out, out_stride, r0, r1);
}

void gannet_avx2_matmul_f16(const uint16_t *w, int64_t w_stride, int64_t k, const float *x, int64_t x_stride, int64_t m,
                            float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    fmatmul(FT_F16, (const uint8_t *) w, w_stride, k, x, x_stride, m, out, out_stride, r0, r1);
}

void gannet_avx2_matmul_bf16(const uint16_t *w, int64_t w_stride, int64_t k, const float *x, int64_t x_stride, int64_t m,
                             float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    fmatmul(FT_BF16, (const uint8_t *) w, w_stride, k, x, x_stride, m, out, out_stride, r0, r1);
}

#define KQ_REC REC
#define KQ_D_AT 64
#define KQ_NAME(op) gannet_avx2_##op
#include "kquants_generic.h"

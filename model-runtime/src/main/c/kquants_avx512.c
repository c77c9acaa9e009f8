/*
 * AVX-512 VNNI kernels for the K-quants, Q4_K and Q6_K, in ggml's block layout (as in the file): super-blocks
 * of 256 values, so each is two chunks of the activation records (avx512_records.h). A chunk's four blocks of
 * 32 are Q4_K sub-blocks with their own scale and minimum, or a Q6_K half whose 16-value groups each have a
 * scale. The weights of a chunk are unpacked into the records' order (A = first 16 values of each block, B =
 * the last 16), so lane i of a vpdpbusd sums 4 products of block i / 4; then per output and chunk:
 *  - Q4_K: acc = fma(float(lanes of A and B), d sc_j * d_x, acc); acc -= dmin m_j * (d_x sum(x)),
 *  - Q6_K: acc = fma(float(lanes of A), d sc_A * d_x, acc); acc = fma(float(lanes of B), d sc_B * d_x, acc),
 * and one horizontal sum at the end. Same operations for every output whatever the batch (gannet_cpu.h).
 */
#include <immintrin.h>
#include <string.h>

#include "avx512_records.h"

enum { Q4K_BYTES = 144, Q6K_BYTES = 210 };

AI float f16_at(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

/* ggml's get_scale_min_k4: the 6-bit scale and minimum of Q4_K sub-block j from the 12 scale bytes. */
AI void scale_min_k4(const uint8_t *s, int j, int *sc, int *mn) {
    if (j < 4) {
        *sc = s[j] & 63;
        *mn = s[j + 4] & 63;
    } else {
        *sc = (s[j + 4] & 0x0f) | ((s[j - 4] >> 6) << 4);
        *mn = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
}

/* Lane i -> block i / 4 of the chunk. */
AI __m512 spread4(const float *v) {
    const __m512i idx = _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0);
    return _mm512_permutexvar_ps(idx, _mm512_castps128_ps512(_mm_loadu_ps(v)));
}

/*
 * Half h of a Q4_K super-block: sub-blocks 4h..4h+3, whose nibbles are qs[64h, 64h + 64): bytes [0, 32) hold
 * sub-block 4h in the low nibbles and 4h + 1 in the high ones, bytes [32, 64) sub-blocks 4h + 2 and 4h + 3.
 */
AI void w_q4_k(const uint8_t *blk, int h, __m512i *a, __m512i *b) {
    const __m512i low = _mm512_set1_epi8(0x0f);
    const __m512i ia = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0);
    const __m512i ib = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
    __m512i v = _mm512_loadu_si512(blk + 16 + 64 * h);
    __m512i lo = _mm512_and_si512(v, low), hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), low);
    *a = _mm512_permutex2var_epi64(lo, ia, hi);
    *b = _mm512_permutex2var_epi64(lo, ib, hi);
}

/*
 * Half h of a Q6_K super-block (values 128h..128h+127): block b of the half takes its low 4 bits from
 * ql[64h + 32 (b & 1) + l] (low nibble for b < 2, high for b >= 2) and its top 2 bits from bits 2b, 2b + 1
 * of qh[32h + l], l = 0..31.
 */
AI void w_q6_k(const uint8_t *blk, int h, __m512i *a, __m512i *b) {
    const __m512i low = _mm512_set1_epi8(0x0f), two = _mm512_set1_epi8(3);
    const __m512i ia = _mm512_set_epi64(13, 12, 9, 8, 5, 4, 1, 0);
    const __m512i ib = _mm512_set_epi64(15, 14, 11, 10, 7, 6, 3, 2);
    const __m512i s01 = _mm512_set_epi64(2, 2, 2, 2, 0, 0, 0, 0); /* per 16-bit word: 0 for block 0, 2 for 1 */
    const __m512i s23 = _mm512_set_epi64(6, 6, 6, 6, 4, 4, 4, 4);
    __m512i ql = _mm512_loadu_si512(blk + 64 * h);
    __m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *) (blk + 128 + 32 * h)));
    __m512i s01w = _mm512_or_si512(s01, _mm512_slli_epi64(s01, 16)), s23w = _mm512_or_si512(s23, _mm512_slli_epi64(s23, 16));
    s01w = _mm512_or_si512(s01w, _mm512_slli_epi64(s01w, 32));
    s23w = _mm512_or_si512(s23w, _mm512_slli_epi64(s23w, 32));
    __m512i h01 = _mm512_slli_epi16(_mm512_and_si512(_mm512_srlv_epi16(qh, s01w), two), 4);
    __m512i h23 = _mm512_slli_epi16(_mm512_and_si512(_mm512_srlv_epi16(qh, s23w), two), 4);
    __m512i q01 = _mm512_or_si512(_mm512_and_si512(ql, low), h01);                           /* blocks 0 | 1 */
    __m512i q23 = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), low), h23);     /* blocks 2 | 3 */
    *a = _mm512_permutex2var_epi64(q01, ia, q23);
    *b = _mm512_permutex2var_epi64(q01, ib, q23);
}

AI __m512 dot_q4_k(__m512i a, __m512i b, __m512 ew, __m512 em, const uint8_t *rec, __m512 acc) {
    __m512i i = _mm512_dpbusd_epi32(_mm512_setzero_si512(), a, _mm512_load_si512((const __m512i *) rec));
    i = _mm512_dpbusd_epi32(i, b, _mm512_load_si512((const __m512i *) (rec + 64)));
    acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(i), _mm512_mul_ps(ew, _mm512_load_ps(rec + 192)), acc);
    return _mm512_fnmadd_ps(em, _mm512_load_ps(rec + 128), acc);
}

AI __m512 dot_q6_k(__m512i a, __m512i b, __m512 ewa, __m512 ewb, const uint8_t *rec, __m512 acc) {
    __m512i ia = _mm512_dpbusd_epi32(_mm512_load_si512((const __m512i *) (rec + 128)), a, _mm512_load_si512((const __m512i *) rec));
    __m512i ib = _mm512_dpbusd_epi32(_mm512_load_si512((const __m512i *) (rec + 192)), b, _mm512_load_si512((const __m512i *) (rec + 64)));
    __m512 dx = _mm512_load_ps(rec + 256);
    acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(ia), _mm512_mul_ps(ewa, dx), acc);
    return _mm512_fmadd_ps(_mm512_cvtepi32_ps(ib), _mm512_mul_ps(ewb, dx), acc);
}

/* Per-row scales of a super-block: Q4_K d sc_j and dmin m_j (j = 0..7); Q6_K d sc_g (g = 0..15). */
AI void row_scales(int q6, const uint8_t *blk, float *s0, float *s1) {
    if (q6) {
        float d = f16_at(blk + 208);
        for (int g = 0; g < 16; g++) s0[g] = d * (float) (int8_t) blk[192 + g];
        return;
    }
    float d = f16_at(blk), dmin = f16_at(blk + 2);
    for (int j = 0; j < 8; j++) {
        int sc, mn;
        scale_min_k4(blk + 4, j, &sc, &mn);
        s0[j] = d * (float) sc;
        s1[j] = dmin * (float) mn;
    }
}

/* R rows (r, r + g, ...) x T tokens from t; R, T constants after inlining. */
AI void ktile(int q6, int R, int T, const uint8_t *w, int64_t w_stride, int64_t k, const uint8_t *xq, int64_t xrb,
              float *out, int64_t out_stride, int64_t r, int64_t g, int64_t t) {
    const int64_t bb = q6 ? Q6K_BYTES : Q4K_BYTES, cb = avx512_chunk_bytes(q6 ? GANNET_XQ_Q6_K : GANNET_XQ_Q4_K);
    __m512 acc[4][4];
    float s0[4][16], s1[4][8];
#pragma GCC unroll 4
    for (int i = 0; i < R; i++)
#pragma GCC unroll 4
        for (int j = 0; j < T; j++) acc[i][j] = _mm512_setzero_ps();
    for (int64_t sb = 0; sb < k / 256; sb++) {
#pragma GCC unroll 4
        for (int i = 0; i < R; i++) row_scales(q6, w + (r + i * g) * w_stride + sb * bb, s0[i], s1[i]);
        for (int h = 0; h < 2; h++) {
            __m512i a[4], b[4];
            __m512 e0[4], e1[4];
#pragma GCC unroll 4
            for (int i = 0; i < R; i++) {
                const uint8_t *blk = w + (r + i * g) * w_stride + sb * bb;
                if (q6) {
                    w_q6_k(blk, h, &a[i], &b[i]);
                    /* group 2b of the half scales block b's first 16 values, 2b + 1 its last 16 */
                    const __m512i even = _mm512_set_epi32(6, 6, 6, 6, 4, 4, 4, 4, 2, 2, 2, 2, 0, 0, 0, 0);
                    __m512 sc = _mm512_castps256_ps512(_mm256_loadu_ps(s0[i] + 8 * h));
                    e0[i] = _mm512_permutexvar_ps(even, sc);
                    e1[i] = _mm512_permutexvar_ps(_mm512_add_epi32(even, _mm512_set1_epi32(1)), sc);
                } else {
                    w_q4_k(blk, h, &a[i], &b[i]);
                    e0[i] = spread4(s0[i] + 4 * h);
                    e1[i] = spread4(s1[i] + 4 * h);
                }
            }
#pragma GCC unroll 4
            for (int j = 0; j < T; j++) {
                const uint8_t *rec = xq + (t + j) * xrb + (2 * sb + h) * cb;
#pragma GCC unroll 4
                for (int i = 0; i < R; i++) {
                    acc[i][j] = q6 ? dot_q6_k(a[i], b[i], e0[i], e1[i], rec, acc[i][j]) : dot_q4_k(a[i], b[i], e0[i], e1[i], rec, acc[i][j]);
                }
            }
        }
    }
#pragma GCC unroll 4
    for (int i = 0; i < R; i++)
#pragma GCC unroll 4
        for (int j = 0; j < T; j++) out[(t + j) * out_stride + r + i * g] = _mm512_reduce_add_ps(acc[i][j]);
}

AI void ktile_any(int q6, int R, int T, const uint8_t *w, int64_t w_stride, int64_t k, const uint8_t *xq, int64_t xrb,
                  float *out, int64_t out_stride, int64_t r, int64_t g, int64_t t) {
#define KT(RR, TT) ktile(q6, RR, TT, w, w_stride, k, xq, xrb, out, out_stride, r, g, t)
    if (R == 4) {
        switch (T) {
        case 4: KT(4, 4); break;
        case 3: KT(4, 3); break;
        case 2: KT(4, 2); break;
        default: KT(4, 1); break;
        }
    } else {
        switch (T) {
        case 4: KT(1, 4); break;
        case 3: KT(1, 3); break;
        case 2: KT(1, 2); break;
        default: KT(1, 1); break;
        }
    }
#undef KT
}

/* Rows [r0, r1): four rows a quarter of the range apart (as kernels_avx512.c), tokens in tiles of four. */
AI void kmatmul(int q6, const uint8_t *w, int64_t w_stride, int64_t k, const uint8_t *xq, int64_t m, float *out,
                int64_t out_stride, int64_t r0, int64_t r1) {
    int64_t xrb = gannet_avx512_xq_row_bytes(k, q6 ? GANNET_XQ_Q6_K : GANNET_XQ_Q4_K), g = (r1 - r0) / 4;
    for (int64_t i = 0; i < g; i++) {
        for (int64_t t = 0; t < m; t += 4) ktile_any(q6, 4, (int) (m - t < 4 ? m - t : 4), w, w_stride, k, xq, xrb, out, out_stride, r0 + i, g, t);
    }
    for (int64_t r = r0 + 4 * g; r < r1; r++) {
        for (int64_t t = 0; t < m; t += 4) ktile_any(q6, 1, (int) (m - t < 4 ? m - t : 4), w, w_stride, k, xq, xrb, out, out_stride, r, 1, t);
    }
}

void gannet_avx512_matmul_q4_k(const uint8_t *w, int64_t w_stride, int64_t k, const uint8_t *xq, int64_t m, float *out,
                               int64_t out_stride, int64_t r0, int64_t r1) {
    kmatmul(0, w, w_stride, k, xq, m, out, out_stride, r0, r1);
}

void gannet_avx512_matmul_q6_k(const uint8_t *w, int64_t w_stride, int64_t k, const uint8_t *xq, int64_t m, float *out,
                               int64_t out_stride, int64_t r0, int64_t r1) {
    kmatmul(1, w, w_stride, k, xq, m, out, out_stride, r0, r1);
}

/*
 * AVX-512 kernels (F, BW, VL, DQ, VNNI; F16C): the quantizer, Q8_0, Q4_0 and the float types (the K-quants
 * are in kquants_avx512.c). See gannet_cpu.h for the contract, avx512_records.h for the activation records.
 * With the weights of four blocks arranged as the records (A = first halves, B = second halves), lane i of
 * dpbusd(dpbusd(corr, A, xA), B, xB) is the exact integer dot product of 8 of block i/4's values; per output
 * and chunk: acc = fma(float(lanes), d_w * d_x, acc) (16 lanes), then one horizontal sum.
 */
#include <immintrin.h>
#include <stddef.h>

#include "avx512_records.h"

#define CHUNK_BYTES 256 /* the Q8_0 / Q4_0 record */

int64_t gannet_avx512_xq_row_bytes(int64_t k, int32_t mode) { return avx512_chunks(k) * avx512_chunk_bytes(mode); }

/* One token: k values -> records for `mode`. Blocks past k/32 in the last chunk are zero (they add nothing). */
static void quantize_row(const float *x, int64_t k, int32_t mode, uint8_t *rec) {
    int64_t nb = k / 32, nc = avx512_chunks(k), cb = avx512_chunk_bytes(mode);
    const __m512i ones = _mm512_set1_epi8(1);
    const __m512i spread = _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0);
    for (int64_t c = 0; c < nc; c++, rec += cb) {
        __m512i a = _mm512_setzero_si512(), b = _mm512_setzero_si512();
        float d[4] = {0, 0, 0, 0};
        for (int j = 0; j < 4; j++) {
            int64_t blk = 4 * c + j;
            if (blk >= nb) break;
            __m512 v0 = _mm512_loadu_ps(x + 32 * blk), v1 = _mm512_loadu_ps(x + 32 * blk + 16);
            float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), _mm512_abs_ps(v1)));
            float dj = amax / 127.0f;
            __m512 id = _mm512_set1_ps(dj != 0.0f ? 1.0f / dj : 0.0f);
            /* cvtps rounds to nearest even (the default MXCSR mode); |x / d| <= 127 by construction */
            __m128i q0 = _mm512_cvtsepi32_epi8(_mm512_cvtps_epi32(_mm512_mul_ps(v0, id)));
            __m128i q1 = _mm512_cvtsepi32_epi8(_mm512_cvtps_epi32(_mm512_mul_ps(v1, id)));
            switch (j) { /* the lane index of an insert must be a constant */
            case 0: a = _mm512_inserti32x4(a, q0, 0); b = _mm512_inserti32x4(b, q1, 0); break;
            case 1: a = _mm512_inserti32x4(a, q0, 1); b = _mm512_inserti32x4(b, q1, 1); break;
            case 2: a = _mm512_inserti32x4(a, q0, 2); b = _mm512_inserti32x4(b, q1, 2); break;
            default: a = _mm512_inserti32x4(a, q0, 3); b = _mm512_inserti32x4(b, q1, 3); break;
            }
            d[j] = dj;
        }
        const __m512i zero = _mm512_setzero_si512();
        __m512i sa = _mm512_dpbusd_epi32(zero, ones, a), sb = _mm512_dpbusd_epi32(zero, ones, b); /* lane sums */
        __m512 dx = _mm512_permutexvar_ps(spread, _mm512_castps128_ps512(_mm_loadu_ps(d)));
        _mm512_store_si512((__m512i *) rec, a);
        _mm512_store_si512((__m512i *) (rec + 64), b);
        switch (mode) {
        case GANNET_XQ_Q6_K:
            _mm512_store_si512((__m512i *) (rec + 128), _mm512_sub_epi32(zero, _mm512_slli_epi32(sa, 5)));
            _mm512_store_si512((__m512i *) (rec + 192), _mm512_sub_epi32(zero, _mm512_slli_epi32(sb, 5)));
            break;
        case GANNET_XQ_Q4_K:
            _mm512_store_ps(rec + 128, _mm512_mul_ps(dx, _mm512_cvtepi32_ps(_mm512_add_epi32(sa, sb))));
            break;
        case GANNET_XQ_Q4_0:
            _mm512_store_si512((__m512i *) (rec + 128), _mm512_sub_epi32(zero, _mm512_slli_epi32(_mm512_add_epi32(sa, sb), 3)));
            break;
        default: /* Q8_0 */
            _mm512_store_si512((__m512i *) (rec + 128), _mm512_sub_epi32(zero, _mm512_slli_epi32(_mm512_add_epi32(sa, sb), 7)));
            break;
        }
        _mm512_store_ps(rec + avx512_scales_at(mode), dx);
    }
}

void gannet_avx512_quantize(const float *x, int64_t x_stride, int64_t m, int64_t k, int32_t mode, uint8_t *xq) {
    int64_t rb = gannet_avx512_xq_row_bytes(k, mode);
    for (int64_t t = 0; t < m; t++) quantize_row(x + t * x_stride, k, mode, xq + t * rb);
}

AI __mmask16 lanes_mask(int n) { return (__mmask16) ((1u << n) - 1u); }

/* Block scales of chunk c (n of its blocks present), spread to lane i -> block i / 4. */
AI __m512 w_scales(const float *ws, int64_t c, int n) {
    const __m512i spread = _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0);
    return _mm512_permutexvar_ps(spread, _mm512_maskz_loadu_ps(lanes_mask(n), ws + 4 * c));
}

/* Q8_0 quants of chunk c (n blocks present) as A (first halves) and B (second halves), + 128. */
AI void w_q8_0(const int8_t *w, int64_t c, int n, __m512i *a, __m512i *b) {
    const __m512i ia = _mm512_set_epi64(13, 12, 9, 8, 5, 4, 1, 0);
    const __m512i ib = _mm512_set_epi64(15, 14, 11, 10, 7, 6, 3, 2);
    const __m512i flip = _mm512_set1_epi8((char) 0x80);
    __m512i v0, v1;
    if (n == 4) {
        v0 = _mm512_loadu_si512(w + 128 * c);
        v1 = _mm512_loadu_si512(w + 128 * c + 64);
    } else { /* masked: never read past the row */
        int bytes = 32 * n;
        __mmask64 m0 = bytes >= 64 ? ~(__mmask64) 0 : (((__mmask64) 1 << bytes) - 1);
        __mmask64 m1 = bytes > 64 ? (((__mmask64) 1 << (bytes - 64)) - 1) : 0;
        v0 = _mm512_maskz_loadu_epi8(m0, w + 128 * c);
        v1 = _mm512_maskz_loadu_epi8(m1, w + 128 * c + 64);
    }
    *a = _mm512_xor_si512(_mm512_permutex2var_epi64(v0, ia, v1), flip);
    *b = _mm512_xor_si512(_mm512_permutex2var_epi64(v0, ib, v1), flip);
}

/* Q4_0 nibbles of chunk c: low nibbles are a block's first 16 values, high its last 16 (ggml order). */
AI void w_q4_0(const uint8_t *w, int64_t c, int n, __m512i *a, __m512i *b) {
    const __m512i low = _mm512_set1_epi8(0x0f);
    __m512i v = n == 4 ? _mm512_loadu_si512(w + 64 * c)
                       : _mm512_maskz_loadu_epi8(((__mmask64) 1 << (16 * n)) - 1, w + 64 * c);
    *a = _mm512_and_si512(v, low);
    *b = _mm512_and_si512(_mm512_srli_epi16(v, 4), low);
}

/* One output's step over one chunk: the only arithmetic an int8 output ever sees. */
AI __m512 chunk_dot(__m512i a, __m512i b, __m512 ew, const uint8_t *rec, __m512 acc) {
    __m512i i = _mm512_load_si512((const __m512i *) (rec + 128));
    i = _mm512_dpbusd_epi32(i, a, _mm512_load_si512((const __m512i *) rec));
    i = _mm512_dpbusd_epi32(i, b, _mm512_load_si512((const __m512i *) (rec + 64)));
    return _mm512_fmadd_ps(_mm512_cvtepi32_ps(i), _mm512_mul_ps(ew, _mm512_load_ps(rec + 192)), acc);
}

/*
 * R rows (r, r + gap, ..., r + (R - 1) gap) times T tokens (t .. t + T - 1). R and T are constants
 * after inlining, so the accumulators live in registers.
 */
AI void qtile(int q4, int R, int T, const uint8_t *w, int64_t w_stride, const float *ws, int64_t ws_stride,
              int64_t k, const uint8_t *xq, int64_t xrb, float *out, int64_t out_stride, int64_t r, int64_t gap,
              int64_t t) {
    int64_t nb = k / 32, full = nb / 4;
    int rest = (int) (nb % 4);
    __m512 acc[4][8];
    __m512i a[4], b[4];
    __m512 ew[4];
    const uint8_t *wr[4];
    const float *sr[4];
#pragma GCC unroll 4
    for (int i = 0; i < R; i++) {
        wr[i] = w + (r + i * gap) * w_stride;
        sr[i] = (const float *) ((const uint8_t *) ws + (r + i * gap) * ws_stride);
#pragma GCC unroll 8
        for (int j = 0; j < T; j++) acc[i][j] = _mm512_setzero_ps();
    }
    const uint8_t *x0 = xq + t * xrb;
    for (int64_t c = 0; c <= full; c++) {
        int n = c < full ? 4 : rest;
        if (n == 0) break;
#pragma GCC unroll 4
        for (int i = 0; i < R; i++) {
            if (q4) w_q4_0(wr[i], c, n, &a[i], &b[i]);
            else w_q8_0((const int8_t *) wr[i], c, n, &a[i], &b[i]);
            ew[i] = w_scales(sr[i], c, n);
        }
#pragma GCC unroll 8
        for (int j = 0; j < T; j++) {
            const uint8_t *rec = x0 + j * xrb + c * CHUNK_BYTES;
#pragma GCC unroll 4
            for (int i = 0; i < R; i++) acc[i][j] = chunk_dot(a[i], b[i], ew[i], rec, acc[i][j]);
        }
    }
#pragma GCC unroll 4
    for (int i = 0; i < R; i++)
#pragma GCC unroll 8
        for (int j = 0; j < T; j++) out[(t + j) * out_stride + r + i * gap] = _mm512_reduce_add_ps(acc[i][j]);
}

/* R (4 or 1) rows g apart x T (1..8) tokens: a switch, so each shape is its own loop with constant bounds. */
AI void qtile_any(int q4, int R, int T, const uint8_t *w, int64_t w_stride, const float *ws, int64_t ws_stride,
                  int64_t k, const uint8_t *xq, int64_t xrb, float *out, int64_t out_stride, int64_t r, int64_t g,
                  int64_t t) {
#define QT(RR, TT) qtile(q4, RR, TT, w, w_stride, ws, ws_stride, k, xq, xrb, out, out_stride, r, g, t)
    if (R == 4) {
        switch (T) {
        case 8: QT(4, 8); break;
        case 7: QT(4, 7); break;
        case 6: QT(4, 6); break;
        case 5: QT(4, 5); break;
        case 4: QT(4, 4); break;
        case 3: QT(4, 3); break;
        case 2: QT(4, 2); break;
        default: QT(4, 1); break;
        }
    } else {
        switch (T) {
        case 8: QT(1, 8); break;
        case 7: QT(1, 7); break;
        case 6: QT(1, 6); break;
        case 5: QT(1, 5); break;
        case 4: QT(1, 4); break;
        case 3: QT(1, 3); break;
        case 2: QT(1, 2); break;
        default: QT(1, 1); break;
        }
    }
#undef QT
}

/*
 * Rows [r0, r1) of a packed Q8_0 / Q4_0 matrix times m quantized tokens: four rows a quarter of the range
 * apart (four weight streams far apart keep more DRAM lines in flight than four adjacent rows: 1.5x at 8
 * tokens, 1.05x at 128, and the one-token path's layout), each with the tokens in tiles of eight.
 */
AI void qmatmul(int q4, const uint8_t *w, int64_t w_stride, const float *ws, int64_t ws_stride, int64_t k,
                const uint8_t *xq, int64_t m, float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    int64_t xrb = gannet_avx512_xq_row_bytes(k, q4 ? GANNET_XQ_Q4_0 : GANNET_XQ_Q8_0), g = (r1 - r0) / 4;
    for (int64_t i = 0; i < g; i++) {
        for (int64_t t = 0; t < m; t += 8) {
            qtile_any(q4, 4, (int) (m - t < 8 ? m - t : 8), w, w_stride, ws, ws_stride, k, xq, xrb, out, out_stride, r0 + i, g, t);
        }
    }
    for (int64_t r = r0 + 4 * g; r < r1; r++) {
        for (int64_t t = 0; t < m; t += 8) {
            qtile_any(q4, 1, (int) (m - t < 8 ? m - t : 8), w, w_stride, ws, ws_stride, k, xq, xrb, out, out_stride, r, 1, t);
        }
    }
}

void gannet_avx512_matmul_q8_0(const int8_t *w, int64_t w_stride, const float *ws, int64_t ws_stride, int64_t k,
                               const uint8_t *xq, int64_t m, float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    qmatmul(0, (const uint8_t *) w, w_stride, ws, ws_stride, k, xq, m, out, out_stride, r0, r1);
}

void gannet_avx512_matmul_q4_0(const uint8_t *w, int64_t w_stride, const float *ws, int64_t ws_stride, int64_t k,
                               const uint8_t *xq, int64_t m, float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    qmatmul(1, w, w_stride, ws, ws_stride, k, xq, m, out, out_stride, r0, r1);
}

/* ---- float weights: f32 activations as they are ---------------------------------------------------- */

enum { FT_F32, FT_F16, FT_BF16 };

/* 16 weights of chunk c as f32 (m: the lanes present; all 16 except in a row's last partial chunk). */
AI __m512 wload(int ft, const uint8_t *row, int64_t c, __mmask16 m, int whole) {
    switch (ft) {
    case FT_F32:
        return whole ? _mm512_loadu_ps(row + 64 * c) : _mm512_maskz_loadu_ps(m, row + 64 * c);
    case FT_F16: {
        __m256i h = whole ? _mm256_loadu_si256((const __m256i *) (row + 32 * c)) : _mm256_maskz_loadu_epi16(m, row + 32 * c);
        return _mm512_cvtph_ps(h);
    }
    default: {
        __m256i h = whole ? _mm256_loadu_si256((const __m256i *) (row + 32 * c)) : _mm256_maskz_loadu_epi16(m, row + 32 * c);
        return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
    }
    }
}

AI void ftile(int ft, int R, int T, const uint8_t *w, int64_t w_stride, int64_t k, const float *x, int64_t x_stride,
              float *out, int64_t out_stride, int64_t r, int64_t gap, int64_t t) {
    int64_t full = k / 16;
    int rest = (int) (k % 16);
    __m512 acc[4][6];
    const uint8_t *wr[4];
#pragma GCC unroll 4
    for (int i = 0; i < R; i++) {
        wr[i] = w + (r + i * gap) * w_stride;
#pragma GCC unroll 6
        for (int j = 0; j < T; j++) acc[i][j] = _mm512_setzero_ps();
    }
    const float *x0 = x + t * x_stride;
    for (int64_t c = 0; c < full; c++) {
        __m512 wv[4];
#pragma GCC unroll 4
        for (int i = 0; i < R; i++) wv[i] = wload(ft, wr[i], c, 0, 1);
#pragma GCC unroll 6
        for (int j = 0; j < T; j++) {
            __m512 xv = _mm512_loadu_ps(x0 + j * x_stride + 16 * c);
#pragma GCC unroll 4
            for (int i = 0; i < R; i++) acc[i][j] = _mm512_fmadd_ps(wv[i], xv, acc[i][j]);
        }
    }
    if (rest) {
        __mmask16 m = lanes_mask(rest);
        __m512 wv[4];
#pragma GCC unroll 4
        for (int i = 0; i < R; i++) wv[i] = wload(ft, wr[i], full, m, 0);
#pragma GCC unroll 6
        for (int j = 0; j < T; j++) {
            __m512 xv = _mm512_maskz_loadu_ps(m, x0 + j * x_stride + 16 * full);
#pragma GCC unroll 4
            for (int i = 0; i < R; i++) acc[i][j] = _mm512_fmadd_ps(wv[i], xv, acc[i][j]);
        }
    }
#pragma GCC unroll 4
    for (int i = 0; i < R; i++)
#pragma GCC unroll 6
        for (int j = 0; j < T; j++) out[(t + j) * out_stride + r + i * gap] = _mm512_reduce_add_ps(acc[i][j]);
}

/* Tokens per block of the batch path: a block's f32 activations stay within 1 MiB of the L2 while every row
 * tile of the claim passes over them (unblocked, the FFN down projection, whose 128 tokens of 5632 columns
 * are 2.9 MB, ran at 0.56x the other shapes). Blocking changes no output's arithmetic: each output is one
 * ftile call over its whole row, the same operations as on the one-token path. (Blocking the columns as
 * well, with the accumulators staged on the stack, measured no faster: the 4 x 6 tile tops out near 60%
 * of the FMA peak either way.) */
AI int64_t ftoken_block(int64_t k) {
    int64_t tb = ((int64_t) 1 << 20) / (4 * k) / 6 * 6;
    return tb < 6 ? 6 : tb;
}

/* The 4-row tile for the T = 1..6 tokens at t (a switch, so each T is its own loop with constant bounds). */
AI void ftile4(int ft, int T, const uint8_t *w, int64_t w_stride, int64_t k, const float *x, int64_t x_stride,
               float *out, int64_t out_stride, int64_t r, int64_t gap, int64_t t) {
    switch (T) {
    case 6: ftile(ft, 4, 6, w, w_stride, k, x, x_stride, out, out_stride, r, gap, t); break;
    case 5: ftile(ft, 4, 5, w, w_stride, k, x, x_stride, out, out_stride, r, gap, t); break;
    case 4: ftile(ft, 4, 4, w, w_stride, k, x, x_stride, out, out_stride, r, gap, t); break;
    case 3: ftile(ft, 4, 3, w, w_stride, k, x, x_stride, out, out_stride, r, gap, t); break;
    case 2: ftile(ft, 4, 2, w, w_stride, k, x, x_stride, out, out_stride, r, gap, t); break;
    default: ftile(ft, 4, 1, w, w_stride, k, x, x_stride, out, out_stride, r, gap, t); break;
    }
}

AI void fmatmul(int ft, const uint8_t *w, int64_t w_stride, int64_t k, const float *x, int64_t x_stride, int64_t m,
                float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    if (m == 1) { /* one token: four weight streams a quarter of the range apart keep more DRAM lines in flight */
        int64_t g = (r1 - r0) / 4;
        for (int64_t i = 0; i < g; i++) ftile(ft, 4, 1, w, w_stride, k, x, x_stride, out, out_stride, r0 + i, g, 0);
        for (int64_t r = r0 + 4 * g; r < r1; r++) ftile(ft, 1, 1, w, w_stride, k, x, x_stride, out, out_stride, r, 1, 0);
        return;
    }
    int64_t tb = ftoken_block(k);
    for (int64_t t0 = 0; t0 < m; t0 += tb) {
        int64_t t1 = t0 + tb < m ? t0 + tb : m;
        /* up to 32 tokens, four rows a quarter of the range apart (more DRAM streams: 1.14x at 8 tokens, 1.06x at
         * 32); past that adjacent rows, the tile being compute-bound (spaced measured 0.91-1.03x at 128) */
        int64_t g = (r1 - r0) / 4, r = r0 + 4 * g;
        int64_t step = m <= 32 ? 1 : 4, gap = m <= 32 ? g : 1;
        for (int64_t i = 0; i < (m <= 32 ? g : 4 * g); i += step) {
            for (int64_t t = t0; t < t1; t += 6) ftile4(ft, (int) (t1 - t < 6 ? t1 - t : 6), w, w_stride, k, x, x_stride, out, out_stride, r0 + i, gap, t);
        }
        for (; r < r1; r++) {
            for (int64_t t = t0; t < t1; t++) ftile(ft, 1, 1, w, w_stride, k, x, x_stride, out, out_stride, r, 1, t);
        }
    }
}

void gannet_avx512_matmul_f32(const float *w, int64_t w_stride, int64_t k, const float *x, int64_t x_stride, int64_t m,
                              float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    fmatmul(FT_F32, (const uint8_t *) w, w_stride, k, x, x_stride, m, out, out_stride, r0, r1);
}

void gannet_avx512_matmul_f16(const uint16_t *w, int64_t w_stride, int64_t k, const float *x, int64_t x_stride, int64_t m,
                              float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    fmatmul(FT_F16, (const uint8_t *) w, w_stride, k, x, x_stride, m, out, out_stride, r0, r1);
}

void gannet_avx512_matmul_bf16(const uint16_t *w, int64_t w_stride, int64_t k, const float *x, int64_t x_stride, int64_t m,
                               float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    fmatmul(FT_BF16, (const uint8_t *) w, w_stride, k, x, x_stride, m, out, out_stride, r0, r1);
}

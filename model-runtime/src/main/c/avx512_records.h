/*
 * The AVX-512 variant's activation records (written by gannet_avx512_quantize in kernels_avx512.c, read by
 * the int8 kernels there and in kquants_avx512.c). A token's blocks of 32 go in chunks of four (128 values);
 * in a chunk, bytes [0, 64) hold the first 16 quants of blocks 0..3 (16 bytes each), [64, 128) their last 16,
 * then 64-byte fields of 16 lanes, lane i belonging to block i / 4:
 *  - Q8_0, Q4_0, Q4_K (256 bytes): [128, 192) a correction, [192, 256) the f32 block scales d_x;
 *  - Q6_K (320 bytes): [128, 192) and [192, 256) the corrections of the first and of the last 16 values,
 *    [256, 320) the scales (Q6_K scales each 16 values apart, so the halves stay apart).
 * The correction makes lane i of dpbusd(corr, A, xA) (+ dpbusd(.., B, xB)) the exact dot product of a
 * signed weight although vpdpbusd multiplies unsigned (weight) by signed (activation) bytes:
 *  - Q8_0: the weights go in xor 0x80 (q + 128); corr = -128 * sum(x of the lane);
 *  - Q4_0: the nibbles go in (0..15, the value being q - 8); corr = -8 * sum(x);
 *  - Q4_K: the nibbles are the value (q, no offset): no correction; the field holds d_x * sum(x) as f32
 *    instead, for the block minimum's term, -dmin * m * d_x * sum(x);
 *  - Q6_K: the 6-bit quants go in (0..63, the value being q - 32); corr = -32 * sum(x), per half.
 */
#ifndef GANNET_AVX512_RECORDS_H
#define GANNET_AVX512_RECORDS_H

#include <stdint.h>

#include "gannet_cpu.h"

#define AI static inline __attribute__((always_inline))

AI int64_t avx512_chunks(int64_t k) { return (k / 32 + 3) / 4; }

AI int64_t avx512_chunk_bytes(int32_t mode) { return mode == GANNET_XQ_Q6_K ? 320 : 256; }

/* Offset of the f32 scales in a chunk. */
AI int64_t avx512_scales_at(int32_t mode) { return mode == GANNET_XQ_Q6_K ? 256 : 192; }

#endif

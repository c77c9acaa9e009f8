/*
 * Gannet's native CPU kernels, called from Java through FFM (dev.gannet.runtime.kernel.NativeCpuLibrary).
 *
 * Rules of this library: it owns no threads, no memory and no state. Java allocates every buffer, and each
 * compute-pool worker calls a matmul on its own range of output rows [r0, r1). Every exported function
 * exists once per instruction set, named gannet_<isa>_<op> (isa: avx512 = AVX-512 F/BW/VL/DQ + VNNI,
 * avx2 = AVX2 + FMA + F16C, scalar = portable C); gannet_cpu_isas() says which of them this CPU runs, and
 * Java binds one set at start-up.
 *
 * Reduction order (what batch invariance rests on): an output (token t, row r) is computed by the same
 * sequence of operations whatever the number of tokens, the row range or the tile it falls in: one
 * accumulator per output, the columns in order, one fixed horizontal sum at the end. So a token's
 * result does not depend on what else is in the batch, nor on the thread count.
 *
 * Q8_0 / Q4_0 weights (the packed layout of dev.gannet.runtime.tensor.Packing: quants contiguous per row,
 * f32 block scales apart) and Q4_K / Q6_K weights (ggml's block layout, as in the file) multiply 8-bit
 * activations: gannet_<isa>_quantize writes, per token, blocks of 32 values as int8 with an f32 scale
 * (d = max|x| / 127, q = x * (1 / d) rounded to nearest even), in a record layout of the isa's own, for one
 * weight type (mode: GANNET_XQ_*), gannet_<isa>_xq_row_bytes(k, mode) bytes a token. The dot product of a
 * block (of a 16-value group for Q6_K) is then exact in int32 and scaled once by the weight's and the
 * activation's scales, as llama.cpp does.
 *
 * F32 / F16 / BF16 weights multiply the f32 activations as they are (no quantization): x rows 64-byte
 * aligned, x_stride floats apart; the last partial 16-column chunk of a row is read with masks.
 *
 * Sizes and strides are int64_t; weight strides are in bytes, activation and output strides in floats.
 * out[t * out_stride + r] receives output (t, r).
 */
#ifndef GANNET_CPU_H
#define GANNET_CPU_H

#include <stdint.h>

#define GANNET_ISA_SCALAR 1
#define GANNET_ISA_AVX2 2
#define GANNET_ISA_AVX512 4

/* Which weight type quantized activations are prepared for (the records may differ). */
#define GANNET_XQ_Q8_0 0
#define GANNET_XQ_Q4_0 1
#define GANNET_XQ_Q4_K 2
#define GANNET_XQ_Q6_K 3

/* Bit set of the GANNET_ISA_* variants this CPU (and OS) can run. */
int32_t gannet_cpu_isas(void);
/* Version of this ABI; Java refuses a library whose version differs from its own. */
int32_t gannet_cpu_abi_version(void);

#define GANNET_DECLARE_ISA(isa)                                                                            \
    int64_t gannet_##isa##_xq_row_bytes(int64_t k, int32_t mode);                                          \
    void gannet_##isa##_quantize(const float *x, int64_t x_stride, int64_t m, int64_t k, int32_t mode,     \
                                 uint8_t *xq);                                                             \
    void gannet_##isa##_matmul_q8_0(const int8_t *w, int64_t w_stride, const float *ws, int64_t ws_stride, \
                                    int64_t k, const uint8_t *xq, int64_t m, float *out, int64_t out_stride, \
                                    int64_t r0, int64_t r1);                                               \
    void gannet_##isa##_matmul_q4_0(const uint8_t *w, int64_t w_stride, const float *ws, int64_t ws_stride, \
                                    int64_t k, const uint8_t *xq, int64_t m, float *out, int64_t out_stride, \
                                    int64_t r0, int64_t r1);                                               \
    void gannet_##isa##_matmul_q4_k(const uint8_t *w, int64_t w_stride, int64_t k, const uint8_t *xq,      \
                                    int64_t m, float *out, int64_t out_stride, int64_t r0, int64_t r1);    \
    void gannet_##isa##_matmul_q6_k(const uint8_t *w, int64_t w_stride, int64_t k, const uint8_t *xq,      \
                                    int64_t m, float *out, int64_t out_stride, int64_t r0, int64_t r1);    \
    void gannet_##isa##_matmul_f32(const float *w, int64_t w_stride, int64_t k, const float *x,            \
                                   int64_t x_stride, int64_t m, float *out, int64_t out_stride, int64_t r0, \
                                   int64_t r1);                                                            \
    void gannet_##isa##_matmul_f16(const uint16_t *w, int64_t w_stride, int64_t k, const float *x,         \
                                   int64_t x_stride, int64_t m, float *out, int64_t out_stride, int64_t r0, \
                                   int64_t r1);                                                            \
    void gannet_##isa##_matmul_bf16(const uint16_t *w, int64_t w_stride, int64_t k, const float *x,        \
                                    int64_t x_stride, int64_t m, float *out, int64_t out_stride, int64_t r0, \
                                    int64_t r1);

GANNET_DECLARE_ISA(avx512)
GANNET_DECLARE_ISA(avx2)
GANNET_DECLARE_ISA(scalar)

#endif

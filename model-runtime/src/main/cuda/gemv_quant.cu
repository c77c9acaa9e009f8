// Dequantizing matrix-vector products for ggml-quantized weights (batch-1 or small-batch decode).
// Weights stay in the GGUF file layout: row r is cols / 32 consecutive blocks.
//   Q8_0 block (34 bytes): f16 scale d, then 32 int8 q; value i = d * q[i]
//   Q4_0 block (18 bytes): f16 scale d, then 16 bytes; value i = d * (nibble - 8), the low nibble of
//        byte j is element j, the high nibble element j + 16
// One warp per output row; lane i handles element i of each block, so a warp reads a block's quants
// in one coalesced transaction.
#include "common.cuh"

#define GANNET_GEMV_WARPS 4 // rows per block

__device__ __forceinline__ float load_scale(const uint8_t* block) {
    // a block starts at an even offset but not a 4-byte aligned one: read the f16 scale as two bytes
    unsigned short bits = (unsigned short)block[0] | ((unsigned short)block[1] << 8);
    return __half2float(__ushort_as_half(bits));
}

// Quant of element `lane` (0..31) of the block at p, as a float (before the scale).
template <bool Q4>
__device__ __forceinline__ float quant_at(const uint8_t* p, int lane) {
    if (Q4) {
        uint8_t byte = p[2 + (lane & 15)];
        return (float)((lane < 16 ? (byte & 0xF) : (byte >> 4)) - 8);
    }
    return (float)(int8_t)p[2 + lane];
}

// w (rows, cols / 32 blocks) Q8_0 or Q4_0; x (m, cols) TX; y (m, rows) TY: y[b, r] = sum_c w[r, c] * x[b, c]
// (TY = f32 with TX = f16/bf16 for the LM head: logits leave the device as f32)
// cols % 32 == 0. launch: grid (ceil(rows / 4)), block 128
template <typename TX, typename TY, bool Q4>
__device__ void gemv_quant(TY* y, const uint8_t* w, const TX* x, int m, int rows, int cols) {
    const int lane = threadIdx.x & 31;
    const int r = blockIdx.x * GANNET_GEMV_WARPS + (threadIdx.x >> 5);
    if (r >= rows) return;
    const int blocks = cols / 32;
    const int blockBytes = Q4 ? 18 : 34;
    const uint8_t* wr = w + (size_t)r * blocks * blockBytes;
    for (int b = 0; b < m; b++) {
        const TX* xb = x + (size_t)b * cols;
        float acc = 0.f;
        for (int blk = 0; blk < blocks; blk++) {
            const uint8_t* p = wr + (size_t)blk * blockBytes;
            acc += load_scale(p) * quant_at<Q4>(p, lane) * to_f32(xb[blk * 32 + lane]);
        }
        acc = warp_sum(acc);
        if (lane == 0) y[(size_t)b * rows + r] = from_f32<TY>(acc);
    }
}

// out (rows, cols) T = the Q8_0 / Q4_0 weight w (rows, cols / 32 blocks) dequantized: the prefill path
// multiplies quantized weights with cuBLAS on a dequantized copy of a slice of rows.
// launch: grid (ceil(rows * cols / 32 / 8)), block 256: one warp per 32-value block
template <typename T, bool Q4>
__device__ void dequant(T* out, const uint8_t* w, int rows, int cols) {
    const long long blk = (long long)blockIdx.x * 8 + (threadIdx.x >> 5);
    const long long total = (long long)rows * (cols / 32);
    if (blk >= total) return;
    const int lane = threadIdx.x & 31;
    const uint8_t* p = w + blk * (Q4 ? 18 : 34);
    out[blk * 32 + lane] = from_f32<T>(load_scale(p) * quant_at<Q4>(p, lane));
}

#define GANNET_GEMV(TX, TY, SUF)                                                                               \
    extern "C" __global__ void gemv_q8_0_##SUF(TY* y, const uint8_t* w, const TX* x, int m, int rows, int cols) { \
        gemv_quant<TX, TY, false>(y, w, x, m, rows, cols);                                                     \
    }                                                                                                          \
    extern "C" __global__ void gemv_q4_0_##SUF(TY* y, const uint8_t* w, const TX* x, int m, int rows, int cols) { \
        gemv_quant<TX, TY, true>(y, w, x, m, rows, cols);                                                      \
    }
GANNET_GEMV(float, float, f32)
GANNET_GEMV(half, half, f16)
GANNET_GEMV(bf16, bf16, bf16)
GANNET_GEMV(half, float, f16_f32)
GANNET_GEMV(bf16, float, bf16_f32)

#define GANNET_DEQUANT(T, SUF)                                                                              \
    extern "C" __global__ void dequant_q8_0_##SUF(T* out, const uint8_t* w, int rows, int cols) {           \
        dequant<T, false>(out, w, rows, cols);                                                              \
    }                                                                                                       \
    extern "C" __global__ void dequant_q4_0_##SUF(T* out, const uint8_t* w, int rows, int cols) {           \
        dequant<T, true>(out, w, rows, cols);                                                               \
    }
GANNET_DEQUANT(float, f32)
GANNET_DEQUANT(half, f16)
GANNET_DEQUANT(bf16, bf16)

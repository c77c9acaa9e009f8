// Rotary position embedding on Q and K, fused with writing K and V into the paged KV cache.
#include "common.cuh"

// Rotates pair (a, b) of head vector `v` by the angle of (pos, pair i). NORMAL pairs are (2i, 2i+1)
// (GGUF Llama); NEOX pairs are (i, i + rotaryDim/2) (Hugging Face rotate-half).
__device__ __forceinline__ void rope_pair(int i, int rotaryDim, int neox, int* a, int* b) {
    if (neox) { *a = i; *b = i + rotaryDim / 2; } else { *a = 2 * i; *b = 2 * i + 1; }
}

// q           (numTokens, numHeads, headDim) T, rotated in place
// k           (numTokens, numKvHeads, headDim) T, rotated in place
// v           (numTokens, numKvHeads, headDim) T
// keyCache    (numBlocks, blockSize, numKvHeads, headDim) C::elem: rotated K of token t lands in slot slotMapping[t]
// valueCache  likewise for V
// keyScales, valueScales: the codec's f32 scales (see KvQ8 / KvFp8 in common.cuh); unused (may be NULL) for KvNative
// positions   (numTokens) int32: absolute position of each token
// slotMapping (numTokens) int32: block * blockSize + offset; a negative slot (padding) writes nothing
// cosTable, sinTable (maxPositions, rotaryDim / 2) f32, as dev.gannet.runtime.kernel.RopeTable builds them
// rotaryDim <= headDim (dims past rotaryDim pass through); neox: 0 = NORMAL, 1 = NEOX
// launch: grid (numTokens), block 128, no dynamic shared memory
template <typename T, typename C>
__device__ void rope_kv_write(T* q, T* k, const T* v, typename C::elem* keyCache, typename C::elem* valueCache,
                              float* keyScales, float* valueScales, const int* positions, const int* slotMapping,
                              const float* cosTable, const float* sinTable, int numHeads, int numKvHeads, int headDim,
                              int rotaryDim, int neox) {
    const int t = blockIdx.x;
    const int pairs = rotaryDim / 2;
    const float* c = cosTable + (size_t)positions[t] * pairs;
    const float* s = sinTable + (size_t)positions[t] * pairs;
    const long long slot = slotMapping[t];
    T* qRow = q + (size_t)t * numHeads * headDim;
    for (int j = threadIdx.x; j < numHeads * pairs; j += blockDim.x) {
        int h = j / pairs, i = j % pairs, a, b;
        rope_pair(i, rotaryDim, neox, &a, &b);
        T* x = qRow + h * headDim;
        float x0 = to_f32(x[a]), x1 = to_f32(x[b]);
        x[a] = from_f32<T>(x0 * c[i] - x1 * s[i]);
        x[b] = from_f32<T>(x0 * s[i] + x1 * c[i]);
    }
    const size_t kvRow = (size_t)t * numKvHeads * headDim;
    for (int j = threadIdx.x; j < numKvHeads * pairs; j += blockDim.x) {
        int h = j / pairs, i = j % pairs, a, b;
        rope_pair(i, rotaryDim, neox, &a, &b);
        T* x = k + kvRow + h * headDim;
        float x0 = to_f32(x[a]), x1 = to_f32(x[b]);
        x[a] = from_f32<T>(x0 * c[i] - x1 * s[i]);
        x[b] = from_f32<T>(x0 * s[i] + x1 * c[i]);
    }
    if (slot < 0) return;
    __syncthreads(); // the rotated K row is complete in k (the unrotated tail of a partial rotary included)
    const int warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    for (int h = warp; h < numKvHeads; h += warps) { // one warp per head row: the codec reduces over the row
        const size_t row = ((size_t)slot * numKvHeads + h) * headDim;
        kv_store_row<T>(C(), keyCache, keyScales, row, k + kvRow + (size_t)h * headDim, headDim);
        kv_store_row<T>(C(), valueCache, valueScales, row, v + kvRow + (size_t)h * headDim, headDim);
    }
}

#define GANNET_ROPE(T, C, SUF)                                                                                    \
    extern "C" __global__ void rope_kv_write_##SUF(T* q, T* k, const T* v, C::elem* keyCache, C::elem* valueCache, \
            float* keyScales, float* valueScales, const int* positions, const int* slotMapping,                    \
            const float* cosTable, const float* sinTable, int numTokens, int numHeads, int numKvHeads,            \
            int headDim, int rotaryDim, int neox) {                                                               \
        if (blockIdx.x < numTokens)                                                                               \
            rope_kv_write<T, C>(q, k, v, keyCache, valueCache, keyScales, valueScales, positions, slotMapping,    \
                                cosTable, sinTable, numHeads, numKvHeads, headDim, rotaryDim, neox);              \
    }
GANNET_ROPE(float, KvNative<float>, f32)
GANNET_ROPE(half, KvNative<half>, f16)
GANNET_ROPE(bf16, KvNative<bf16>, bf16)
GANNET_ROPE(float, KvQ8, q8_0_f32)
GANNET_ROPE(half, KvQ8, q8_0_f16)
GANNET_ROPE(bf16, KvQ8, q8_0_bf16)
GANNET_ROPE(float, KvFp8, fp8_f32)
GANNET_ROPE(half, KvFp8, fp8_f16)
GANNET_ROPE(bf16, KvFp8, fp8_bf16)

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
// keyCache    (numBlocks, blockSize, numKvHeads, headDim) T: rotated K of token t lands in slot slotMapping[t]
// valueCache  (numBlocks, blockSize, numKvHeads, headDim) T
// positions   (numTokens) int32: absolute position of each token
// slotMapping (numTokens) int32: block * blockSize + offset; a negative slot (padding) writes nothing
// cosTable, sinTable (maxPositions, rotaryDim / 2) f32, as dev.gannet.runtime.kernel.RopeTable builds them
// rotaryDim <= headDim (dims past rotaryDim pass through); neox: 0 = NORMAL, 1 = NEOX
// launch: grid (numTokens), block 128, no dynamic shared memory
template <typename T>
__device__ void rope_kv_write(T* q, T* k, const T* v, T* keyCache, T* valueCache, const int* positions,
                              const int* slotMapping, const float* cosTable, const float* sinTable,
                              int numHeads, int numKvHeads, int headDim, int rotaryDim, int neox) {
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
    T* kc = slot >= 0 ? keyCache + slot * numKvHeads * headDim : nullptr;
    T* vc = slot >= 0 ? valueCache + slot * numKvHeads * headDim : nullptr;
    for (int j = threadIdx.x; j < numKvHeads * pairs; j += blockDim.x) {
        int h = j / pairs, i = j % pairs, a, b;
        rope_pair(i, rotaryDim, neox, &a, &b);
        T* x = k + kvRow + h * headDim;
        float x0 = to_f32(x[a]), x1 = to_f32(x[b]);
        T r0 = from_f32<T>(x0 * c[i] - x1 * s[i]);
        T r1 = from_f32<T>(x0 * s[i] + x1 * c[i]);
        x[a] = r0;
        x[b] = r1;
        if (kc != nullptr) { kc[h * headDim + a] = r0; kc[h * headDim + b] = r1; }
    }
    if (kc == nullptr) return;
    for (int j = threadIdx.x; j < numKvHeads * headDim; j += blockDim.x) {
        if (j % headDim >= rotaryDim) kc[j] = k[kvRow + j]; // unrotated tail (partial rotary)
        vc[j] = v[kvRow + j];
    }
}

#define GANNET_ROPE(T, SUF)                                                                                   \
    extern "C" __global__ void rope_kv_write_##SUF(T* q, T* k, const T* v, T* keyCache, T* valueCache,       \
            const int* positions, const int* slotMapping, const float* cosTable, const float* sinTable,        \
            int numTokens, int numHeads, int numKvHeads, int headDim, int rotaryDim, int neox) {              \
        if (blockIdx.x < numTokens)                                                                           \
            rope_kv_write<T>(q, k, v, keyCache, valueCache, positions, slotMapping, cosTable, sinTable,       \
                             numHeads, numKvHeads, headDim, rotaryDim, neox);                                 \
    }
GANNET_ROPE(float, f32)
GANNET_ROPE(half, f16)
GANNET_ROPE(bf16, bf16)

// Ragged causal prefill attention over packed sequences (FlashAttention-style tiles, online softmax).
// Queries of sequence s are rows [cuSeqlens[s], cuSeqlens[s+1]) of q; their K and V (and those of
// any cached prefix) are already in the paged cache, so keys are read through the block table.
// Query row i of a sequence of qLen new tokens and contextLen cached ones sits at position
// contextLen - qLen + i and attends to keys 0..position. This is a CUDA-core kernel (no tensor cores).
#include "common.cuh"

#define GANNET_PF_ROWS 16   // query rows per block: 4 warps x 4 rows
#define GANNET_PF_KEYS 32   // keys per tile: one per lane
#define GANNET_PF_DIMS 8    // headDim / 32 accumulators per row per lane: headDim <= 256

// out         (numTokens, numHeads, headDim) T
// q           (numTokens, numHeads, headDim) T (already rotated)
// keyCache    (numBlocks, blockSize, numKvHeads, headDim) C::elem; valueCache likewise; keyScales, valueScales the
//             codec's scales (NULL for KvNative, see common.cuh)
// blockTables (numSeqs, maxBlocksPerSeq) int32; cuSeqlens (numSeqs + 1) int32; contextLens (numSeqs) int32
// launch: grid (ceil(maxQueryLen / 16), numHeads, numSeqs), block 128,
//   dynamic shared memory (16 * headDim + 32 * (headDim + 1) + 32 * headDim) * 4 bytes
template <typename T, typename C>
__device__ void prefill_attention(T* out, const T* q, const typename C::elem* keyCache, const typename C::elem* valueCache,
                                  const float* keyScales, const float* valueScales, const int* blockTables,
                                  int maxBlocksPerSeq, const int* cuSeqlens, const int* contextLens, int numHeads,
                                  int numKvHeads, int headDim, int blockSize, float scale) {
    extern __shared__ float smem[];
    const int seq = blockIdx.z, h = blockIdx.y, kvh = h / (numHeads / numKvHeads);
    const int qStart = cuSeqlens[seq], qLen = cuSeqlens[seq + 1] - qStart;
    const int row0 = blockIdx.x * GANNET_PF_ROWS;
    if (row0 >= qLen) return;
    const int posBase = contextLens[seq] - qLen;
    const int lastPos = posBase + min(row0 + GANNET_PF_ROWS, qLen) - 1;
    float* qs = smem;                                  // (16, headDim)
    float* ks = qs + GANNET_PF_ROWS * headDim;         // (32, headDim + 1): padded against bank conflicts
    float* vs = ks + GANNET_PF_KEYS * (headDim + 1);   // (32, headDim)
    for (int i = threadIdx.x; i < GANNET_PF_ROWS * headDim; i += blockDim.x) {
        int r = i / headDim, d = i % headDim;
        qs[i] = row0 + r < qLen ? to_f32(q[((size_t)(qStart + row0 + r) * numHeads + h) * headDim + d]) * scale : 0.f;
    }
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int* table = blockTables + (size_t)seq * maxBlocksPerSeq;
    float m[4], l[4], acc[4][GANNET_PF_DIMS];
#pragma unroll
    for (int r = 0; r < 4; r++) {
        m[r] = -INFINITY;
        l[r] = 0.f;
#pragma unroll
        for (int k = 0; k < GANNET_PF_DIMS; k++) acc[r][k] = 0.f;
    }
    for (int kt = 0; kt <= lastPos; kt += GANNET_PF_KEYS) {
        __syncthreads(); // the previous tile is no longer read
        for (int i = threadIdx.x; i < GANNET_PF_KEYS * headDim; i += blockDim.x) {
            int j = i / headDim, d = i % headDim, key = kt + j;
            float kv = 0.f, vv = 0.f;
            if (key <= lastPos) {
                size_t off = (((size_t)table[key / blockSize] * blockSize + key % blockSize) * numKvHeads + kvh) * headDim + d;
                kv = C::load(keyCache, keyScales, off, headDim);
                vv = C::load(valueCache, valueScales, off, headDim);
            }
            ks[j * (headDim + 1) + d] = kv;
            vs[j * headDim + d] = vv;
        }
        __syncthreads();
        const int key = kt + lane;
#pragma unroll
        for (int r = 0; r < 4; r++) {
            const int row = warp * 4 + r;
            const int pos = posBase + row0 + row;
            float s = -INFINITY;
            if (row0 + row < qLen && key <= pos) {
                s = 0.f;
                for (int d = 0; d < headDim; d++) s += qs[row * headDim + d] * ks[lane * (headDim + 1) + d];
            }
            float newM = fmaxf(m[r], warp_max(s));
            float p = s == -INFINITY ? 0.f : __expf(s - newM);
            float alpha = m[r] == -INFINITY ? 0.f : __expf(m[r] - newM);
            l[r] = l[r] * alpha + warp_sum(p);
            m[r] = newM;
#pragma unroll
            for (int k = 0; k < GANNET_PF_DIMS; k++) acc[r][k] *= alpha;
            for (int j = 0; j < GANNET_PF_KEYS; j++) {
                float pj = __shfl_sync(0xffffffffu, p, j);
#pragma unroll
                for (int k = 0; k < GANNET_PF_DIMS; k++) {
                    int d = lane + 32 * k;
                    if (d < headDim) acc[r][k] += pj * vs[j * headDim + d];
                }
            }
        }
    }
#pragma unroll
    for (int r = 0; r < 4; r++) {
        const int row = warp * 4 + r;
        if (row0 + row >= qLen) continue;
        T* o = out + ((size_t)(qStart + row0 + row) * numHeads + h) * headDim;
        float inv = l[r] > 0.f ? 1.f / l[r] : 0.f;
#pragma unroll
        for (int k = 0; k < GANNET_PF_DIMS; k++) {
            int d = lane + 32 * k;
            if (d < headDim) o[d] = from_f32<T>(acc[r][k] * inv);
        }
    }
}

#define GANNET_PREFILL(T, C, SUF)                                                                               \
    extern "C" __global__ void prefill_attention_##SUF(T* out, const T* q, const C::elem* keyCache,              \
            const C::elem* valueCache, const float* keyScales, const float* valueScales, const int* blockTables,  \
            int maxBlocksPerSeq, const int* cuSeqlens, const int* contextLens, int numSeqs, int numHeads,        \
            int numKvHeads, int headDim, int blockSize, float scale) {                                            \
        if (blockIdx.z < numSeqs)                                                                                 \
            prefill_attention<T, C>(out, q, keyCache, valueCache, keyScales, valueScales, blockTables,           \
                                    maxBlocksPerSeq, cuSeqlens, contextLens, numHeads, numKvHeads, headDim,      \
                                    blockSize, scale);                                                            \
    }
GANNET_PREFILL(float, KvNative<float>, f32)
GANNET_PREFILL(half, KvNative<half>, f16)
GANNET_PREFILL(bf16, KvNative<bf16>, bf16)
GANNET_PREFILL(float, KvQ8, q8_0_f32)
GANNET_PREFILL(half, KvQ8, q8_0_f16)
GANNET_PREFILL(bf16, KvQ8, q8_0_bf16)
GANNET_PREFILL(float, KvFp8, fp8_f32)
GANNET_PREFILL(half, KvFp8, fp8_f16)
GANNET_PREFILL(bf16, KvFp8, fp8_bf16)

// Paged decode attention split along the context (Flash-Decoding style), then an exact merge.
//
// Pass 1, paged_decode_partial_*: grid (numPartitions, numKvHeads, numSeqs). Each block takes one
// sequence, one KV head and one partition of blocksPerPartition KV blocks, and serves every query
// head of that KV head's group (GQA: numHeads / numKvHeads heads), so each K and V row is read from
// the cache once per group, not once per query head. A partition is walked in chunks of
// GANNET_DECODE_CHUNK tokens with an online softmax (running max and sum, rescaled per chunk), so a
// partition may be as long as the whole context: the split count is the caller's choice
// (dev.gannet.runtime.cuda.DecodeSplit), not a limit of shared memory. It writes, per query head, the
// partition's score maximum m_p, the sum l_p of exp(score - m_p) and the unnormalised output
// sum exp(score - m_p) v.
// Pass 2, paged_decode_reduce_*: grid (numHeads, numSeqs) merges the partitions by log-sum-exp:
// out = sum_p e^(m_p - M) o_p / sum_p e^(m_p - M) l_p, M = max_p m_p. Empty partitions (past a
// shorter sequence's context) carry m_p = -inf, l_p = 0 and drop out of the merge.
#include "common.cuh"

#define GANNET_DECODE_THREADS 128
#define GANNET_MAX_GROUP 16      // query heads per KV head
#define GANNET_MAX_HEAD_DIM 256  // = 2 * GANNET_DECODE_THREADS: each thread owns two output dims
#define GANNET_DECODE_CHUNK 256  // tokens whose scores sit in shared memory at once

// q           (numSeqs, numHeads, headDim) T: one decode token per sequence
// keyCache    (numBlocks, blockSize, numKvHeads, headDim) C::elem; valueCache likewise; keyScales, valueScales
//             the codec's scales (NULL for KvNative)
// blockTables (numSeqs, maxBlocksPerSeq) int32; contextLens (numSeqs) int32, >= 1
// partialOut  (numSeqs, numHeads, numPartitions, headDim) f32; partialMax, partialSum (numSeqs, numHeads, numPartitions) f32
// launch: block 128; dynamic shared memory (group * headDim + group * GANNET_DECODE_CHUNK + 3 * group) * 4 bytes
template <typename T, typename C>
__device__ void paged_decode_partial(float* partialOut, float* partialMax, float* partialSum, const T* q,
                                     const typename C::elem* keyCache, const typename C::elem* valueCache,
                                     const float* keyScales, const float* valueScales, const int* blockTables,
                                     const int* contextLens, int maxBlocksPerSeq, int numHeads, int numKvHeads,
                                     int headDim, int blockSize, int blocksPerPartition, float scale) {
    extern __shared__ float smem[];
    const int part = blockIdx.x, kvh = blockIdx.y, seq = blockIdx.z, numPartitions = gridDim.x;
    const int group = numHeads / numKvHeads, h0 = kvh * group;
    const long long partTokens = (long long)blocksPerPartition * blockSize;
    const int ctx = contextLens[seq];
    const int start = (int)min((long long)ctx, part * partTokens), end = (int)min((long long)ctx, start + partTokens);
    float* qs = smem;                                        // (group, headDim) f32, pre-scaled
    float* scores = qs + group * headDim;                    // (group, CHUNK): scores, then exp(score - m)
    float* runMax = scores + group * GANNET_DECODE_CHUNK;    // (group) running max
    float* runSum = runMax + group;                          // (group) running sum of exp(score - runMax)
    float* alpha = runSum + group;                           // (group) rescale factor of this chunk
    const size_t stat = ((size_t)seq * numHeads + h0) * numPartitions + part; // + g * numPartitions
    if (start >= end) {
        for (int i = threadIdx.x; i < group * headDim; i += blockDim.x) {
            partialOut[(stat + (size_t)(i / headDim) * numPartitions) * headDim + i % headDim] = 0.f;
        }
        if (threadIdx.x < group) {
            partialMax[stat + (size_t)threadIdx.x * numPartitions] = -INFINITY;
            partialSum[stat + (size_t)threadIdx.x * numPartitions] = 0.f;
        }
        return;
    }
    for (int i = threadIdx.x; i < group * headDim; i += blockDim.x) {
        qs[i] = to_f32(q[((size_t)seq * numHeads + h0) * headDim + i]) * scale;
    }
    if (threadIdx.x < group) { runMax[threadIdx.x] = -INFINITY; runSum[threadIdx.x] = 0.f; }
    __syncthreads();
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    const int* table = blockTables + (size_t)seq * maxBlocksPerSeq;
    const size_t slotStride = (size_t)numKvHeads * headDim;
    const int d0 = threadIdx.x, d1 = threadIdx.x + blockDim.x;
    float o[GANNET_MAX_GROUP][2];
#pragma unroll
    for (int g = 0; g < GANNET_MAX_GROUP; g++) { o[g][0] = 0.f; o[g][1] = 0.f; }
    for (int c0 = start; c0 < end; c0 += GANNET_DECODE_CHUNK) {
        const int c1 = min(end, c0 + GANNET_DECODE_CHUNK);
        for (int t = c0 + warp; t < c1; t += warps) { // one warp per key: lanes split headDim
            const size_t kBase = ((size_t)table[t / blockSize] * blockSize + t % blockSize) * slotStride + (size_t)kvh * headDim;
            float acc[GANNET_MAX_GROUP];
#pragma unroll
            for (int g = 0; g < GANNET_MAX_GROUP; g++) acc[g] = 0.f;
            for (int d = lane; d < headDim; d += 32) {
                float kv = C::load(keyCache, keyScales, kBase + d, headDim);
#pragma unroll
                for (int g = 0; g < GANNET_MAX_GROUP; g++) if (g < group) acc[g] += qs[g * headDim + d] * kv;
            }
#pragma unroll
            for (int g = 0; g < GANNET_MAX_GROUP; g++) {
                if (g < group) {
                    float s = warp_sum(acc[g]);
                    if (lane == 0) scores[g * GANNET_DECODE_CHUNK + (t - c0)] = s;
                }
            }
        }
        __syncthreads();
        for (int g = warp; g < group; g += warps) { // one warp per query head: new max, weights, rescale
            float* sc = scores + g * GANNET_DECODE_CHUNK;
            float m = -INFINITY;
            for (int i = lane; i < c1 - c0; i += 32) m = fmaxf(m, sc[i]);
            m = fmaxf(warp_max(m), runMax[g]);
            float part = 0.f;
            for (int i = lane; i < c1 - c0; i += 32) {
                float p = __expf(sc[i] - m);
                sc[i] = p;
                part += p;
            }
            part = warp_sum(part);
            if (lane == 0) {
                float a = runMax[g] == -INFINITY ? 0.f : __expf(runMax[g] - m);
                alpha[g] = a;
                runMax[g] = m;
                runSum[g] = runSum[g] * a + part;
            }
        }
        __syncthreads();
#pragma unroll
        for (int g = 0; g < GANNET_MAX_GROUP; g++) {
            if (g < group) { o[g][0] *= alpha[g]; o[g][1] *= alpha[g]; }
        }
        for (int t = c0; t < c1; t++) { // threads split headDim: each V row is read once for the group
            const size_t vBase = ((size_t)table[t / blockSize] * blockSize + t % blockSize) * slotStride + (size_t)kvh * headDim;
            float v0 = d0 < headDim ? C::load(valueCache, valueScales, vBase + d0, headDim) : 0.f;
            float v1 = d1 < headDim ? C::load(valueCache, valueScales, vBase + d1, headDim) : 0.f;
#pragma unroll
            for (int g = 0; g < GANNET_MAX_GROUP; g++) {
                if (g < group) {
                    float p = scores[g * GANNET_DECODE_CHUNK + (t - c0)];
                    o[g][0] += p * v0;
                    o[g][1] += p * v1;
                }
            }
        }
        __syncthreads(); // the next chunk overwrites scores and alpha
    }
    if (threadIdx.x < group) {
        partialMax[stat + (size_t)threadIdx.x * numPartitions] = runMax[threadIdx.x];
        partialSum[stat + (size_t)threadIdx.x * numPartitions] = runSum[threadIdx.x];
    }
#pragma unroll
    for (int g = 0; g < GANNET_MAX_GROUP; g++) {
        if (g < group) {
            float* dst = partialOut + (stat + (size_t)g * numPartitions) * headDim;
            if (d0 < headDim) dst[d0] = o[g][0];
            if (d1 < headDim) dst[d1] = o[g][1];
        }
    }
}

// out (numSeqs, numHeads, headDim) T; partial* as written by pass 1 with the same numPartitions
// launch: grid (numHeads, numSeqs), block 128, no dynamic shared memory
template <typename T>
__device__ void paged_decode_reduce(T* out, const float* partialOut, const float* partialMax, const float* partialSum,
                                    int numHeads, int headDim, int numPartitions) {
    const size_t sh = (size_t)blockIdx.y * numHeads + blockIdx.x;
    const float* pm = partialMax + sh * numPartitions;
    const float* ps = partialSum + sh * numPartitions;
    float M = -INFINITY;
    for (int p = 0; p < numPartitions; p++) M = fmaxf(M, pm[p]);
    float denom = 0.f;
    for (int p = 0; p < numPartitions; p++) denom += pm[p] == -INFINITY ? 0.f : __expf(pm[p] - M) * ps[p];
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        float acc = 0.f;
        for (int p = 0; p < numPartitions; p++) {
            if (pm[p] != -INFINITY) acc += __expf(pm[p] - M) * partialOut[(sh * numPartitions + p) * headDim + d];
        }
        out[sh * headDim + d] = from_f32<T>(denom > 0.f ? acc / denom : 0.f);
    }
}

#define GANNET_DECODE(T, C, SUF)                                                                                  \
    extern "C" __global__ void paged_decode_partial_##SUF(float* partialOut, float* partialMax, float* partialSum, \
            const T* q, const C::elem* keyCache, const C::elem* valueCache, const float* keyScales,              \
            const float* valueScales, const int* blockTables, const int* contextLens, int maxBlocksPerSeq,       \
            int numHeads, int numKvHeads, int headDim, int blockSize, int blocksPerPartition, float scale) {     \
        paged_decode_partial<T, C>(partialOut, partialMax, partialSum, q, keyCache, valueCache, keyScales,       \
                                   valueScales, blockTables, contextLens, maxBlocksPerSeq, numHeads, numKvHeads,  \
                                   headDim, blockSize, blocksPerPartition, scale);                                \
    }
#define GANNET_DECODE_REDUCE(T, SUF)                                                                              \
    extern "C" __global__ void paged_decode_reduce_##SUF(T* out, const float* partialOut, const float* partialMax, \
            const float* partialSum, int numHeads, int headDim, int numPartitions) {                              \
        paged_decode_reduce<T>(out, partialOut, partialMax, partialSum, numHeads, headDim, numPartitions);       \
    }
GANNET_DECODE(float, KvNative<float>, f32)
GANNET_DECODE(half, KvNative<half>, f16)
GANNET_DECODE(bf16, KvNative<bf16>, bf16)
GANNET_DECODE(float, KvQ8, q8_0_f32)
GANNET_DECODE(half, KvQ8, q8_0_f16)
GANNET_DECODE(bf16, KvQ8, q8_0_bf16)
GANNET_DECODE(float, KvFp8, fp8_f32)
GANNET_DECODE(half, KvFp8, fp8_f16)
GANNET_DECODE(bf16, KvFp8, fp8_bf16)
GANNET_DECODE_REDUCE(float, f32)
GANNET_DECODE_REDUCE(half, f16)
GANNET_DECODE_REDUCE(bf16, bf16)

// Paged decode attention split along the context (Flash-Decoding style), then an exact merge.
//
// Pass 1, paged_decode_partial_*: grid (numPartitions, numKvHeads, numSeqs). Each block takes one
// sequence, one KV head and one partition of blocksPerPartition KV blocks, and serves every query
// head of that KV head's group (GQA: numHeads / numKvHeads heads), so each K and V row is read from
// the cache once per group, not once per query head. It writes, per query head, the partition's
// score maximum m_p, the sum l_p of exp(score - m_p) and the unnormalised output sum exp(score - m_p) v.
// Pass 2, paged_decode_reduce_*: grid (numHeads, numSeqs) merges the partitions by log-sum-exp:
// out = sum_p e^(m_p - M) o_p / sum_p e^(m_p - M) l_p, M = max_p m_p. Empty partitions (past a
// shorter sequence's context) carry m_p = -inf, l_p = 0 and drop out of the merge.
#include "common.cuh"

#define GANNET_DECODE_THREADS 128
#define GANNET_MAX_GROUP 16      // query heads per KV head
#define GANNET_MAX_HEAD_DIM 256  // = 2 * GANNET_DECODE_THREADS: each thread owns two output dims

// q           (numSeqs, numHeads, headDim) T: one decode token per sequence
// keyCache    (numBlocks, blockSize, numKvHeads, headDim) T; valueCache likewise
// blockTables (numSeqs, maxBlocksPerSeq) int32; contextLens (numSeqs) int32, >= 1
// partialOut  (numSeqs, numHeads, numPartitions, headDim) f32; partialMax, partialSum (numSeqs, numHeads, numPartitions) f32
// launch: block 128; dynamic shared memory (group * headDim + group * blocksPerPartition * blockSize) * 4 bytes
template <typename T>
__device__ void paged_decode_partial(float* partialOut, float* partialMax, float* partialSum, const T* q,
                                     const T* keyCache, const T* valueCache, const int* blockTables,
                                     const int* contextLens, int maxBlocksPerSeq, int numHeads, int numKvHeads,
                                     int headDim, int blockSize, int blocksPerPartition, float scale) {
    extern __shared__ float smem[];
    const int part = blockIdx.x, kvh = blockIdx.y, seq = blockIdx.z, numPartitions = gridDim.x;
    const int group = numHeads / numKvHeads, h0 = kvh * group;
    const int partTokens = blocksPerPartition * blockSize;
    const int start = part * partTokens, end = min(start + partTokens, contextLens[seq]);
    float* qs = smem;                       // (group, headDim) f32, pre-scaled
    float* scores = smem + group * headDim; // (group, partTokens) f32: scores, then exp(score - m)
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
    __syncthreads();
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    const int* table = blockTables + (size_t)seq * maxBlocksPerSeq;
    const size_t slotStride = (size_t)numKvHeads * headDim;
    for (int t = start + warp; t < end; t += warps) { // one warp per key: lanes split headDim
        const T* kp = keyCache + ((size_t)table[t / blockSize] * blockSize + t % blockSize) * slotStride + (size_t)kvh * headDim;
        float acc[GANNET_MAX_GROUP];
#pragma unroll
        for (int g = 0; g < GANNET_MAX_GROUP; g++) acc[g] = 0.f;
        for (int d = lane; d < headDim; d += 32) {
            float kv = to_f32(kp[d]);
#pragma unroll
            for (int g = 0; g < GANNET_MAX_GROUP; g++) if (g < group) acc[g] += qs[g * headDim + d] * kv;
        }
#pragma unroll
        for (int g = 0; g < GANNET_MAX_GROUP; g++) {
            if (g < group) {
                float s = warp_sum(acc[g]);
                if (lane == 0) scores[g * partTokens + (t - start)] = s;
            }
        }
    }
    __syncthreads();
    for (int g = warp; g < group; g += warps) { // one warp per query head: partition max and sum
        float* sc = scores + g * partTokens;
        float m = -INFINITY;
        for (int i = lane; i < end - start; i += 32) m = fmaxf(m, sc[i]);
        m = warp_max(m);
        float sum = 0.f;
        for (int i = lane; i < end - start; i += 32) {
            float p = __expf(sc[i] - m);
            sc[i] = p;
            sum += p;
        }
        sum = warp_sum(sum);
        if (lane == 0) {
            partialMax[stat + (size_t)g * numPartitions] = m;
            partialSum[stat + (size_t)g * numPartitions] = sum;
        }
    }
    __syncthreads();
    float o[GANNET_MAX_GROUP][2];
#pragma unroll
    for (int g = 0; g < GANNET_MAX_GROUP; g++) { o[g][0] = 0.f; o[g][1] = 0.f; }
    const int d0 = threadIdx.x, d1 = threadIdx.x + blockDim.x;
    for (int t = start; t < end; t++) { // threads split headDim: each V row is read once for the group
        const T* vp = valueCache + ((size_t)table[t / blockSize] * blockSize + t % blockSize) * slotStride + (size_t)kvh * headDim;
        float v0 = d0 < headDim ? to_f32(vp[d0]) : 0.f;
        float v1 = d1 < headDim ? to_f32(vp[d1]) : 0.f;
#pragma unroll
        for (int g = 0; g < GANNET_MAX_GROUP; g++) {
            if (g < group) {
                float p = scores[g * partTokens + (t - start)];
                o[g][0] += p * v0;
                o[g][1] += p * v1;
            }
        }
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

#define GANNET_DECODE(T, SUF)                                                                                   \
    extern "C" __global__ void paged_decode_partial_##SUF(float* partialOut, float* partialMax, float* partialSum, \
            const T* q, const T* keyCache, const T* valueCache, const int* blockTables, const int* contextLens,    \
            int maxBlocksPerSeq, int numHeads, int numKvHeads, int headDim, int blockSize, int blocksPerPartition, \
            float scale) {                                                                                       \
        paged_decode_partial<T>(partialOut, partialMax, partialSum, q, keyCache, valueCache, blockTables,       \
                                contextLens, maxBlocksPerSeq, numHeads, numKvHeads, headDim, blockSize,          \
                                blocksPerPartition, scale);                                                      \
    }                                                                                                            \
    extern "C" __global__ void paged_decode_reduce_##SUF(T* out, const float* partialOut, const float* partialMax, \
            const float* partialSum, int numHeads, int headDim, int numPartitions) {                             \
        paged_decode_reduce<T>(out, partialOut, partialMax, partialSum, numHeads, headDim, numPartitions);      \
    }
GANNET_DECODE(float, f32)
GANNET_DECODE(half, f16)
GANNET_DECODE(bf16, bf16)

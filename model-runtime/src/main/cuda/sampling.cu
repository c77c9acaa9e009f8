// Token selection on the device, one block per row, so only token ids travel back to the host.
#include "common.cuh"

#define GANNET_SAMPLE_THREADS 1024

// Highest logit of each row; ties go to the lowest token id (as a sequential scan would).
// logits (numRows, vocab) f32; outTokens (numRows) int32
// launch: grid (numRows), block 1024
extern "C" __global__ void argmax_f32(int* outTokens, const float* logits, int numRows, int vocab) {
    __shared__ float bestV[32];
    __shared__ int bestI[32];
    if (blockIdx.x >= numRows) return;
    const float* row = logits + (size_t)blockIdx.x * vocab;
    float v = -INFINITY;
    int idx = 0x7fffffff;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
        float x = row[i];
        if (x > v) { v = x; idx = i; } // strided ascending: the first max seen is the lowest id
    }
    for (int o = 16; o > 0; o >>= 1) {
        float ov = __shfl_xor_sync(0xffffffffu, v, o);
        int oi = __shfl_xor_sync(0xffffffffu, idx, o);
        if (ov > v || (ov == v && oi < idx)) { v = ov; idx = oi; }
    }
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    if (lane == 0) { bestV[warp] = v; bestI[warp] = idx; }
    __syncthreads();
    if (warp == 0) {
        int warps = blockDim.x >> 5;
        v = lane < warps ? bestV[lane] : -INFINITY;
        idx = lane < warps ? bestI[lane] : 0x7fffffff;
        for (int o = 16; o > 0; o >>= 1) {
            float ov = __shfl_xor_sync(0xffffffffu, v, o);
            int oi = __shfl_xor_sync(0xffffffffu, idx, o);
            if (ov > v || (ov == v && oi < idx)) { v = ov; idx = oi; }
        }
        if (lane == 0) outTokens[blockIdx.x] = idx == 0x7fffffff ? 0 : idx;
    }
}

// Number of logits >= threshold in the row (block-wide).
__device__ float count_at_least(const float* row, int vocab, float threshold, float* scratch) {
    float c = 0.f;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) c += row[i] >= threshold ? 1.f : 0.f;
    return block_sum(c, scratch);
}

// Sum of w(x) = exp((x - maxLogit) / temperature) over logits x >= floor with w(x) >= minWeight.
__device__ float kept_mass(const float* row, int vocab, float floor, float maxLogit, float invTemp, float minWeight,
                           float* scratch) {
    float s = 0.f;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
        float x = row[i];
        float w = x >= floor ? __expf((x - maxLogit) * invTemp) : 0.f;
        s += w >= minWeight ? w : 0.f;
    }
    return block_sum(s, scratch);
}

// Largest floor with count(x >= floor) >= k (bisection between the row's min and max logits).
__device__ float top_k_floor(const float* row, int vocab, int k, float mn, float mx, float* scratch) {
    float lo = mn, hi = mx;
    for (int it = 0; it < 32; it++) {
        float mid = 0.5f * (lo + hi);
        if (count_at_least(row, vocab, mid, scratch) >= (float)k) lo = mid; else hi = mid;
    }
    return lo;
}

// Largest minimum weight whose kept mass is still >= topP of the total (the max-logit token weighs 1).
__device__ float top_p_min_weight(const float* row, int vocab, float floor, float mx, float invTemp, float topP,
                                  float* scratch) {
    float total = kept_mass(row, vocab, floor, mx, invTemp, 0.f, scratch);
    float lo = 0.f, hi = 1.f;
    for (int it = 0; it < 32; it++) {
        float mid = 0.5f * (lo + hi);
        if (kept_mass(row, vocab, floor, mx, invTemp, mid, scratch) >= topP * total) lo = mid; else hi = mid;
    }
    return lo;
}

// Weight of logit x in the draw: exp((x - mx) / T) if kept, else 0; greedy rows weigh only the max.
__device__ __forceinline__ float draw_weight(float x, bool greedy, float floor, float mx, float invTemp, float minWeight) {
    float w = greedy ? (x == mx ? 1.f : 0.f) : (x >= floor ? __expf((x - mx) * invTemp) : 0.f);
    return w >= minWeight ? w : 0.f;
}

// Thread 0: the token where the cumulative kept weight, in id order, first exceeds u * total. Each of
// the block's threads owns a contiguous chunk of ids whose weight sum is in chunkSums; only the chunk
// holding the target is walked element by element.
__device__ int draw_token(const float* row, int vocab, const float* chunkSums, int chunk, float u, bool greedy,
                          float floor, float mx, float invTemp, float minWeight) {
    float total = 0.f;
    for (int t = 0; t < blockDim.x; t++) total += chunkSums[t];
    float target = greedy ? 0.f : u * total, run = 0.f;
    int chosen = -1, lastChunk = -1;
    for (int t = 0; t < blockDim.x; t++) {
        if (chunkSums[t] <= 0.f) continue;
        lastChunk = t;
        if (run + chunkSums[t] <= target) { run += chunkSums[t]; continue; }
        int b = min(vocab, t * chunk), e = min(vocab, b + chunk);
        for (int i = b; i < e; i++) {
            float w = draw_weight(row[i], greedy, floor, mx, invTemp, minWeight);
            if (w <= 0.f) continue;
            chosen = i;
            run += w;
            if (run > target) return i;
        }
    }
    if (chosen >= 0 || lastChunk < 0) return chosen < 0 ? 0 : chosen;
    // rounding left the target beyond the total: the last kept token
    int b = min(vocab, lastChunk * chunk), e = min(vocab, b + chunk);
    for (int i = b; i < e; i++) {
        if (draw_weight(row[i], greedy, floor, mx, invTemp, minWeight) > 0.f) chosen = i;
    }
    return chosen < 0 ? 0 : chosen;
}

// Temperature, top-k, then top-p (nucleus) over the kept tokens, then one draw with the host's
// uniform number u in [0, 1): the token whose cumulative kept weight, in token-id order, first
// exceeds u * total. Thresholds are found by bisection (32 halvings), so tokens tied at the cut are
// all kept. temperature <= 0 means greedy (argmax); topK <= 0 or >= vocab disables top-k; topP >= 1
// disables top-p. The kept set equals the CPU sampler's; the id order of the draw differs from a
// sorted order, so the same u may pick a different token with the same distribution.
// logits (numRows, vocab) f32; temperatures, topPs, uniforms (numRows) f32; topKs (numRows) int32
// outTokens (numRows) int32. launch: grid (numRows), block 1024
extern "C" __global__ void sample_top_k_top_p_f32(int* outTokens, const float* logits, const float* temperatures,
                                                  const int* topKs, const float* topPs, const float* uniforms,
                                                  int numRows, int vocab) {
    __shared__ float scratch[32];
    __shared__ float chunkSums[GANNET_SAMPLE_THREADS];
    if (blockIdx.x >= numRows) return;
    const float* row = logits + (size_t)blockIdx.x * vocab;
    const float temp = temperatures[blockIdx.x];
    const bool greedy = !(temp > 0.f);
    float mx = -INFINITY, mn = INFINITY;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) { mx = fmaxf(mx, row[i]); mn = fminf(mn, row[i]); }
    mx = block_max(mx, scratch);
    mn = -block_max(-mn, scratch);
    const float invTemp = greedy ? 0.f : 1.f / temp;
    const int k = topKs[blockIdx.x];
    const float topP = topPs[blockIdx.x];
    const float floor = !greedy && k > 0 && k < vocab ? top_k_floor(row, vocab, k, mn, mx, scratch) : mn;
    const float minWeight = !greedy && topP < 1.f ? top_p_min_weight(row, vocab, floor, mx, invTemp, topP, scratch) : 0.f;
    const int chunk = (vocab + blockDim.x - 1) / blockDim.x;
    const int begin = min(vocab, (int)threadIdx.x * chunk), end = min(vocab, begin + chunk);
    float mine = 0.f;
    for (int i = begin; i < end; i++) mine += draw_weight(row[i], greedy, floor, mx, invTemp, minWeight);
    chunkSums[threadIdx.x] = mine;
    __syncthreads();
    if (threadIdx.x == 0) { // serial walk over 1024 chunk sums: cheap next to the passes above
        outTokens[blockIdx.x] = draw_token(row, vocab, chunkSums, chunk, uniforms[blockIdx.x], greedy, floor, mx,
                                           invTemp, minWeight);
    }
}

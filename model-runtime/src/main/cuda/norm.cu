// RMSNorm fused with the residual add (one block per token row).
#include "common.cuh"

// residual (numTokens, dim) T, in/out: when non-null, residual += x first, and the sum is normalised
//   (the pre-norm transformer's "h = h + sublayer(x); x = norm(h)" in one pass).
// x        (numTokens, dim) T: the input (the sublayer output when residual is used)
// weight   (dim) T: the norm's gain
// out      (numTokens, dim) T: weight * v / sqrt(mean(v^2) + eps), v = x (+ residual); may alias x
// launch: grid (numTokens), block 256 (any multiple of 32 up to 1024), no dynamic shared memory
template <typename T>
__device__ void rmsnorm_residual(T* out, T* residual, const T* x, const T* weight, int dim, float eps) {
    __shared__ float scratch[32];
    const size_t row = (size_t)blockIdx.x * dim;
    float ss = 0.f;
    for (int i = threadIdx.x; i < dim; i += blockDim.x) {
        float v = to_f32(x[row + i]);
        if (residual != nullptr) {
            v += to_f32(residual[row + i]);
            residual[row + i] = from_f32<T>(v);
            v = to_f32(residual[row + i]); // normalise what was stored, as the next layer will read it
        }
        ss += v * v;
    }
    float inv = rsqrtf(block_sum(ss, scratch) / dim + eps);
    for (int i = threadIdx.x; i < dim; i += blockDim.x) {
        float v = residual != nullptr ? to_f32(residual[row + i]) : to_f32(x[row + i]);
        out[row + i] = from_f32<T>(v * inv * to_f32(weight[i]));
    }
}

#define GANNET_RMSNORM(T, SUF)                                                                         \
    extern "C" __global__ void rmsnorm_residual_##SUF(T* out, T* residual, const T* x, const T* weight, \
                                                      int numTokens, int dim, float eps) {              \
        if (blockIdx.x < numTokens) rmsnorm_residual<T>(out, residual, x, weight, dim, eps);           \
    }
GANNET_RMSNORM(float, f32)
GANNET_RMSNORM(half, f16)
GANNET_RMSNORM(bf16, bf16)

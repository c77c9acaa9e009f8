// SwiGLU activation and the embedding gather.
#include "common.cuh"

// gate, up (numTokens, rows of inStride) T: element i of token t is gate[t * inStride + i]
//   (inStride = n for separate buffers; 2n with up = gate + n for a fused [gate | up] projection)
// out      (numTokens, n) T: silu(gate) * up; may alias gate when inStride == n
// launch: grid (ceil(n / 256), numTokens), block 256
template <typename T>
__device__ void swiglu(T* out, const T* gate, const T* up, int n, int inStride) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    size_t in = (size_t)blockIdx.y * inStride + i;
    float g = to_f32(gate[in]);
    out[(size_t)blockIdx.y * n + i] = from_f32<T>(g / (1.f + __expf(-g)) * to_f32(up[in]));
}

#define GANNET_SWIGLU(T, SUF)                                                                               \
    extern "C" __global__ void swiglu_##SUF(T* out, const T* gate, const T* up, int numTokens, int n,      \
                                            int inStride) {                                                 \
        if (blockIdx.y < numTokens) swiglu<T>(out, gate, up, n, inStride);                                  \
    }
GANNET_SWIGLU(float, f32)
GANNET_SWIGLU(half, f16)
GANNET_SWIGLU(bf16, bf16)

// table  (vocab, dim) TT: token embeddings
// tokens (numTokens) int32; the host validates ids, an id outside [0, vocab) yields a zero row
// out    (numTokens, dim) TO
// launch: grid (numTokens), block 256
template <typename TT, typename TO>
__device__ void embedding(TO* out, const TT* table, const int* tokens, int dim, int vocab) {
    int id = tokens[blockIdx.x];
    TO* o = out + (size_t)blockIdx.x * dim;
    bool ok = id >= 0 && id < vocab;
    const TT* row = table + (size_t)(ok ? id : 0) * dim;
    for (int i = threadIdx.x; i < dim; i += blockDim.x) o[i] = from_f32<TO>(ok ? to_f32(row[i]) : 0.f);
}

#define GANNET_EMBEDDING(TT, TO, SUF)                                                                        \
    extern "C" __global__ void embedding_##SUF(TO* out, const TT* table, const int* tokens, int numTokens,  \
                                               int dim, int vocab) {                                        \
        if (blockIdx.x < numTokens) embedding<TT, TO>(out, table, tokens, dim, vocab);                      \
    }
// suffix: table dtype, then output dtype
GANNET_EMBEDDING(float, float, f32_f32)
GANNET_EMBEDDING(half, float, f16_f32)
GANNET_EMBEDDING(bf16, float, bf16_f32)
GANNET_EMBEDDING(half, half, f16_f16)
GANNET_EMBEDDING(bf16, bf16, bf16_bf16)
GANNET_EMBEDDING(float, half, f32_f16)
GANNET_EMBEDDING(float, bf16, f32_bf16)

// x (numTokens, n) T += bias (n) T on every row (Qwen2's Q/K/V biases).
// launch: grid (ceil(n / 256), numTokens), block 256
template <typename T>
__device__ void bias_add(T* x, const T* bias, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    size_t at = (size_t)blockIdx.y * n + i;
    x[at] = from_f32<T>(to_f32(x[at]) + to_f32(bias[i]));
}

// out (n) T = a + b, element by element; out may alias a. Two tensor-parallel ranks that share one
// device sum their partial outputs with it, in rank order (dev.gannet.runtime.cuda.SameDeviceGroup).
// launch: grid (ceil(n / 256)), block 256
template <typename T>
__device__ void vector_add(T* out, const T* a, const T* b, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = from_f32<T>(to_f32(a[i]) + to_f32(b[i]));
}

#define GANNET_ADD(T, SUF)                                                                                   \
    extern "C" __global__ void bias_add_##SUF(T* x, const T* bias, int numTokens, int n) {                  \
        if (blockIdx.y < numTokens) bias_add<T>(x, bias, n);                                                 \
    }                                                                                                        \
    extern "C" __global__ void vector_add_##SUF(T* out, const T* a, const T* b, int n) {                    \
        vector_add<T>(out, a, b, n);                                                                         \
    }
GANNET_ADD(float, f32)
GANNET_ADD(half, f16)
GANNET_ADD(bf16, bf16)

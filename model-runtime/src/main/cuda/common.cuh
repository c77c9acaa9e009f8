// Shared helpers for Gannet's CUDA kernels: dtype conversion, warp/block reductions, and the
// macro that stamps out one extern "C" entry point per dtype, so the Java side can look each
// kernel up by a plain name (e.g. rmsnorm_residual_bf16) with cuModuleGetFunction.
#pragma once
#include <cuda_fp16.h>
#include <cuda_bf16.h>
// The same sources also compile at run time with NVRTC (the fallback when the driver is older than
// the nvcc that built the fatbin), where no C library headers exist.
#ifdef __CUDACC_RTC__
typedef unsigned char uint8_t;
typedef signed char int8_t;
#else
#include <stdint.h>
#endif
#ifndef INFINITY
#define INFINITY __int_as_float(0x7f800000)
#endif

typedef __nv_bfloat16 bf16;

__device__ __forceinline__ float to_f32(float x) { return x; }
__device__ __forceinline__ float to_f32(half x) { return __half2float(x); }
__device__ __forceinline__ float to_f32(bf16 x) { return __bfloat162float(x); }

template <typename T> __device__ __forceinline__ T from_f32(float x);
template <> __device__ __forceinline__ float from_f32<float>(float x) { return x; }
template <> __device__ __forceinline__ half from_f32<half>(float x) { return __float2half_rn(x); }
template <> __device__ __forceinline__ bf16 from_f32<bf16>(float x) { return __float2bfloat16_rn(x); }

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Block-wide sum / max for blockDim.x a multiple of 32 (<= 1024); every thread gets the result.
// `scratch` needs 32 floats of shared memory; it may be reused after the call returns.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < warps ? scratch[lane] : 0.f;
    return warp_sum(v);
}

__device__ __forceinline__ float block_max(float v, float* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < warps ? scratch[lane] : -INFINITY;
    return warp_max(v);
}

// ---- FP8 E4M3 (OCP "e4m3fn": bias 7, no infinities, 0x7F/0xFF are NaN, largest finite 448) ----
// Converted in software so that the same code compiles under NVRTC and runs on every architecture
// (the KV cache only stores bytes; no FP8 arithmetic is needed). The Java test reference
// (Fp8E4m3Reference) mirrors these two functions bit for bit.
__device__ __forceinline__ float fp8_e4m3_to_f32(uint8_t b) {
    unsigned int sign = (unsigned int)(b & 0x80) << 24;
    int exp = (b >> 3) & 0xF, man = b & 7;
    float mag = exp == 0 ? (float)man * 0.001953125f // subnormal: man * 2^-9
                         : __uint_as_float((unsigned int)(exp + 120) << 23 | (unsigned int)man << 20);
    return __uint_as_float(__float_as_uint(mag) | sign);
}

// Round to nearest even, saturating to +-448; NaN becomes 0 (a cache never needs to hold one).
__device__ __forceinline__ uint8_t f32_to_fp8_e4m3(float x) {
    unsigned int sign = (__float_as_uint(x) >> 24) & 0x80;
    float a = fabsf(x);
    if (!(a == a)) return 0;
    if (a >= 448.f) return (uint8_t)(sign | 0x7E);
    if (a < 0.015625f) { // below the smallest normal 2^-6: multiples of 2^-9; 8 * 2^-9 is the code 0x08 = 2^-6
        return (uint8_t)(sign | (unsigned int)__float2int_rn(a * 512.f));
    }
    unsigned int bits = __float_as_uint(a);
    bits += 0x7FFFFu + ((bits >> 20) & 1u); // round the 23-bit mantissa to 3 bits, ties to even
    unsigned int code = ((bits >> 23) - 120) << 3 | ((bits >> 20) & 7u);
    return (uint8_t)(sign | (code > 0x7E ? 0x7E : code));
}

// ---- KV cache codecs: how one element of a K or V head row is stored ----
// Element e of a layer's cache is (slot * numKvHeads + head) * headDim + d, the layout of KvStorage.
// KvNative<T>: the activation type itself. KvQ8: int8 with an f32 scale per 32 elements (scale e / 32),
// quantized like ggml's Q8_0 and like KvStorage on the CPU. KvFp8: e4m3 bytes with one f32 scale per
// (slot, KV head) row (scale e / headDim), scale = max|x| / 448.
template <typename T> struct KvNative {
    typedef T elem;
    static __device__ __forceinline__ float load(const T* d, const float*, size_t e, int) { return to_f32(d[e]); }
};
struct KvQ8 {
    typedef int8_t elem;
    static __device__ __forceinline__ float load(const int8_t* d, const float* s, size_t e, int) {
        return (float)d[e] * s[e >> 5];
    }
};
struct KvFp8 {
    typedef uint8_t elem;
    static __device__ __forceinline__ float load(const uint8_t* d, const float* s, size_t e, int headDim) {
        return fp8_e4m3_to_f32(d[e]) * s[e / (size_t)headDim];
    }
};

// One warp stores one head row (headDim values of src, T) at element `row` of the cache.
template <typename T>
__device__ __forceinline__ void kv_store_row(KvNative<T>, T* cache, float*, size_t row, const T* src, int headDim) {
    for (int d = threadIdx.x & 31; d < headDim; d += 32) cache[row + d] = src[d];
}

// Q8_0 as KvStorage.quantize: d = amax / 127, q = round-half-up(x * (1 / d)) clamped to [-127, 127].
template <typename T>
__device__ __forceinline__ void kv_store_row(KvQ8, int8_t* cache, float* scales, size_t row, const T* src, int headDim) {
    const int lane = threadIdx.x & 31;
    for (int g = 0; g < headDim; g += 32) {
        float x = to_f32(src[g + lane]);
        float d = warp_max(fabsf(x)) / 127.f;
        float id = d == 0.f ? 0.f : 1.f / d;
        int q = (int)floorf(x * id + 0.5f);
        cache[row + g + lane] = (int8_t)max(-127, min(127, q));
        if (lane == 0) scales[(row + g) >> 5] = d;
    }
}

template <typename T>
__device__ __forceinline__ void kv_store_row(KvFp8, uint8_t* cache, float* scales, size_t row, const T* src, int headDim) {
    const int lane = threadIdx.x & 31;
    float amax = 0.f;
    for (int d = lane; d < headDim; d += 32) amax = fmaxf(amax, fabsf(to_f32(src[d])));
    float s = warp_max(amax) / 448.f;
    float is = s == 0.f ? 0.f : 1.f / s;
    for (int d = lane; d < headDim; d += 32) cache[row + d] = f32_to_fp8_e4m3(to_f32(src[d]) * is);
    if (lane == 0) scales[row / (size_t)headDim] = s;
}

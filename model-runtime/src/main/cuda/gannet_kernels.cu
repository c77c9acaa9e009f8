// The one translation unit nvcc compiles into gannet_kernels.fatbin: every kernel file, so that the
// runtime loads a single module with cuModuleLoadData. Each included file also compiles on its own.
#include "norm.cu"
#include "rope.cu"
#include "elementwise.cu"
#include "attention_decode.cu"
#include "attention_prefill.cu"
#include "sampling.cu"
#include "gemv_quant.cu"

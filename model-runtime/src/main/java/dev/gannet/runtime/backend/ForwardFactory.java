package dev.gannet.runtime.backend;

import dev.gannet.cuda.CudaLibraryPaths;
import dev.gannet.cuda.CudaUnavailableException;
import dev.gannet.cuda.NativeCallException;
import dev.gannet.runtime.cuda.CudaBackend;
import dev.gannet.runtime.cuda.CudaOptions;
import dev.gannet.runtime.cuda.CudaProbe;
import dev.gannet.runtime.cuda.CudaTensorParallel;
import dev.gannet.runtime.cuda.CudaTuning;
import dev.gannet.runtime.model.CpuForward;
import dev.gannet.runtime.model.ForwardPass;
import dev.gannet.runtime.model.KvStorage;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelConfig;
import dev.gannet.runtime.parallel.ShardingPlan;
import dev.gannet.runtime.parallel.TensorParallelForward;

/**
 * The one place a compute stack is built: weights on the device, kernels, KV storage and, under tensor
 * parallelism, the ranks and their communicator, behind the one {@link dev.gannet.runtime.model.BatchForward}
 * contract the engine's runner calls. {@code serve}, {@code generate}, the tensor-parallel ranks' own stacks (via
 * {@link CpuForward}) and the tests all come through here, so a new device is one more case of the switch below
 * and a package of its own (docs/architecture.md lists the files).
 */
public final class ForwardFactory {
    private ForwardFactory() {}

    /**
     * Builds the stack for {@code o.device()}.
     *
     * @throws IllegalArgumentException when the options cannot work for this model (KV budget under two blocks, a
     *                                  tensor-parallel split that does not divide, no usable GPU, a model that does not
     *                                  fit the GPU), with one line saying why
     */
    public static ComputeStack create(Model model, ComputeOptions o) {
        checkAvailable(o.device(), o.tp(), o.cudaLibraries());
        return switch (o.device().kind()) {
            case CPU -> cpu(model, o);
            case CUDA -> cuda(model, o);
        };
    }

    /** {@link #checkAvailable(Device, int, CudaLibraryPaths)} for one rank, libraries through the system loader only. */
    public static void checkAvailable(Device device) {
        checkAvailable(device, 1, CudaLibraryPaths.none());
    }

    /**
     * Fails fast, before a model is loaded, when the device cannot be used here: for CUDA, no driver, no such GPU
     * (or not {@code tp} of them from its ordinal), a GPU older than Ampere, no cuBLAS (no NCCL for tp > 1).
     *
     * @throws IllegalArgumentException one line saying why (for a library, the names and places tried)
     */
    public static void checkAvailable(Device device, int tp, CudaLibraryPaths paths) {
        switch (device.kind()) {
            case CPU -> { }
            case CUDA -> {
                try {
                    CudaProbe.probe(device.ordinal(), tp, paths);
                } catch (CudaUnavailableException | NativeCallException e) {
                    throw new IllegalArgumentException("device " + device + ": " + e.getMessage() + "; use --device cpu", e);
                }
            }
        }
    }

    /** KV blocks a budget of {@code bytes} holds for this model (all ranks together), at least 2. */
    public static int kvBlocks(ModelConfig c, long bytes, int blockSize, KvStorage.Precision dtype) {
        long blockBytes = KvStorage.bytesFor(c, 1, blockSize, dtype);
        long blocks = bytes / blockBytes;
        if (blocks < 2) {
            throw new IllegalArgumentException("kv cache memory of " + bytes + " bytes holds fewer than 2 blocks of "
                    + blockBytes + " bytes for this model");
        }
        return (int) Math.min(blocks, Integer.MAX_VALUE / blockSize);
    }

    /**
     * The GPU stack: one {@link CudaBackend}, or a {@link CudaTensorParallel} of one rank per GPU. The KV cache takes
     * what {@code gpu_memory_utilization} leaves after the weights and step buffers; {@code kv_cache_dtype auto} is
     * the activation dtype. CUDA failures while building (out of memory at load included) become one line.
     */
    private static ComputeStack cuda(Model model, ComputeOptions o) {
        CudaOptions co = new CudaOptions(o.device().ordinal(), o.tp(), false, o.gpuMemoryUtilization(), o.kvDtype(), o.blockSize(),
                o.maxBatchTokens(), o.maxLogits(), CudaTuning.defaults(), o.cudaLibraries());
        try {
            if (o.tp() == 1) {
                CudaBackend b = CudaBackend.open(model, co);
                return new ComputeStack(b, b.numBlocks(), o.device(), 1, "none (tp=1); " + b.dtype().suffix() + " activations, KV "
                        + b.kvFormat().name().toLowerCase(java.util.Locale.ROOT), o.device().toString(), b.memory());
            }
            CudaTensorParallel tp = CudaTensorParallel.open(model, co);
            return new ComputeStack(tp, tp.numBlocks(), o.device(), o.tp(), tp.plan().describe() + " (NCCL)", o.device().toString(), tp.memory());
        } catch (CudaUnavailableException | NativeCallException e) {
            throw new IllegalArgumentException("device " + o.device() + ": " + e.getMessage(), e);
        }
    }

    private static ComputeStack cpu(Model model, ComputeOptions o) {
        ModelConfig c = model.config();
        KvStorage.Precision kvDtype = o.kvDtype() == KvStorage.Precision.AUTO ? KvStorage.Precision.F32 : o.kvDtype();
        KvStorage.checkSupported(kvDtype, c.headDim());
        int blocks = kvBlocks(c, o.kvCacheBytes(), o.blockSize(), kvDtype);
        int threads = o.resolvedThreads();
        if (o.tp() == 1) {
            CpuForward f = CpuForward.create(model, ForwardPass.Slice.whole(model), null, o.cpuCompute(), threads, blocks,
                    o.blockSize(), kvDtype, o.maxBatchTokens(), o.maxLogits());
            return new ComputeStack(f, blocks, Device.CPU, threads, "none (tp=1)", o.cpuCompute().describe());
        }
        ShardingPlan plan = ShardingPlan.forModel(model, o.tp()); // a split that does not divide fails here
        int all = Math.max(threads, o.tp());
        TensorParallelForward f = new TensorParallelForward(model, plan, o.cpuCompute(), all, blocks, o.blockSize(),
                o.maxBatchTokens(), o.maxLogits(), kvDtype);
        return new ComputeStack(f, blocks, Device.CPU, all, plan.describe(), o.cpuCompute().describe());
    }
}

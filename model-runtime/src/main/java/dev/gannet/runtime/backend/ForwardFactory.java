package dev.gannet.runtime.backend;

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
     *                                  tensor-parallel split that does not divide, a device not built), with one
     *                                  line saying why
     */
    public static ComputeStack create(Model model, ComputeOptions o) {
        checkAvailable(o.device());
        return switch (o.device().kind()) {
            case CPU -> cpu(model, o);
            case CUDA -> throw new IllegalStateException("unreachable: checkAvailable refused " + o.device());
        };
    }

    /**
     * Fails fast, before a model is loaded, when the device cannot be used here.
     *
     * @throws IllegalArgumentException one line saying why
     */
    public static void checkAvailable(Device device) {
        switch (device.kind()) {
            case CPU -> { }
            case CUDA -> throw new IllegalArgumentException("device " + device
                    + ": the CUDA backend is not built yet in this version; use --device cpu");
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

    private static ComputeStack cpu(Model model, ComputeOptions o) {
        ModelConfig c = model.config();
        KvStorage.checkSupported(o.kvDtype(), c.headDim());
        int blocks = kvBlocks(c, o.kvCacheBytes(), o.blockSize(), o.kvDtype());
        int threads = o.resolvedThreads();
        if (o.tp() == 1) {
            CpuForward f = CpuForward.create(model, ForwardPass.Slice.whole(model), null, o.cpuCompute(), threads, blocks,
                    o.blockSize(), o.kvDtype(), o.maxBatchTokens(), o.maxLogits());
            return new ComputeStack(f, blocks, Device.CPU, threads, "none (tp=1)");
        }
        ShardingPlan plan = ShardingPlan.forModel(model, o.tp()); // a split that does not divide fails here
        int all = Math.max(threads, o.tp());
        TensorParallelForward f = new TensorParallelForward(model, plan, o.cpuCompute(), all, blocks, o.blockSize(),
                o.maxBatchTokens(), o.maxLogits(), o.kvDtype());
        return new ComputeStack(f, blocks, Device.CPU, all, plan.describe());
    }
}

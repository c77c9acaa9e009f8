package dev.gannet.runtime;

import dev.gannet.runtime.backend.ComputeOptions;
import dev.gannet.runtime.backend.Device;
import dev.gannet.runtime.backend.ForwardFactory;
import dev.gannet.runtime.model.CpuCompute;
import dev.gannet.runtime.model.KvStorage;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.Session;

/** One-sequence sessions for tests, built by the one factory like every other compute stack. */
public final class TestStacks {
    private TestStacks() {}

    /** Room for min(context, 4096) tokens, prefill chunks of 256, 2 threads. */
    public static Session session(Model m, CpuCompute compute) {
        return session(m, compute, Math.min(m.config().contextLength(), Session.DEFAULT_MAX_CONTEXT), 256);
    }

    /** A session of {@code maxContext} tokens whose prefill goes in chunks of at most {@code chunk} tokens. */
    public static Session session(Model m, CpuCompute compute, int maxContext, int chunk) {
        long bytes = KvStorage.bytesFor(m.config(), Session.blocksFor(maxContext), Session.BLOCK_SIZE);
        var o = new ComputeOptions(Device.CPU, compute, 2, 1, bytes, KvStorage.Precision.F32, Session.BLOCK_SIZE,
                Math.min(chunk, maxContext), 1);
        return new Session(ForwardFactory.create(m, o).forward(), maxContext);
    }
}

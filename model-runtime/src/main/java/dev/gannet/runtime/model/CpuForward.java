package dev.gannet.runtime.model;

import dev.gannet.runtime.kernel.Kernels;

/**
 * The CPU compute stack of one forward pass, built and closed as a unit: kernels on {@code threads} threads,
 * attention on the same threads, the paged KV storage of the slice's KV heads, and the one {@link ForwardPass}
 * over them. The whole model (tensor parallelism of one) and each tensor-parallel rank are both one of these.
 * Not thread-safe: one thread calls {@link #forward}.
 */
public final class CpuForward implements BatchForward {
    private final Kernels kernels;
    private final Attention attention;
    private final KvStorage kv;       // (layers, numBlocks, blockSize, slice kvHeads, headDim)
    private final ForwardPass pass;

    private CpuForward(Kernels kernels, Attention attention, KvStorage kv, ForwardPass pass) {
        this.kernels = kernels;
        this.attention = attention;
        this.kv = kv;
        this.pass = pass;
    }

    /**
     * @param slice     the whole model ({@link ForwardPass.Slice#whole}) or one rank's shard
     * @param coll      the rank's collectives, or null for the whole model
     * @param numBlocks KV blocks (the engine's block ids); block 0 included
     * @param maxTokens most tokens of one batch (sizes the activation buffers)
     * @param maxLogits most logit rows of one batch
     */
    public static CpuForward create(Model model, ForwardPass.Slice slice, ForwardPass.Collectives coll, CpuCompute compute,
                                    int threads, int numBlocks, int blockSize, KvStorage.Precision kvPrecision,
                                    int maxTokens, int maxLogits) {
        ModelConfig c = model.config();
        KvStorage.checkSupported(kvPrecision, c.headDim());
        Kernels kern = null;
        Attention att = null;
        KvStorage kv = null;
        try { // nothing half-built may keep threads or native memory if a later part fails
            kern = compute.kernels(threads);
            att = compute.attention(kern, slice.heads(), slice.kvHeads(), c.headDim(), c.contextLength());
            kv = new KvStorage(c.numLayers(), numBlocks, blockSize, slice.kvHeads(), c.headDim(), kvPrecision);
            ForwardPass pass = new ForwardPass(model, slice, coll, kern, att, kv, maxTokens, maxLogits);
            return new CpuForward(kern, att, kv, pass);
        } catch (RuntimeException | Error e) {
            if (kv != null) kv.close();
            if (att != null) att.close();
            if (kern != null) kern.close();
            throw e;
        }
    }

    @Override
    public Model model() { return pass.model(); }

    @Override
    public int maxTokens() { return pass.maxTokens(); }

    @Override
    public int maxLogits() { return pass.maxLogits(); }

    /** This stack's KV storage (tests read it; the engine addresses it only through batches). */
    public KvStorage kv() { return kv; }

    public int threads() { return kernels.threads(); }

    @Override
    public float[] forward(ForwardBatch batch) {
        return pass.forward(batch);
    }

    /** Attention, kernels (their threads) and the KV storage, in that order. */
    @Override
    public void close() {
        try {
            pass.close();
            attention.close();
            kernels.close();
        } finally {
            kv.close();
        }
    }
}

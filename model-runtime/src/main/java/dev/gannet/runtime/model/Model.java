package dev.gannet.runtime.model;

import dev.gannet.runtime.gguf.GgufFile;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;

/**
 * A loaded decoder: its config and its weights, which are views of the mapped checkpoint or packed
 * copies of them ({@link WeightLayout}) and stay valid until {@link #close()}. Obtain one with {@link ModelLoader#load(Path)}; run it with a
 * {@link ForwardPass} (batched, for the engine) or a {@link Session} (one sequence).
 * Immutable and safe to share between threads.
 */
public final class Model implements AutoCloseable {
    private final Path source;
    private final ModelConfig config;
    private final WeightMatrix tokenEmbedding; // (vocab, dim)
    private final float[] outputNorm;          // (dim) f32
    private final WeightMatrix output;         // (vocab, dim); the token embedding itself when tied
    private final List<LayerWeights> layers;
    private final float[] ropeInvFreq;         // (rotaryDim / 2) scaled inverse frequencies
    private final TensorSource tensors;
    private final Arena packed;                // owns packed weight copies (or the mapped packed cache); null when every weight is mapped
    private final PackedCacheWriter cacheWriter; // writing the packed copy for the next start, or null
    private final boolean packedFromCache;     // the packed weights are the mapped cache file

    Model(Path source, ModelConfig config, WeightMatrix tokenEmbedding, float[] outputNorm, WeightMatrix output,
          List<LayerWeights> layers, float[] ropeInvFreq, TensorSource tensors, Arena packed, PackedCacheWriter cacheWriter,
          boolean packedFromCache) {
        if (layers.size() != config.numLayers()) throw new IllegalArgumentException(layers.size() + " layers, config says " + config.numLayers());
        if (ropeInvFreq.length != config.rotaryDim() / 2) throw new IllegalArgumentException("ropeInvFreq length " + ropeInvFreq.length);
        this.source = source;
        this.config = config;
        this.tokenEmbedding = tokenEmbedding;
        this.outputNorm = outputNorm;
        this.output = output;
        this.layers = List.copyOf(layers);
        this.ropeInvFreq = ropeInvFreq;
        this.tensors = tensors;
        this.packed = packed;
        this.cacheWriter = cacheWriter;
        this.packedFromCache = packedFromCache;
    }

    /**
     * How the packed weights came: "mapped from the packed cache", "packed; cache writing|written to FILE|not
     * written (why)", "packed", or "mapped" (weight_layout: mapped).
     */
    public String packedWeights() {
        if (packed == null) return "mapped";
        if (cacheWriter != null) return "packed; cache " + cacheWriter.outcome();
        return packedFromCache ? "mapped from the packed cache" : "packed";
    }

    /** Waits until the packed copy is on disk (tests and tools; serving never waits for it). */
    public void awaitPackedCache() throws InterruptedException {
        if (cacheWriter != null) cacheWriter.await();
    }

    /** The .gguf file or Hugging Face folder this model was loaded from. */
    public Path source() { return source; }

    public ModelConfig config() { return config; }

    /** (vocab, dim) */
    public WeightMatrix tokenEmbedding() { return tokenEmbedding; }

    /** (dim) f32; callers must not modify it. */
    public float[] outputNorm() { return outputNorm; }

    /** (vocab, dim): the LM head, or the token embedding with tied embeddings. */
    public WeightMatrix output() { return output; }

    public LayerWeights layer(int l) { return layers.get(l); }

    /** (rotaryDim / 2) RoPE inverse frequencies, rope scaling and any GGUF rope_freqs already applied; a copy. */
    public float[] ropeInvFreq() { return ropeInvFreq.clone(); }

    /** The open GGUF file (metadata for the tokenizer), or null for a Hugging Face folder. */
    public GgufFile gguf() {
        return tensors instanceof GgufTensorSource g ? g.gguf() : null;
    }

    /** Unmaps the checkpoint and frees packed weights; every weight view becomes invalid. */
    @Override
    public void close() {
        try {
            if (cacheWriter != null) cacheWriter.close();  // before the memory it writes from goes away
            tensors.close();
        } finally {
            if (packed != null) packed.close();
        }
    }

    @Override
    public String toString() {
        return "Model[" + source.getFileName() + ", " + config + "]";
    }
}

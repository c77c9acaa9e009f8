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
    private final Arena packed;                // owns packed weight copies; null when every weight is mapped

    Model(Path source, ModelConfig config, WeightMatrix tokenEmbedding, float[] outputNorm, WeightMatrix output,
          List<LayerWeights> layers, float[] ropeInvFreq, TensorSource tensors, Arena packed) {
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

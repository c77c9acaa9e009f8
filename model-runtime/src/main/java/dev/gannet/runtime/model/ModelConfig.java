package dev.gannet.runtime.model;

import dev.gannet.runtime.kernel.RopeTable;

/**
 * The hyper-parameters of one decoder checkpoint, read once from GGUF metadata or a Hugging Face
 * {@code config.json} by {@link ConfigParser}.
 *
 * @param format        which tensor names the checkpoint uses
 * @param headDim       per-head width of Q, K and V (usually dim / numHeads)
 * @param contextLength the longest sequence this model runs (for Mistral with a sliding window: the window,
 *                      so that full causal attention is exact)
 * @param ropeStyle     the RoPE pairing that matches the checkpoint's Q/K row layout
 * @param rotaryDim     leading dims of each head that RoPE rotates (usually headDim)
 * @param qkvBias       whether Q, K and V projections carry biases
 * @param tiedEmbeddings whether the LM head reuses the token embedding matrix
 */
public record ModelConfig(
        Architecture architecture,
        WeightNames format,
        int dim,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int ffnDim,
        int vocabSize,
        int contextLength,
        float rmsEps,
        RopeTable.Style ropeStyle,
        int rotaryDim,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean qkvBias,
        boolean tiedEmbeddings) {

    public ModelConfig {
        positive("dim", dim);
        positive("numLayers", numLayers);
        positive("numHeads", numHeads);
        positive("numKvHeads", numKvHeads);
        positive("headDim", headDim);
        positive("ffnDim", ffnDim);
        positive("vocabSize", vocabSize);
        positive("contextLength", contextLength);
        if ((long) numHeads * headDim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("numHeads " + numHeads + " x headDim " + headDim + " does not fit an int");
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("numHeads " + numHeads + " is not a multiple of numKvHeads " + numKvHeads);
        }
        if (rotaryDim <= 0 || rotaryDim > headDim || rotaryDim % 2 != 0) {
            throw new IllegalArgumentException("rotaryDim " + rotaryDim + " must be even and in (0, headDim " + headDim + "]");
        }
        if (!(rmsEps > 0)) throw new IllegalArgumentException("rmsEps " + rmsEps);
        if (!(ropeTheta > 0)) throw new IllegalArgumentException("ropeTheta " + ropeTheta);
        if (architecture == null || format == null || ropeStyle == null || ropeScaling == null) {
            throw new IllegalArgumentException("architecture, format, ropeStyle and ropeScaling are required");
        }
    }

    /** Width of all query heads together: numHeads * headDim. */
    public int qDim() { return numHeads * headDim; }

    /** Width of all key (or value) heads together: numKvHeads * headDim. */
    public int kvDim() { return numKvHeads * headDim; }

    /** RoPE inverse frequencies (rotaryDim / 2) with the configured scaling applied. */
    public float[] ropeInvFreq() {
        return ropeScaling.apply(RopeTable.invFreq(rotaryDim, ropeTheta));
    }

    private static void positive(String name, int v) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be positive, got " + v);
    }
}

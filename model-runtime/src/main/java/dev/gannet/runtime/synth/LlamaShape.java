package dev.gannet.runtime.synth;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The Llama shapes {@code gannet model synth} can write. {@code vocabSize} 0 means "whatever the
 * vocabulary has" (the tiny shape). Llama 3.2 ties its output projection to the embedding and
 * stretches RoPE with the llama3 scheme, as the real checkpoint does.
 */
public enum LlamaShape {
    TINY("tiny", 256, 4, 8, 2, 768, 512, 0, 10000f, false, false),
    TINYLLAMA_1_1B("tinyllama-1.1b", 2048, 22, 32, 4, 5632, 2048, 32000, 10000f, false, false),
    LLAMA_3_2_1B("llama-3.2-1b", 2048, 16, 32, 8, 8192, 131072, 128256, 500000f, true, true),
    LLAMA_3_8B("llama-3-8b", 4096, 32, 32, 8, 14336, 8192, 128256, 500000f, false, false);

    /** Llama 3.1/3.2 RoPE scaling: factor, low and high frequency factors, original context. */
    static final double LLAMA3_FACTOR = 32, LLAMA3_LOW = 1, LLAMA3_HIGH = 4;
    static final int LLAMA3_ORIGINAL_CONTEXT = 8192;

    public final String id;
    public final int dim, layers, heads, kvHeads, ffn, context, vocabSize;
    public final float ropeTheta;
    public final boolean tiedEmbeddings, llama3RopeScaling;

    LlamaShape(String id, int dim, int layers, int heads, int kvHeads, int ffn, int context, int vocabSize,
               float ropeTheta, boolean tiedEmbeddings, boolean llama3RopeScaling) {
        this.id = id;
        this.dim = dim;
        this.layers = layers;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.ffn = ffn;
        this.context = context;
        this.vocabSize = vocabSize;
        this.ropeTheta = ropeTheta;
        this.tiedEmbeddings = tiedEmbeddings;
        this.llama3RopeScaling = llama3RopeScaling;
    }

    public int headDim() { return dim / heads; }

    public static LlamaShape byId(String id) {
        for (LlamaShape s : values()) if (s.id.equals(id)) return s;
        throw new IllegalArgumentException("unknown shape '" + id + "' (one of: "
                + Arrays.stream(values()).map(s -> s.id).collect(Collectors.joining(", ")) + ")");
    }

    /**
     * llama.cpp's {@code rope_freqs.weight} for the llama3 scheme: per rotary pair, the factor that
     * the frequency is divided by (1 for short wavelengths, {@code factor} for long, smooth between).
     */
    float[] llama3RopeFactors() {
        int half = headDim() / 2;
        float[] f = new float[half];
        double lowWavelen = LLAMA3_ORIGINAL_CONTEXT / LLAMA3_LOW, highWavelen = LLAMA3_ORIGINAL_CONTEXT / LLAMA3_HIGH;
        for (int i = 0; i < half; i++) {
            double freq = 1.0 / Math.pow(ropeTheta, (2.0 * i) / headDim());
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highWavelen) f[i] = 1;
            else if (wavelen > lowWavelen) f[i] = (float) LLAMA3_FACTOR;
            else {
                double smooth = (LLAMA3_ORIGINAL_CONTEXT / wavelen - LLAMA3_LOW) / (LLAMA3_HIGH - LLAMA3_LOW);
                f[i] = (float) (1 / ((1 - smooth) / LLAMA3_FACTOR + smooth));
            }
        }
        return f;
    }
}

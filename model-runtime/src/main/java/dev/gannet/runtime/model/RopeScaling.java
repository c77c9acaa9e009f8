package dev.gannet.runtime.model;

/**
 * How a checkpoint stretches RoPE beyond its training context. NONE leaves the frequencies alone;
 * LINEAR divides every frequency by {@code factor}; LLAMA3 is Llama 3.1/3.2's scheme: low frequencies
 * (wavelength above originalMaxPositions / lowFreqFactor) divided by {@code factor}, high ones kept,
 * and the band between interpolated smoothly.
 */
public record RopeScaling(Kind kind, double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {
    public enum Kind { NONE, LINEAR, LLAMA3 }

    public static final RopeScaling NONE = new RopeScaling(Kind.NONE, 1, 0, 0, 0);

    public RopeScaling {
        // written as !(x > y) so that NaN, which a GGUF float can hold, is refused too
        if (!(factor > 0) || Double.isInfinite(factor)) throw new IllegalArgumentException("rope scaling factor " + factor);
        if (kind == Kind.LLAMA3 && (originalMaxPositions <= 0 || !(highFreqFactor > lowFreqFactor) || !(lowFreqFactor > 0))) {
            throw new IllegalArgumentException("llama3 rope scaling needs original_max_position_embeddings > 0 and "
                    + "high_freq_factor > low_freq_factor > 0, got " + this);
        }
    }

    /** Applies the scaling to plain inverse frequencies, in place; returns them. */
    public float[] apply(float[] invFreq) {
        switch (kind) {
            case NONE -> { }
            case LINEAR -> {
                for (int i = 0; i < invFreq.length; i++) invFreq[i] = (float) (invFreq[i] / factor);
            }
            case LLAMA3 -> {
                double lowWavelen = originalMaxPositions / lowFreqFactor;
                double highWavelen = originalMaxPositions / highFreqFactor;
                for (int i = 0; i < invFreq.length; i++) {
                    double f = invFreq[i];
                    double wavelen = 2 * Math.PI / f;
                    if (wavelen > lowWavelen) {
                        f = f / factor;
                    } else if (wavelen >= highWavelen) {
                        double smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                        f = (1 - smooth) * f / factor + smooth * f;
                    }
                    invFreq[i] = (float) f;
                }
            }
        }
        return invFreq;
    }
}

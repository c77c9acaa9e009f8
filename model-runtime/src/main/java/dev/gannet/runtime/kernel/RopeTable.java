package dev.gannet.runtime.kernel;

/**
 * Precomputed rotary embedding angles. {@code cos} and {@code sin} are (maxPositions, rotaryDim / 2):
 * entry [p, i] is the angle p * invFreq[i] for pair i. NORMAL rotates adjacent pairs (2i, 2i+1), as
 * GGUF Llama weights expect; NEOX rotates (i, i + rotaryDim/2), as Qwen2 and Hugging Face Llama
 * checkpoints (rotate-half layout) expect.
 */
public record RopeTable(Style style, int rotaryDim, int maxPositions, float[] cos, float[] sin) {
    public enum Style { NORMAL, NEOX }

    public RopeTable {
        if (rotaryDim <= 0 || rotaryDim % 2 != 0) throw new IllegalArgumentException("rotaryDim " + rotaryDim);
        int n = maxPositions * (rotaryDim / 2);
        if (cos.length != n || sin.length != n) throw new IllegalArgumentException("tables must hold " + n + " values");
    }

    /** Builds the table from per-pair inverse frequencies (length rotaryDim / 2), e.g. after rope scaling. */
    public static RopeTable of(Style style, float[] invFreq, int maxPositions) {
        int half = invFreq.length;
        float[] cos = new float[maxPositions * half];
        float[] sin = new float[maxPositions * half];
        for (int p = 0; p < maxPositions; p++) {
            for (int i = 0; i < half; i++) {
                double a = (double) p * invFreq[i];
                cos[p * half + i] = (float) Math.cos(a);
                sin[p * half + i] = (float) Math.sin(a);
            }
        }
        return new RopeTable(style, half * 2, maxPositions, cos, sin);
    }

    /** Plain RoPE frequencies: theta^(-2i/rotaryDim). */
    public static float[] invFreq(int rotaryDim, double theta) {
        float[] f = new float[rotaryDim / 2];
        for (int i = 0; i < f.length; i++) f[i] = (float) (1.0 / Math.pow(theta, (2.0 * i) / rotaryDim));
        return f;
    }
}

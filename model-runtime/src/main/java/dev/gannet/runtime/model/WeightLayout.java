package dev.gannet.runtime.model;

/**
 * How a loaded model holds its weight matrices in memory (config key {@code weight_layout}).
 */
public enum WeightLayout {
    /**
     * Q8_0 and Q4_0 matrices copied once, at load, into the packed layout
     * ({@link dev.gannet.runtime.tensor.Packing}): the same values, read faster by the CPU kernels.
     * Costs the packed matrices' size in anonymous memory; the default.
     */
    PACKED,
    /** Every matrix a view of the mapped file: nothing copied, slower Q8_0/Q4_0 decode. */
    MAPPED;

    /** Parses a config value ({@code packed} or {@code mapped}, any case). */
    public static WeightLayout parse(String s) {
        for (WeightLayout l : values()) {
            if (l.name().equalsIgnoreCase(s)) return l;
        }
        throw new IllegalArgumentException("weight layout must be packed or mapped, got '" + s + "'");
    }
}

package dev.gannet.runtime.safetensors;

import dev.gannet.runtime.tensor.GgmlType;

/**
 * Element types a safetensors header may name. Only F32, F16 and BF16 map to a {@link GgmlType} Gannet
 * computes with; the others are recognised so that the error says "unsupported", not "unknown".
 */
public enum Dtype {
    F32(4, GgmlType.F32),
    F16(2, GgmlType.F16),
    BF16(2, GgmlType.BF16),
    F64(8, null),
    I64(8, null),
    I32(4, null),
    I16(2, null),
    I8(1, null),
    U8(1, null),
    BOOL(1, null),
    F8_E4M3(1, null),
    F8_E5M2(1, null);

    private final int bytes;
    private final GgmlType ggmlType;

    Dtype(int bytes, GgmlType ggmlType) {
        this.bytes = bytes;
        this.ggmlType = ggmlType;
    }

    /** Bytes per element. */
    public int bytes() { return bytes; }

    /** The matching weight type, or null when Gannet cannot compute with this dtype. */
    public GgmlType ggmlType() { return ggmlType; }

    /** The dtype named {@code name} in a header, or null when the name is unknown. */
    public static Dtype byName(String name) {
        for (Dtype d : values()) {
            if (d.name().equals(name)) return d;
        }
        return null;
    }
}

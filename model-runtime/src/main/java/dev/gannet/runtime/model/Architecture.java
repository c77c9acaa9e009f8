package dev.gannet.runtime.model;

import dev.gannet.runtime.kernel.RopeTable;
import java.util.Arrays;

/**
 * The decoder architectures Gannet runs. They share one forward pass (pre-norm RMSNorm, GQA attention
 * with RoPE, SwiGLU FFN); an architecture only says what differs: Q/K/V biases and which RoPE pairing
 * each file format's Q/K rows expect. GGUF Llama/Mistral Q/K rows were permuted at conversion time
 * for adjacent-pair (NORMAL) RoPE; Hugging Face Llama/Mistral keep the rotate-half layout (NEOX).
 * Qwen2 is rotate-half in both formats, since llama.cpp does not permute it.
 */
public enum Architecture {
    LLAMA("llama", false, RopeTable.Style.NORMAL, RopeTable.Style.NEOX),
    MISTRAL("mistral", false, RopeTable.Style.NORMAL, RopeTable.Style.NEOX),
    QWEN2("qwen2", true, RopeTable.Style.NEOX, RopeTable.Style.NEOX);

    private final String id;
    private final boolean qkvBias;
    private final RopeTable.Style ggufRope;
    private final RopeTable.Style hfRope;

    Architecture(String id, boolean qkvBias, RopeTable.Style ggufRope, RopeTable.Style hfRope) {
        this.id = id;
        this.qkvBias = qkvBias;
        this.ggufRope = ggufRope;
        this.hfRope = hfRope;
    }

    /** The name GGUF {@code general.architecture} and HF {@code model_type} use. */
    public String id() { return id; }

    /** Whether Q, K and V projections always carry biases (Qwen2). */
    public boolean qkvBias() { return qkvBias; }

    /** The RoPE pairing that matches the Q/K row layout of the given format. */
    public RopeTable.Style ropeStyle(WeightNames format) {
        return switch (format) {
            case GGUF -> ggufRope;
            case HUGGING_FACE -> hfRope;
        };
    }

    /** The architecture named {@code id}, or an error listing the supported ones. */
    public static Architecture byId(String id, String where) {
        for (Architecture a : values()) {
            if (a.id.equals(id)) return a;
        }
        throw new IllegalArgumentException(where + ": unsupported architecture '" + id + "' (supported: "
                + Arrays.stream(values()).map(Architecture::id).toList() + ")");
    }
}

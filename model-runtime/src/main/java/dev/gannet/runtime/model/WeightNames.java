package dev.gannet.runtime.model;

/**
 * Tensor names of the two checkpoint formats, for every architecture (they differ only in which
 * tensors exist, not in how they are named).
 */
public enum WeightNames {
    GGUF,
    HUGGING_FACE;

    /** (vocab, dim) */
    public String tokenEmbedding() {
        return switch (this) { case GGUF -> "token_embd.weight"; case HUGGING_FACE -> "model.embed_tokens.weight"; };
    }

    /** (dim) */
    public String outputNorm() {
        return switch (this) { case GGUF -> "output_norm.weight"; case HUGGING_FACE -> "model.norm.weight"; };
    }

    /** (vocab, dim); absent with tied embeddings. */
    public String output() {
        return switch (this) { case GGUF -> "output.weight"; case HUGGING_FACE -> "lm_head.weight"; };
    }

    /** (rotaryDim / 2) Llama 3 frequency divisors; GGUF only. */
    public String ropeFreqs() {
        return switch (this) { case GGUF -> "rope_freqs.weight"; case HUGGING_FACE -> null; };
    }

    public String attnNorm(int l) { return layer(l, "attn_norm.weight", "input_layernorm.weight"); }

    public String wq(int l) { return layer(l, "attn_q.weight", "self_attn.q_proj.weight"); }

    public String wk(int l) { return layer(l, "attn_k.weight", "self_attn.k_proj.weight"); }

    public String wv(int l) { return layer(l, "attn_v.weight", "self_attn.v_proj.weight"); }

    public String wo(int l) { return layer(l, "attn_output.weight", "self_attn.o_proj.weight"); }

    public String bq(int l) { return layer(l, "attn_q.bias", "self_attn.q_proj.bias"); }

    public String bk(int l) { return layer(l, "attn_k.bias", "self_attn.k_proj.bias"); }

    public String bv(int l) { return layer(l, "attn_v.bias", "self_attn.v_proj.bias"); }

    public String ffnNorm(int l) { return layer(l, "ffn_norm.weight", "post_attention_layernorm.weight"); }

    public String gate(int l) { return layer(l, "ffn_gate.weight", "mlp.gate_proj.weight"); }

    public String up(int l) { return layer(l, "ffn_up.weight", "mlp.up_proj.weight"); }

    public String down(int l) { return layer(l, "ffn_down.weight", "mlp.down_proj.weight"); }

    private String layer(int l, String gguf, String hf) {
        return switch (this) {
            case GGUF -> "blk." + l + "." + gguf;
            case HUGGING_FACE -> "model.layers." + l + "." + hf;
        };
    }
}

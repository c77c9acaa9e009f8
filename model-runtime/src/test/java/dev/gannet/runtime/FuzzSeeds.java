package dev.gannet.runtime;

import dev.gannet.runtime.gguf.GgufFile;
import dev.gannet.runtime.gguf.GgufWriter;
import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tensor.Quantizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Seeds for the loader fuzz targets: small files derived from the shared real models (so mutation
 * starts from real structure without megabytes of weights to wade through) and tiny complete models
 * that load, so the fuzzer reaches the shape checks. Run {@link #main} to rewrite the binary seeds
 * committed under {@code src/test/resources} (the JSON ones are written by hand).
 */
public final class FuzzSeeds {
    private FuzzSeeds() {}

    /** A real GGUF's metadata (tokenizer included) without its tensors, the vocabulary cut to {@code maxTokens}. */
    public static byte[] vocabOnly(String sharedName, int maxTokens) {
        try (GgufFile g = GgufFile.open(TestModels.path(sharedName))) {
            GgufWriter w = new GgufWriter();
            List<String> tokens = g.getStringArray("tokenizer.ggml.tokens");
            int n = Math.min(maxTokens, tokens.size());
            Set<String> kept = new HashSet<>(tokens.subList(0, n));
            for (Map.Entry<String, Object> e : g.metadata().entrySet()) {
                Object v = e.getValue();
                switch (e.getKey()) {
                    case "tokenizer.ggml.tokens" -> v = tokens.subList(0, n);
                    case "tokenizer.ggml.scores" -> v = java.util.Arrays.copyOf((float[]) v, n);
                    case "tokenizer.ggml.token_type" -> v = java.util.Arrays.copyOf((int[]) v, n);
                    case "tokenizer.ggml.merges" -> v = keptMerges(g.getStringArray("tokenizer.ggml.merges"), kept);
                    default -> { }
                }
                w.put(e.getKey(), v);
            }
            return bytes(w);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> keptMerges(List<String> merges, Set<String> kept) {
        List<String> out = new ArrayList<>();
        for (String m : merges) {
            int sp = m.indexOf(' ', 1);
            if (sp > 0 && kept.contains(m.substring(0, sp)) && kept.contains(m.substring(sp + 1))
                    && kept.contains(m.substring(0, sp) + m.substring(sp + 1))) out.add(m);
        }
        return out;
    }

    /**
     * A complete tiny Llama (dim 32, 1 layer, 2 heads, 1 KV head, ffn 32, 8 tokens) whose matrices
     * use every type the packer and kernels read: Q8_0, Q4_0, F16, BF16, F32. With {@code qwen2}, a
     * Qwen2 instead: Q/K/V biases, tied embeddings (no output.weight), a gpt2 tokenizer.
     */
    public static byte[] tinyModel(boolean qwen2) {
        int dim = 32, ffn = 32, vocab = 8, kvDim = 16;
        String arch = qwen2 ? "qwen2" : "llama";
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", arch).putU32(arch + ".embedding_length", dim).putU32(arch + ".block_count", 1)
                .putU32(arch + ".attention.head_count", 2).putU32(arch + ".attention.head_count_kv", 1)
                .putU32(arch + ".feed_forward_length", ffn).putU32(arch + ".context_length", 64)
                .putF32(arch + ".attention.layer_norm_rms_epsilon", 1e-5f).putF32(arch + ".rope.freq_base", 10000f);
        List<String> tokens = qwen2 ? List.of("a", "b", "c", "ab", "abc", " ", "<|im_start|>", "<|endoftext|>")
                : List.of("<unk>", "<s>", "</s>", "\u2581", "a", "b", "\u2581a", "<0x41>");
        w.putString("tokenizer.ggml.model", qwen2 ? "gpt2" : "llama").putArray("tokenizer.ggml.tokens", GgufWriter.ValueType.STRING, tokens);
        if (qwen2) {
            w.putString("tokenizer.ggml.pre", "qwen2").putArray("tokenizer.ggml.merges", GgufWriter.ValueType.STRING, List.of("a b", "ab c"))
                    .putU32("tokenizer.ggml.eos_token_id", 7).putString("tokenizer.chat_template", "{{ messages[0]['content'] }}");
        } else {
            w.putArray("tokenizer.ggml.token_type", GgufWriter.ValueType.INT32, new int[] {2, 3, 3, 1, 1, 1, 1, 6});
        }
        Random rnd = new Random(7);
        tensor(w, rnd, "token_embd.weight", GgmlType.F16, dim, vocab);
        tensor(w, rnd, "output_norm.weight", GgmlType.F32, dim);
        if (!qwen2) tensor(w, rnd, "output.weight", GgmlType.Q8_0, dim, vocab);
        tensor(w, rnd, "blk.0.attn_norm.weight", GgmlType.F32, dim);
        tensor(w, rnd, "blk.0.attn_q.weight", GgmlType.Q8_0, dim, dim);
        tensor(w, rnd, "blk.0.attn_k.weight", GgmlType.Q4_0, dim, kvDim);
        tensor(w, rnd, "blk.0.attn_v.weight", GgmlType.F32, dim, kvDim);
        tensor(w, rnd, "blk.0.attn_output.weight", GgmlType.BF16, dim, dim);
        if (qwen2) {
            tensor(w, rnd, "blk.0.attn_q.bias", GgmlType.F32, dim);
            tensor(w, rnd, "blk.0.attn_k.bias", GgmlType.F16, kvDim);
            tensor(w, rnd, "blk.0.attn_v.bias", GgmlType.BF16, kvDim);
        }
        tensor(w, rnd, "blk.0.ffn_norm.weight", GgmlType.F32, dim);
        tensor(w, rnd, "blk.0.ffn_gate.weight", GgmlType.Q4_0, dim, ffn);
        tensor(w, rnd, "blk.0.ffn_up.weight", GgmlType.F16, dim, ffn);
        tensor(w, rnd, "blk.0.ffn_down.weight", GgmlType.Q8_0, ffn, dim);
        return bytes(w);
    }

    /** A tensor of random values; {@code shape} in ggml order (innermost first). */
    private static void tensor(GgufWriter w, Random rnd, String name, GgmlType type, long... shape) {
        int n = 1;
        for (long d : shape) n *= (int) d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian() * 0.2f;
        byte[] out = new byte[(int) type.bytesFor(n)];
        Quantizer.quantizeRow(type, v, 0, n, out, 0);
        w.addTensor(name, type, shape, sink -> sink.write(out, 0, out.length));
    }

    /** A safetensors file: the header JSON, then the data. */
    public static byte[] safetensors(String headerJson, byte[] data) {
        byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.writeBytes(h);
        out.writeBytes(data);
        return out.toByteArray();
    }

    /** A complete tiny Hugging Face Llama checkpoint in F32: config.json and model.safetensors (dim 32, 1 layer, 8 tokens). */
    public static Map<String, byte[]> tinyHuggingFace() {
        String config = "{\"model_type\":\"llama\",\"hidden_size\":32,\"intermediate_size\":32,\"num_attention_heads\":2,"
                + "\"num_key_value_heads\":1,\"num_hidden_layers\":1,\"max_position_embeddings\":64,\"rms_norm_eps\":1e-5,"
                + "\"rope_theta\":10000.0,\"vocab_size\":8,\"tie_word_embeddings\":false,"
                + "\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8.0,\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,"
                + "\"original_max_position_embeddings\":32}}";
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("model.embed_tokens.weight", new long[] {8, 32});
        shapes.put("model.norm.weight", new long[] {32});
        shapes.put("lm_head.weight", new long[] {8, 32});
        String l = "model.layers.0.";
        shapes.put(l + "input_layernorm.weight", new long[] {32});
        shapes.put(l + "self_attn.q_proj.weight", new long[] {32, 32});
        shapes.put(l + "self_attn.k_proj.weight", new long[] {16, 32});
        shapes.put(l + "self_attn.v_proj.weight", new long[] {16, 32});
        shapes.put(l + "self_attn.o_proj.weight", new long[] {32, 32});
        shapes.put(l + "post_attention_layernorm.weight", new long[] {32});
        shapes.put(l + "mlp.gate_proj.weight", new long[] {32, 32});
        shapes.put(l + "mlp.up_proj.weight", new long[] {32, 32});
        shapes.put(l + "mlp.down_proj.weight", new long[] {32, 32});
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        Random rnd = new Random(11);
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            int n = 1;
            for (long d : e.getValue()) n *= (int) d;
            long begin = data.size();
            ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) b.putFloat((float) rnd.nextGaussian() * 0.2f);
            data.writeBytes(b.array());
            header.append(",\"").append(e.getKey()).append("\":{\"dtype\":\"F32\",\"shape\":").append(java.util.Arrays.toString(e.getValue()))
                    .append(",\"data_offsets\":[").append(begin).append(',').append(data.size()).append("]}");
        }
        header.append('}');
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("config.json", config.getBytes(StandardCharsets.UTF_8));
        files.put("model.safetensors", safetensors(header.toString(), data.toByteArray()));
        return files;
    }

    /**
     * The Hugging Face model target's input format: a 2-byte little-endian length, that many bytes
     * of config.json, then model.safetensors.
     */
    public static byte[] packFolder(byte[] config, byte[] safetensors) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(config.length & 0xff);
        out.write(config.length >>> 8);
        out.writeBytes(config);
        out.writeBytes(safetensors);
        return out.toByteArray();
    }

    private static byte[] bytes(GgufWriter w) {
        try {
            Path tmp = Files.createTempFile("gannet-seed-", ".gguf");
            try {
                w.write(tmp);
                return Files.readAllBytes(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites the committed binary seeds; run from model-runtime/ (the resources path is relative). */
    public static void main(String[] args) throws IOException {
        Path res = Path.of("src/test/resources/dev/gannet/runtime");
        write(res.resolve("gguf/GgufFileFuzzTestInputs/open/seed-tiny-llama.gguf"), tinyModel(false));
        write(res.resolve("model/GgufModelFuzzTestInputs/load/seed-tiny-llama.gguf"), tinyModel(false));
        write(res.resolve("model/GgufModelFuzzTestInputs/load/seed-tiny-qwen2.gguf"), tinyModel(true));
        write(res.resolve("tokenizer/GgufTokenizerFuzzTestInputs/load/seed-tiny-qwen2.gguf"), tinyModel(true));
        Map<String, byte[]> hf = tinyHuggingFace();
        write(res.resolve("model/HuggingFaceModelFuzzTestInputs/load/seed-tiny-llama-hf"), packFolder(hf.get("config.json"), hf.get("model.safetensors")));
        write(res.resolve("safetensors/SafetensorsFuzzTestInputs/open/seed-tiny-llama.safetensors"), hf.get("model.safetensors"));
    }

    private static void write(Path p, byte[] b) throws IOException {
        Files.createDirectories(p.getParent());
        Files.write(p, b);
    }
}

package dev.gannet.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gannet.runtime.gguf.GgufFile;
import dev.gannet.runtime.gguf.GgufTensorInfo;
import dev.gannet.runtime.safetensors.SafetensorsCheckpoint;
import dev.gannet.runtime.safetensors.SafetensorsTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Reads a model's description from its headers only (no weights are touched). */
public final class ModelInspector {
    private ModelInspector() {}

    /** A {@code .gguf} file or a Hugging Face folder ({@code config.json} + safetensors). */
    public static ModelSummary inspect(Path path) throws IOException {
        if (Files.isDirectory(path)) return huggingFace(path);
        if (!Files.isRegularFile(path)) throw new IOException(path + ": no such file or folder");
        return gguf(path);
    }

    static ModelSummary gguf(Path path) throws IOException {
        try (GgufFile g = GgufFile.open(path)) {
            String arch = g.getString("general.architecture", "?");
            String p = arch + ".";
            int dim = g.getInt(p + "embedding_length", 0);
            int heads = g.getInt(p + "attention.head_count", 0);
            int vocab = g.getInt(p + "vocab_size", g.has("tokenizer.ggml.tokens") ? g.getStringArray("tokenizer.ggml.tokens").size() : 0);
            int headDim = g.getInt(p + "attention.key_length", heads > 0 ? dim / heads : 0);
            Map<String, ModelSummary.TypeCount> types = new TreeMap<>();
            long params = 0;
            for (GgufTensorInfo t : g.tensors().values()) {
                types.merge(t.type().name(), new ModelSummary.TypeCount(1, t.data().byteSize()),
                        (a, b) -> new ModelSummary.TypeCount(a.tensors() + b.tensors(), a.bytes() + b.bytes()));
                params += t.elementCount();
            }
            String tok = g.getString("tokenizer.ggml.model", "none");
            if (g.has("tokenizer.ggml.pre")) tok += " (pre " + g.getString("tokenizer.ggml.pre") + ")";
            return new ModelSummary("gguf v" + g.version(), arch, g.getString("general.name", null),
                    dim, g.getInt(p + "block_count", 0), heads, g.getInt(p + "attention.head_count_kv", heads), headDim,
                    g.getInt(p + "feed_forward_length", 0), vocab, g.getInt(p + "context_length", 0),
                    g.getFloat(p + "rope.freq_base", 0), params, types, tok, g.has("tokenizer.chat_template"), Files.size(path));
        }
    }

    static ModelSummary huggingFace(Path dir) throws IOException {
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) throw new IOException(dir + ": no config.json (not a Hugging Face model folder)");
        ObjectMapper json = new ObjectMapper();
        JsonNode c = read(json, configFile);
        int dim = c.path("hidden_size").asInt(0);
        int heads = c.path("num_attention_heads").asInt(0);
        Map<String, ModelSummary.TypeCount> types = new TreeMap<>();
        long params = 0;
        try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(dir)) {
            for (SafetensorsTensor t : ck.tensors().values()) {
                types.merge(t.dtype().name(), new ModelSummary.TypeCount(1, t.data().byteSize()),
                        (a, b) -> new ModelSummary.TypeCount(a.tensors() + b.tensors(), a.bytes() + b.bytes()));
                params += t.elementCount();
            }
        }
        String tok = "none";
        Path tj = dir.resolve("tokenizer.json");
        if (Files.isRegularFile(tj)) tok = read(json, tj).path("model").path("type").asText("?");
        boolean template = false;
        Path tc = dir.resolve("tokenizer_config.json");
        if (Files.isRegularFile(tc)) template = read(json, tc).hasNonNull("chat_template");
        if (!template) template = Files.exists(dir.resolve("chat_template.jinja")) || Files.exists(dir.resolve("chat_template.json"));
        long size;
        try (Stream<Path> files = Files.list(dir)) {
            size = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
        String name = dir.toAbsolutePath().normalize().getFileName().toString();
        return new ModelSummary("hugging face", c.path("model_type").asText("?"), name,
                dim, c.path("num_hidden_layers").asInt(0), heads, c.path("num_key_value_heads").asInt(heads),
                c.path("head_dim").asInt(heads > 0 ? dim / heads : 0), c.path("intermediate_size").asInt(0),
                c.path("vocab_size").asInt(0), c.path("max_position_embeddings").asInt(0),
                c.path("rope_theta").asDouble(0), params, types, tok, template, size);
    }

    private static JsonNode read(ObjectMapper json, Path f) throws IOException {
        try {
            return json.readTree(f.toFile());
        } catch (IOException e) {
            throw new IOException(f + ": cannot parse JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
    }
}

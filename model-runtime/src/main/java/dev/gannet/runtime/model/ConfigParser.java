package dev.gannet.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gannet.runtime.gguf.GgufException;
import dev.gannet.runtime.gguf.GgufFile;
import java.io.IOException;
import java.nio.file.Path;

/** Reads a {@link ModelConfig} from GGUF metadata ({@code <arch>.*} keys) or a Hugging Face {@code config.json}. */
final class ConfigParser {
    private ConfigParser() {}

    static ModelConfig fromGguf(GgufFile g) throws IOException {
        Path path = g.path();
        Architecture arch;
        try {
            arch = Architecture.byId(g.getString("general.architecture"), path + ": general.architecture");
        } catch (IllegalArgumentException e) {
            throw new GgufException(path, e.getMessage());
        }
        String p = arch.id() + ".";
        int dim = g.getInt(p + "embedding_length");
        int heads = g.getInt(p + "attention.head_count");
        if (heads <= 0) throw new GgufException(path, p + "attention.head_count is " + heads);
        int headDim = g.getInt(p + "attention.key_length", dim / heads);
        int valueDim = g.getInt(p + "attention.value_length", headDim);
        if (valueDim != headDim) {
            throw new GgufException(path, p + "attention.value_length " + valueDim + " differs from key_length " + headDim + " (unsupported)");
        }
        WeightNames names = WeightNames.GGUF;
        int vocab = g.has(p + "vocab_size") ? g.getInt(p + "vocab_size") : embeddingRows(g, names.tokenEmbedding());
        try {
            return new ModelConfig(arch, names, dim, g.getInt(p + "block_count"), heads,
                    g.getInt(p + "attention.head_count_kv", heads), headDim, g.getInt(p + "feed_forward_length"), vocab,
                    g.getInt(p + "context_length"), g.getFloat(p + "attention.layer_norm_rms_epsilon"),
                    arch.ropeStyle(names), g.getInt(p + "rope.dimension_count", headDim),
                    g.getFloat(p + "rope.freq_base", 10000f), ggufScaling(g, p),
                    arch.qkvBias() || g.tensors().containsKey(names.bq(0)), !g.tensors().containsKey(names.output()));
        } catch (IllegalArgumentException e) {
            throw new GgufException(path, "inconsistent model metadata: " + e.getMessage());
        }
    }

    /** The vocabulary size as the embedding's row count, for files without a vocab_size key. */
    private static int embeddingRows(GgufFile g, String name) throws GgufException {
        long[] shape = g.tensor(name).shape();
        if (shape.length != 2 || shape[1] > Integer.MAX_VALUE) {
            throw new GgufException(g.path(), "tensor " + name + ": shape " + java.util.Arrays.toString(shape) + " is not (dim, vocab)");
        }
        return (int) shape[1];
    }

    private static RopeScaling ggufScaling(GgufFile g, String p) throws GgufException {
        // Llama 3 GGUFs carry their scaling as the rope_freqs.weight tensor, applied by the loader.
        String type = g.getString(p + "rope.scaling.type", "none");
        return switch (type) {
            case "none" -> g.has(p + "rope.scale_linear")
                    ? new RopeScaling(RopeScaling.Kind.LINEAR, g.getFloat(p + "rope.scale_linear"), 0, 0, 0)
                    : RopeScaling.NONE;
            case "linear" -> new RopeScaling(RopeScaling.Kind.LINEAR, g.getFloat(p + "rope.scaling.factor"), 0, 0, 0);
            default -> throw new GgufException(g.path(), p + "rope.scaling.type '" + type + "' is not supported (supported: none, linear)");
        };
    }

    /** A config.json as a JSON object, or an error naming the file. */
    static JsonNode readJson(Path configFile) throws IOException {
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(configFile.toFile());
        } catch (IOException e) {
            throw new IOException(configFile + ": cannot parse (" + e.getMessage() + ")", e);
        }
        if (json == null || !json.isObject()) throw new IOException(configFile + ": not a JSON object");
        return json;
    }

    static ModelConfig fromHuggingFace(Path configFile, JsonNode c, boolean hasQBiasTensor) throws IOException {
        Architecture arch;
        try {
            arch = Architecture.byId(text(configFile, c, "model_type"), configFile + ": model_type");
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
        int dim = integer(configFile, c, "hidden_size");
        int heads = integer(configFile, c, "num_attention_heads");
        if (heads <= 0) throw new IOException(configFile + ": num_attention_heads is " + heads);
        int headDim = c.path("head_dim").isInt() ? c.get("head_dim").asInt() : dim / heads;
        double partialRotary = c.path("partial_rotary_factor").asDouble(1.0);
        int context = integer(configFile, c, "max_position_embeddings");
        boolean windowed = arch == Architecture.MISTRAL || c.path("use_sliding_window").asBoolean(false);
        if (windowed && c.path("sliding_window").isInt() && c.get("sliding_window").asInt() > 0) {
            // Full causal attention equals sliding-window attention as long as no sequence outgrows the window.
            context = Math.min(context, c.get("sliding_window").asInt());
        }
        WeightNames names = WeightNames.HUGGING_FACE;
        try {
            return new ModelConfig(arch, names, dim, integer(configFile, c, "num_hidden_layers"), heads,
                    c.path("num_key_value_heads").isInt() ? c.get("num_key_value_heads").asInt() : heads, headDim,
                    integer(configFile, c, "intermediate_size"), integer(configFile, c, "vocab_size"), context,
                    (float) number(configFile, c, "rms_norm_eps"), arch.ropeStyle(names), (int) Math.round(headDim * partialRotary),
                    c.path("rope_theta").asDouble(10000.0), hfScaling(configFile, c.get("rope_scaling")),
                    arch.qkvBias() || c.path("attention_bias").asBoolean(false) || hasQBiasTensor,
                    c.path("tie_word_embeddings").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new IOException(configFile + ": inconsistent config: " + e.getMessage());
        }
    }

    private static RopeScaling hfScaling(Path f, JsonNode s) throws IOException {
        if (s == null || s.isNull()) return RopeScaling.NONE;
        String type = s.has("rope_type") ? s.get("rope_type").asText() : s.path("type").asText("default");
        return switch (type) {
            case "default" -> RopeScaling.NONE;
            case "linear" -> new RopeScaling(RopeScaling.Kind.LINEAR, number(f, s, "factor"), 0, 0, 0);
            case "llama3" -> new RopeScaling(RopeScaling.Kind.LLAMA3, number(f, s, "factor"), number(f, s, "low_freq_factor"),
                    number(f, s, "high_freq_factor"), integer(f, s, "original_max_position_embeddings"));
            default -> throw new IOException(f + ": rope_scaling type '" + type + "' is not supported (supported: default, linear, llama3)");
        };
    }

    private static int integer(Path f, JsonNode c, String key) throws IOException {
        JsonNode n = c.get(key);
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber()) throw new IOException(f + ": missing or non-integer " + key);
        return n.asInt();
    }

    private static double number(Path f, JsonNode c, String key) throws IOException {
        JsonNode n = c.get(key);
        if (n == null || !n.isNumber()) throw new IOException(f + ": missing or non-numeric " + key);
        return n.asDouble();
    }

    private static String text(Path f, JsonNode c, String key) throws IOException {
        JsonNode n = c.get(key);
        if (n == null || !n.isTextual()) throw new IOException(f + ": missing " + key);
        return n.asText();
    }
}

package dev.gannet.runtime.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code gannet model inspect} reports about a GGUF file or a Hugging Face folder.
 *
 * @param tensorTypes per storage type: how many tensors and how many bytes
 * @param tokenizer   the tokenizer kind as the file names it (GGUF {@code tokenizer.ggml.model}, HF {@code model.type})
 */
public record ModelSummary(
        String format, String architecture, String name,
        int dim, int layers, int heads, int kvHeads, int headDim, int ffn, int vocab, int context,
        double ropeTheta, long parameters, Map<String, TypeCount> tensorTypes,
        String tokenizer, boolean chatTemplate, long fileBytes) {

    public record TypeCount(int tensors, long bytes) {}

    public ModelSummary {
        tensorTypes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensorTypes));
    }

    /** Key-value lines, one per fact. */
    public String render() {
        StringBuilder b = new StringBuilder();
        line(b, "format", format);
        line(b, "architecture", architecture);
        line(b, "name", name);
        line(b, "dim", dim);
        line(b, "layers", layers);
        line(b, "heads", heads);
        line(b, "kv heads", kvHeads);
        line(b, "head dim", headDim);
        line(b, "ffn", ffn);
        line(b, "vocab", vocab);
        line(b, "context", context);
        line(b, "rope theta", ropeTheta > 0 ? String.valueOf(ropeTheta) : "?");
        line(b, "parameters", String.format(java.util.Locale.ROOT, parameters >= 1e9 ? "%d (%.2f B)" : "%d (%.2f M)", parameters, parameters >= 1e9 ? parameters / 1e9 : parameters / 1e6));
        long total = 0;
        for (Map.Entry<String, TypeCount> e : tensorTypes.entrySet()) {
            line(b, "tensors " + e.getKey(), e.getValue().tensors() + " (" + mib(e.getValue().bytes()) + ")");
            total += e.getValue().bytes();
        }
        line(b, "tensor data", mib(total));
        line(b, "tokenizer", tokenizer);
        line(b, "chat template", chatTemplate ? "yes" : "no");
        line(b, "file size", mib(fileBytes) + " (" + fileBytes + " bytes)");
        return b.toString();
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.2f MiB", bytes / 1048576.0);
    }

    private static void line(StringBuilder b, String k, Object v) {
        b.append(String.format("%-14s %s%n", k + ":", v == null ? "?" : v));
    }
}

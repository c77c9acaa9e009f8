package dev.gannet.runtime.toolcall;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a model family writes tool calls in its output; the names are vLLM's {@code --tool-call-parser} names.
 * Every format carries calls as JSON objects {@code {"name": ..., "arguments": {...}}}; they differ in the frame.
 */
public enum ToolCallFormat {
    /** Hermes 2 Pro/3 and Qwen2.5: each call as {@code <tool_call>\n{json}\n</tool_call>}, text around them allowed. */
    HERMES("hermes"),
    /**
     * Llama 3.1/3.2/3.3 with JSON tools: the output is the call, {@code {"name": ..., "parameters": {...}}},
     * optionally after {@code <|python_tag|>}, several separated by {@code ;}. Output that does not start with one
     * is text.
     */
    LLAMA3_JSON("llama3_json"),
    /** Mistral (v3 tokenizer, e.g. Nemo 2407): {@code [TOOL_CALLS][{...}, {...}]} after optional text. */
    MISTRAL("mistral");

    private final String wireName;

    ToolCallFormat(String wireName) {
        this.wireName = wireName;
    }

    /** The option spelling: hermes, llama3_json, mistral. */
    public String wireName() {
        return wireName;
    }

    /** The format named {@code name} (case-insensitive); the error lists the valid names. */
    public static ToolCallFormat byName(String name) {
        for (ToolCallFormat f : values()) {
            if (f.wireName.equals(name.toLowerCase(Locale.ROOT))) return f;
        }
        throw new IllegalArgumentException("unknown tool-call parser '" + name + "'; valid: " + names());
    }

    public static String names() {
        return Arrays.stream(values()).map(ToolCallFormat::wireName).collect(Collectors.joining(", "));
    }

    /**
     * The format a chat template teaches its model, read from the template's text: the frame it writes assistant tool
     * calls in (and describes in its tool prompt). Null when the template shows none of the three (no tool support,
     * or another family's format, e.g. Functionary's or Command R's).
     */
    public static ToolCallFormat detect(String templateSource) {
        if (templateSource == null) return null;
        if (templateSource.contains("<tool_call>")) return HERMES;
        if (templateSource.contains("[TOOL_CALLS]")) return MISTRAL;
        if (templateSource.contains("<|start_header_id|>") && templateSource.contains("\"parameters\"")) return LLAMA3_JSON;
        return null;
    }
}

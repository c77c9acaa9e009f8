package dev.gannet.loadtest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompts from a file. JSONL (one object a line, with a {@code prompt} string or a {@code messages}
 * array, optionally {@code max_tokens}) or plain text: blank-line-separated paragraphs when the file
 * has blank lines between text, else one prompt per line.
 */
public final class Dataset {

    /** One dataset prompt: exactly one of {@code prompt} and {@code messages}; {@code maxTokens} may be null. */
    public record Entry(String prompt, List<ChatMessage> messages, Integer maxTokens) {
        public Entry {
            if ((prompt == null) == (messages == null)) {
                throw new IllegalArgumentException("a dataset entry needs exactly one of prompt and messages");
            }
            messages = messages == null ? null : List.copyOf(messages);
        }

        /** The text a user typed: the prompt, or the last user message. */
        public String userText() {
            if (prompt != null) {
                return prompt;
            }
            for (int i = messages.size() - 1; i >= 0; i--) {
                if (messages.get(i).role().equals("user")) {
                    return messages.get(i).content();
                }
            }
            return messages.getLast().content();
        }
    }

    private Dataset() {
    }

    public static List<Entry> load(Path file, ObjectMapper json) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String first = lines.stream().filter(l -> !l.isBlank()).findFirst().orElse("").strip();
        String name = file.getFileName().toString();
        List<Entry> entries = name.endsWith(".jsonl") || first.startsWith("{")
                ? loadJsonl(file, lines, json) : loadText(lines);
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("dataset " + file + " holds no prompts");
        }
        return entries;
    }

    private static List<Entry> loadJsonl(Path file, List<String> lines, ObjectMapper json) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = file + ":" + (i + 1);
            JsonNode node;
            try {
                node = json.readTree(line);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(where + ": not valid JSON: " + e.getOriginalMessage(), e);
            }
            out.add(entry(node, where));
        }
        return out;
    }

    private static Entry entry(JsonNode node, String where) {
        Integer maxTokens = null;
        if (node.has("max_tokens")) {
            if (!node.get("max_tokens").canConvertToInt() || node.get("max_tokens").asInt() < 1) {
                throw new IllegalArgumentException(where + ": 'max_tokens' must be a positive integer");
            }
            maxTokens = node.get("max_tokens").asInt();
        }
        if (node.path("prompt").isTextual()) {
            return new Entry(node.get("prompt").asText(), null, maxTokens);
        }
        JsonNode msgs = node.path("messages");
        if (!msgs.isArray() || msgs.isEmpty()) {
            throw new IllegalArgumentException(where + ": needs a 'prompt' string or a non-empty 'messages' array");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonNode m : msgs) {
            if (!m.path("role").isTextual() || !m.path("content").isTextual()) {
                throw new IllegalArgumentException(where + ": each message needs string 'role' and 'content'");
            }
            messages.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
        }
        return new Entry(null, messages, maxTokens);
    }

    private static List<Entry> loadText(List<String> lines) {
        // Paragraph mode only when a blank line separates text; trailing blank lines do not count.
        boolean paragraphs = false;
        boolean seenText = false;
        boolean blankAfterText = false;
        for (String l : lines) {
            if (l.isBlank()) {
                blankAfterText = seenText;
            } else if (blankAfterText) {
                paragraphs = true;
                break;
            } else {
                seenText = true;
            }
        }
        List<Entry> out = new ArrayList<>();
        StringBuilder para = new StringBuilder();
        for (String l : lines) {
            if (!paragraphs) {
                if (!l.isBlank()) {
                    out.add(new Entry(l.strip(), null, null));
                }
            } else if (l.isBlank()) {
                flush(para, out);
            } else {
                para.append(para.isEmpty() ? "" : "\n").append(l.strip());
            }
        }
        flush(para, out);
        return out;
    }

    private static void flush(StringBuilder para, List<Entry> out) {
        if (!para.isEmpty()) {
            out.add(new Entry(para.toString(), null, null));
            para.setLength(0);
        }
    }
}

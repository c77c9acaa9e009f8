package dev.gannet.runtime.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gannet.runtime.gguf.GgufFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds a model's own chat template (Jinja source): GGUF {@code tokenizer.chat_template}; in a Hugging Face
 * folder {@code chat_template.jinja}, {@code chat_template.json} or {@code tokenizer_config.json}'s
 * {@code chat_template} (a string, or a list of named templates of which "default" or the first is taken).
 */
public final class ChatTemplates {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatTemplates() {}

    public static Optional<String> find(Path model) throws IOException {
        if (Files.isRegularFile(model)) {
            try (GgufFile g = GgufFile.open(model)) {
                return Optional.ofNullable(g.getString("tokenizer.chat_template", null));
            }
        }
        Path jinja = model.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinja)) return Optional.of(Files.readString(jinja));
        for (String name : new String[] {"chat_template.json", "tokenizer_config.json"}) {
            Path f = model.resolve(name);
            if (!Files.isRegularFile(f)) continue;
            JsonNode t = JSON.readTree(f.toFile()).get("chat_template");
            if (t == null || t.isNull()) continue;
            if (t.isTextual()) return Optional.of(t.asText());
            if (t.isArray()) {
                JsonNode chosen = null;
                for (JsonNode e : t) {
                    if (chosen == null || "default".equals(e.path("name").asText())) chosen = e;
                }
                if (chosen != null && chosen.path("template").isTextual()) return Optional.of(chosen.path("template").asText());
            }
            throw new IOException(f + ": chat_template is neither a string nor a list of {name, template}");
        }
        return Optional.empty();
    }
}

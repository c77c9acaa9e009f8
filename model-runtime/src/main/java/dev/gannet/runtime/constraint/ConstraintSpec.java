package dev.gannet.runtime.constraint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Objects;

/** A constraint as a request states it: its kind and its text. The key of the compiled-constraint cache. */
public record ConstraintSpec(ConstraintKind kind, String text) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public ConstraintSpec {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
        if (kind == ConstraintKind.JSON_OBJECT && !text.isBlank()) {
            throw new IllegalArgumentException("a JSON_OBJECT constraint takes no text");
        }
    }

    public static ConstraintSpec jsonSchema(String schema) {
        return new ConstraintSpec(ConstraintKind.JSON_SCHEMA, schema);
    }

    public static ConstraintSpec jsonObject() {
        return new ConstraintSpec(ConstraintKind.JSON_OBJECT, "");
    }

    public static ConstraintSpec regex(String pattern) {
        return new ConstraintSpec(ConstraintKind.REGEX, pattern);
    }

    public static ConstraintSpec grammar(String gbnf) {
        return new ConstraintSpec(ConstraintKind.GRAMMAR, gbnf);
    }

    /**
     * A GBNF grammar whose rules named in {@code schemas} (rule name to JSON Schema text, in order) are the JSON values
     * of those schemas.
     *
     * @throws ConstraintException when a schema is not JSON
     */
    public static ConstraintSpec grammarWithSchemas(String gbnf, java.util.Map<String, String> schemas) {
        return new ConstraintSpec(ConstraintKind.GRAMMAR_WITH_SCHEMAS, SchemaGrammar.text(gbnf, schemas));
    }

    /** One of {@code choices}; the text is their JSON array. */
    public static ConstraintSpec choice(List<String> choices) {
        try {
            return new ConstraintSpec(ConstraintKind.CHOICE, JSON.writeValueAsString(List.copyOf(choices)));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}

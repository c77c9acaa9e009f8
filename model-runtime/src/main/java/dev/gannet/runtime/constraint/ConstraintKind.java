package dev.gannet.runtime.constraint;

/** What the text of a {@link ConstraintSpec} is. */
public enum ConstraintKind {
    /** A JSON Schema (the subset described in {@link JsonSchemaCompiler}); the output is one JSON value. */
    JSON_SCHEMA,
    /** Any JSON object ({@code response_format: json_object}); the text is empty. */
    JSON_OBJECT,
    /** A regular expression the whole output must match (vLLM's {@code guided_regex}). */
    REGEX,
    /** One of several strings exactly; the text is a JSON array of strings. */
    CHOICE,
    /** A context-free grammar in llama.cpp's GBNF, starting at rule {@code root}. */
    GRAMMAR,
    /**
     * A GBNF grammar some of whose rules are JSON Schemas: the text is {@code {"grammar": ..., "schemas": {rule: schema}}}
     * (a tool call's frame around its arguments).
     */
    GRAMMAR_WITH_SCHEMAS
}

package dev.gannet.runtime.constraint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** Compiles a {@link ConstraintSpec} for a vocabulary. Stateless; see {@link ConstraintCache} for reuse. */
public final class ConstraintCompiler {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConstraintCompiler() {}

    /**
     * Compiles {@code spec}. Throws {@link ConstraintException} naming the problem (for JSON Schema with the
     * JSON pointer of the offending keyword) when the text is invalid, uses an unsupported feature, or
     * matches nothing.
     */
    public static Constraint compile(ConstraintSpec spec, TokenVocabulary vocabulary) {
        GbnfParser.Parsed parsed = switch (spec.kind()) {
            case JSON_SCHEMA -> JsonSchemaCompiler.compile(spec.text());
            case JSON_OBJECT -> {
                Grammar g = new Grammar();
                int object = JsonGrammar.addAnyValue(g)[1];
                yield new GbnfParser.Parsed(g, g.add("root", new Expr.Ref(object)));
            }
            case REGEX -> single(RegexParser.parse(spec.text()));
            case CHOICE -> single(choices(spec.text()));
            case GRAMMAR -> GbnfParser.parse(spec.text());
            case GRAMMAR_WITH_SCHEMAS -> SchemaGrammar.parse(spec.text());
        };
        String what = switch (spec.kind()) {
            case JSON_SCHEMA -> "the JSON schema";
            case JSON_OBJECT -> "the JSON object grammar";
            case REGEX -> "the regex";
            case CHOICE -> "the choice";
            case GRAMMAR, GRAMMAR_WITH_SCHEMAS -> "the grammar";
        };
        CompiledGrammar g = CompiledGrammar.compile(parsed.grammar(), parsed.root(), what);
        return new Constraint(spec, g, vocabulary);
    }

    private static GbnfParser.Parsed single(Expr e) {
        Grammar g = new Grammar();
        return new GbnfParser.Parsed(g, g.add("root", e));
    }

    private static Expr choices(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConstraintException("choice: not a JSON array of strings: " + e.getOriginalMessage(), null);
        }
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new ConstraintException("choice: needs a non-empty JSON array of strings", null);
        }
        List<Expr> options = new ArrayList<>();
        for (JsonNode c : node) {
            if (!c.isTextual()) throw new ConstraintException("choice: " + c + " is not a string", null);
            if (c.textValue().isEmpty()) throw new ConstraintException("choice: the empty string is not a choice", null);
            options.add(Expr.text(c.textValue()));
        }
        return Expr.alt(options);
    }
}

package dev.gannet.server.common;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gannet.runtime.constraint.ConstraintSpec;
import dev.gannet.runtime.sampler.ParameterException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The structured-output constraint a request asks for, and the field that asked (named in a 400 when it does not
 * compile). Read here from the request's fields as vLLM spells them, for HTTP and gRPC alike:
 * <ul>
 *   <li>OpenAI's {@code response_format}: {@code {type: text}} (nothing), {@code {type: json_object}},
 *       {@code {type: json_schema, json_schema: {name, schema, strict, description}}};</li>
 *   <li>vLLM's {@code structured_outputs}: exactly one of {@code json} (a schema, as an object or its text),
 *       {@code regex}, {@code choice} (strings), {@code grammar} (GBNF), {@code json_object: true};</li>
 *   <li>vLLM's older {@code guided_json}, {@code guided_regex}, {@code guided_choice}, {@code guided_grammar}
 *       ({@code guided_decoding_backend} is accepted and ignored: there is one backend).</li>
 * </ul>
 * At most one of them may ask for a constraint. Options that would change the constrained language in ways Gannet
 * does not implement ({@code whitespace_pattern}, {@code disable_any_whitespace}, {@code disable_additional_properties},
 * {@code structural_tag}) are refused rather than ignored.
 *
 * @param param the request field that asked for the constraint ({@code response_format}, {@code structured_outputs},
 *              {@code guided_json}, ..., or {@code tool_choice} when tool calling builds one)
 * @param spec  what to compile
 */
public record StructuredOutput(String param, ConstraintSpec spec) {
    /** Fields of a request that may ask for a constraint, in the order they are reported. */
    public static final List<String> FIELDS = List.of("response_format", "structured_outputs", "guided_json",
            "guided_regex", "guided_choice", "guided_grammar", "guided_whitespace_pattern", "guided_decoding_backend");

    public StructuredOutput {
        Objects.requireNonNull(param, "param");
        Objects.requireNonNull(spec, "spec");
    }

    /**
     * The constraint asked for, or null for free output.
     *
     * @param field a request field by name: null (or a JSON null) when absent
     * @throws ParameterException naming the field when a value has the wrong shape or two fields ask at once
     */
    public static StructuredOutput read(Function<String, JsonNode> field) {
        List<StructuredOutput> asked = new ArrayList<>(2);
        JsonNode rf = present(field, "response_format");
        if (rf != null) add(asked, responseFormat(rf));
        JsonNode so = present(field, "structured_outputs");
        if (so != null) add(asked, structuredOutputs(so));
        JsonNode v;
        if ((v = present(field, "guided_json")) != null) add(asked, new StructuredOutput("guided_json", schema("guided_json", v)));
        if ((v = present(field, "guided_regex")) != null) add(asked, new StructuredOutput("guided_regex", regex("guided_regex", v)));
        if ((v = present(field, "guided_choice")) != null) add(asked, new StructuredOutput("guided_choice", choice("guided_choice", v)));
        if ((v = present(field, "guided_grammar")) != null) {
            add(asked, new StructuredOutput("guided_grammar", grammar("guided_grammar", v)));
        }
        if ((v = present(field, "guided_whitespace_pattern")) != null && !(v.isTextual() && v.textValue().isEmpty())) {
            throw new ParameterException("guided_whitespace_pattern", "'guided_whitespace_pattern' is not supported: "
                    + "constrained JSON allows no space, one space, or a newline and indentation between tokens");
        }
        if ((v = present(field, "guided_decoding_backend")) != null && !v.isTextual()) {
            throw new ParameterException("guided_decoding_backend", "'guided_decoding_backend' must be a string");
        }
        if (asked.size() > 1) {
            throw new ParameterException(asked.get(1).param(), "only one structured-output constraint per request: '"
                    + asked.get(0).param() + "' and '" + asked.get(1).param() + "' both ask for one");
        }
        return asked.isEmpty() ? null : asked.getFirst();
    }

    private static void add(List<StructuredOutput> asked, StructuredOutput s) {
        if (s != null) asked.add(s);
    }

    private static JsonNode present(Function<String, JsonNode> field, String name) {
        JsonNode v = field.apply(name);
        return v == null || v.isNull() ? null : v;
    }

    private static StructuredOutput responseFormat(JsonNode rf) {
        String p = "response_format";
        if (!rf.isObject()) throw new ParameterException(p, "'response_format' must be an object with a 'type'");
        JsonNode type = rf.get("type");
        String t = type != null && type.isTextual() ? type.textValue() : null;
        if (t == null || !List.of("text", "json_object", "json_schema").contains(t)) {
            throw new ParameterException(p, "'response_format.type' must be one of [text, json_object, json_schema], got "
                    + (type == null || type.isNull() ? "nothing" : type.toString()));
        }
        return switch (t) {
            case "text" -> null;
            case "json_object" -> new StructuredOutput(p, ConstraintSpec.jsonObject());
            default -> {
                JsonNode js = rf.get("json_schema");
                if (js == null || !js.isObject()) {
                    throw new ParameterException(p, "'response_format.json_schema' (an object with 'name' and 'schema') "
                            + "is required with type 'json_schema'");
                }
                JsonNode name = js.get("name");
                if (name != null && !name.isNull() && !name.isTextual()) {
                    throw new ParameterException(p, "'response_format.json_schema.name' must be a string");
                }
                JsonNode strict = js.get("strict");
                if (strict != null && !strict.isNull() && !strict.isBoolean()) {
                    throw new ParameterException(p, "'response_format.json_schema.strict' must be a boolean");
                }
                JsonNode schema = js.get("schema");
                if (schema == null || schema.isNull()) { // OpenAI's default: any JSON object
                    yield new StructuredOutput(p, ConstraintSpec.jsonObject());
                }
                yield new StructuredOutput(p, schema("response_format.json_schema.schema", p, schema));
            }
        };
    }

    private static StructuredOutput structuredOutputs(JsonNode so) {
        String p = "structured_outputs";
        if (!so.isObject()) throw new ParameterException(p, "'structured_outputs' must be an object");
        List<String> kinds = new ArrayList<>(1);
        ConstraintSpec spec = null;
        for (var e : so.properties()) {
            String key = e.getKey();
            JsonNode v = e.getValue();
            if (v.isNull()) continue;
            String at = "structured_outputs." + key;
            switch (key) {
                case "json" -> { kinds.add(key); spec = schema(at, p, v); }
                case "regex" -> { kinds.add(key); spec = regex(at, p, v); }
                case "choice" -> { kinds.add(key); spec = choice(at, p, v); }
                case "grammar" -> { kinds.add(key); spec = grammar(at, p, v); }
                case "json_object" -> {
                    if (!v.isBoolean()) throw new ParameterException(p, "'" + at + "' must be a boolean");
                    if (v.booleanValue()) { kinds.add(key); spec = ConstraintSpec.jsonObject(); }
                }
                case "disable_fallback" -> { } // there is no fallback backend to disable
                case "disable_any_whitespace", "disable_additional_properties" -> {
                    if (!(v.isBoolean() && !v.booleanValue())) {
                        throw new ParameterException(p, "'" + at + "' is not supported by this server");
                    }
                }
                default -> throw new ParameterException(p, "'" + at + "' is not supported; structured_outputs takes one of "
                        + "json, regex, choice, grammar, json_object");
            }
        }
        if (kinds.size() > 1) {
            throw new ParameterException(p, "'structured_outputs' takes one of json, regex, choice, grammar, json_object; got "
                    + String.join(" and ", kinds));
        }
        return spec == null ? null : new StructuredOutput(p, spec);
    }

    private static ConstraintSpec schema(String name, JsonNode v) {
        return schema(name, name, v);
    }

    /** A schema as an object (or a boolean schema), or as the text of one. */
    private static ConstraintSpec schema(String name, String param, JsonNode v) {
        if (v.isObject() || v.isBoolean()) return ConstraintSpec.jsonSchema(v.toString());
        if (v.isTextual()) return ConstraintSpec.jsonSchema(v.textValue());
        throw new ParameterException(param, "'" + name + "' must be a JSON schema (an object, or its text)");
    }

    private static ConstraintSpec regex(String name, JsonNode v) {
        return regex(name, name, v);
    }

    private static ConstraintSpec regex(String name, String param, JsonNode v) {
        if (!v.isTextual()) throw new ParameterException(param, "'" + name + "' must be a string (a regular expression)");
        return ConstraintSpec.regex(v.textValue());
    }

    private static ConstraintSpec grammar(String name, JsonNode v) {
        return grammar(name, name, v);
    }

    private static ConstraintSpec grammar(String name, String param, JsonNode v) {
        if (!v.isTextual()) throw new ParameterException(param, "'" + name + "' must be a string (a GBNF grammar)");
        return ConstraintSpec.grammar(v.textValue());
    }

    private static ConstraintSpec choice(String name, JsonNode v) {
        return choice(name, name, v);
    }

    private static ConstraintSpec choice(String name, String param, JsonNode v) {
        if (!v.isArray() || v.isEmpty()) throw new ParameterException(param, "'" + name + "' must be a non-empty array of strings");
        List<String> choices = new ArrayList<>(v.size());
        for (JsonNode c : v) {
            if (!c.isTextual()) throw new ParameterException(param, "'" + name + "' must be a non-empty array of strings");
            choices.add(c.textValue());
        }
        return ConstraintSpec.choice(choices);
    }
}

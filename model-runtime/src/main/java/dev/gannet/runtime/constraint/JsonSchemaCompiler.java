package dev.gannet.runtime.constraint;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a JSON Schema into a {@link Grammar} whose strings are exactly JSON values (in this engine's
 * spelling: see {@link JsonGrammar} for whitespace and number limits) that validate against it.
 *
 * <p>Supported: {@code type} (one or a list), {@code properties}, {@code required}, {@code additionalProperties}
 * ({@code false}; a schema or {@code true} only on an object without {@code properties}: a map),
 * {@code items}, {@code prefixItems} (then no other items), {@code minItems}, {@code maxItems},
 * {@code minLength}, {@code maxLength} (up to {@value #MAX_LENGTH}), {@code pattern} (whole-string match,
 * see {@link RegexParser}), {@code format} ({@link JsonSchemaFormats}), {@code minimum}, {@code maximum},
 * {@code exclusiveMinimum}, {@code exclusiveMaximum}, {@code multipleOf} (a whole number; the values are
 * then integers), {@code enum}, {@code const}, {@code anyOf}, {@code allOf} of one schema, {@code $ref}
 * to any {@code #/...} pointer ({@code $defs}, {@code definitions}, recursion). Annotations and unknown
 * keywords are ignored.
 *
 * <p>Strict by default, as OpenAI's {@code strict} mode: properties come in the order the schema lists
 * them; an object with {@code properties} and no {@code additionalProperties} gets no other properties;
 * properties not in {@code required} may be left out. Refused, with the JSON pointer of the keyword:
 * {@code oneOf}, {@code not}, {@code if}/{@code then}/{@code else}, {@code patternProperties},
 * {@code propertyNames}, {@code dependentRequired}, {@code dependentSchemas}, {@code unevaluated*},
 * {@code min/maxProperties}, {@code contains}, {@code uniqueItems}, {@code pattern} with length bounds,
 * {@code anyOf}/{@code allOf}/{@code $ref} beside other validation keywords, formats not listed.
 */
final class JsonSchemaCompiler {
    static final int MAX_LENGTH = 4096;
    static final int MAX_ITEMS = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> UNSUPPORTED = Set.of("oneOf", "not", "if", "then", "else", "dependentRequired",
            "dependentSchemas", "dependencies", "patternProperties", "propertyNames", "unevaluatedProperties",
            "unevaluatedItems", "minProperties", "maxProperties", "contains", "minContains", "maxContains",
            "uniqueItems", "additionalItems", "$dynamicRef", "$recursiveRef");
    private static final Set<String> VALIDATION = Set.of("type", "properties", "required", "additionalProperties",
            "items", "prefixItems", "minItems", "maxItems", "minLength", "maxLength", "pattern", "format", "minimum",
            "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "enum", "const", "anyOf", "allOf", "$ref");
    private static final Set<String> TYPES = Set.of("string", "number", "integer", "boolean", "null", "object", "array");

    private final JsonNode document;
    private final Grammar grammar;
    private final Map<String, Integer> refRules = new HashMap<>();
    private int anyValue = -1;

    private JsonSchemaCompiler(JsonNode document, Grammar grammar) {
        this.document = document;
        this.grammar = grammar;
    }

    /** The grammar of the schema's values and its root rule. */
    static GbnfParser.Parsed compile(String schemaText) {
        JsonNode doc;
        try {
            doc = JSON.readTree(schemaText);
        } catch (JsonProcessingException e) {
            throw new ConstraintException("the schema is not valid JSON: " + e.getOriginalMessage(), "");
        }
        if (doc == null) throw new ConstraintException("the schema is empty", "");
        Grammar g = new Grammar();
        return new GbnfParser.Parsed(g, compileInto(g, doc, "root"));
    }

    /** Adds the rules of schema {@code doc} to {@code g} and returns the id of the rule named {@code name} that matches its values. */
    static int compileInto(Grammar g, JsonNode doc, String name) {
        JsonSchemaCompiler c = new JsonSchemaCompiler(doc, g);
        int root = g.declare(name);
        g.define(root, c.schema(doc, ""));
        return root;
    }

    private static ConstraintException error(String pointer, String message) {
        return new ConstraintException(message, pointer);
    }

    private static String child(String pointer, String name) {
        return pointer + "/" + name.replace("~", "~0").replace("/", "~1");
    }

    private Expr schema(JsonNode s, String ptr) {
        if (s.isBoolean()) {
            if (s.booleanValue()) return any();
            throw error(ptr, "the schema 'false' allows no value");
        }
        if (!s.isObject()) throw error(ptr, "a schema must be an object or a boolean");
        List<String> validation = new ArrayList<>();
        for (var it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (UNSUPPORTED.contains(k)) throw error(child(ptr, k), "'" + k + "' is not supported");
            if (VALIDATION.contains(k)) validation.add(k);
        }
        for (String combinator : List.of("$ref", "anyOf", "allOf")) {
            if (s.has(combinator) && validation.size() > 1) {
                throw error(ptr, "'" + combinator + "' together with " + validation.stream().filter(k -> !k.equals(combinator)).toList()
                        + " is not supported");
            }
        }
        if (s.has("$ref")) return new Expr.Ref(ref(s.get("$ref"), child(ptr, "$ref")));
        if (s.has("anyOf")) return anyOf(s.get("anyOf"), child(ptr, "anyOf"));
        if (s.has("allOf")) {
            JsonNode all = s.get("allOf");
            if (!all.isArray() || all.size() != 1) throw error(child(ptr, "allOf"), "'allOf' is supported with exactly one schema");
            return schema(all.get(0), child(child(ptr, "allOf"), "0"));
        }
        if (s.has("const")) return literal(s.get("const"));
        if (s.has("enum")) {
            JsonNode e = s.get("enum");
            if (!e.isArray() || e.isEmpty()) throw error(child(ptr, "enum"), "'enum' must be a non-empty array");
            List<Expr> options = new ArrayList<>();
            for (JsonNode v : e) options.add(literal(v));
            return Expr.alt(options);
        }
        List<String> types = types(s, ptr);
        if (types.isEmpty()) return any();
        List<Expr> options = new ArrayList<>();
        for (String t : types) options.add(typed(t, s, ptr));
        return Expr.alt(options);
    }

    private List<String> types(JsonNode s, String ptr) {
        JsonNode t = s.get("type");
        List<String> out = new ArrayList<>();
        if (t == null) {
            if (s.has("properties") || s.has("required") || s.has("additionalProperties")) out.add("object");
            else if (s.has("items") || s.has("prefixItems") || s.has("minItems") || s.has("maxItems")) out.add("array");
            else if (s.has("minLength") || s.has("maxLength") || s.has("pattern") || s.has("format")) out.add("string");
            else if (s.has("minimum") || s.has("maximum") || s.has("exclusiveMinimum") || s.has("exclusiveMaximum")
                    || s.has("multipleOf")) out.add("number");
            return out;
        }
        for (JsonNode x : t.isArray() ? t : List.of(t)) {
            if (!x.isTextual() || !TYPES.contains(x.textValue())) throw error(child(ptr, "type"), "unknown type " + x);
            if (!out.contains(x.textValue())) out.add(x.textValue());
        }
        if (out.isEmpty()) throw error(child(ptr, "type"), "'type' must name at least one type");
        if (out.contains("number")) out.remove("integer");
        return out;
    }

    private Expr typed(String type, JsonNode s, String ptr) {
        return switch (type) {
            case "string" -> string(s, ptr);
            case "number", "integer" -> number(type.equals("integer"), s, ptr);
            case "boolean" -> Expr.alt(Expr.text("true"), Expr.text("false"));
            case "null" -> Expr.text("null");
            case "object" -> new JsonObjects(this).object(s, ptr);
            case "array" -> array(s, ptr);
            default -> throw new IllegalStateException(type);
        };
    }

    private Expr anyOf(JsonNode options, String ptr) {
        if (!options.isArray() || options.isEmpty()) throw error(ptr, "'anyOf' must be a non-empty array");
        List<Expr> out = new ArrayList<>();
        for (int i = 0; i < options.size(); i++) out.add(schema(options.get(i), child(ptr, Integer.toString(i))));
        return Expr.alt(out);
    }

    private int ref(JsonNode ref, String ptr) {
        if (!ref.isTextual() || !ref.textValue().startsWith("#")) {
            throw error(ptr, "only local references ('#/...') are supported, not " + ref);
        }
        String pointer = ref.textValue().substring(1);
        Integer known = refRules.get(pointer);
        if (known != null) return known;
        JsonNode target;
        try {
            target = pointer.isEmpty() ? document : document.at(JsonPointer.compile(pointer));
        } catch (IllegalArgumentException e) {
            throw error(ptr, "'" + ref.textValue() + "' is not a JSON pointer");
        }
        if (target == null || target.isMissingNode()) throw error(ptr, "'" + ref.textValue() + "' does not resolve");
        int rule = grammar.declare("ref " + ref.textValue());
        refRules.put(pointer, rule);
        grammar.define(rule, schema(target, pointer));
        return rule;
    }

    Expr any() {
        if (anyValue < 0) anyValue = JsonGrammar.addAnyValue(grammar)[0];
        return new Expr.Ref(anyValue);
    }

    /** Wraps {@code e} in a rule of its own, so that repetitions call it rather than copy it when it is large. */
    Expr rule(String name, Expr e) {
        return new Expr.Ref(grammar.add(name, e));
    }

    Expr compileSchema(JsonNode s, String ptr) {
        return schema(s, ptr);
    }

    private static Expr literal(JsonNode value) {
        try {
            return Expr.text(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Expr string(JsonNode s, String ptr) {
        int min = count(s, "minLength", 0, ptr);
        int max = count(s, "maxLength", -1, ptr);
        if (max > MAX_LENGTH) throw error(child(ptr, "maxLength"), "maxLength above " + MAX_LENGTH + " is not supported");
        if (min > MAX_LENGTH) throw error(child(ptr, "minLength"), "minLength above " + MAX_LENGTH + " is not supported");
        if (max != -1 && max < min) throw error(child(ptr, "maxLength"), "maxLength is below minLength");
        String pattern = null;
        String at = null;
        if (s.has("pattern")) {
            if (!s.get("pattern").isTextual()) throw error(child(ptr, "pattern"), "'pattern' must be a string");
            pattern = s.get("pattern").textValue();
            at = child(ptr, "pattern");
        }
        if (s.has("format")) {
            String f = s.get("format").asText();
            String p = JsonSchemaFormats.PATTERNS.get(f);
            if (p == null) {
                throw error(child(ptr, "format"), "format '" + f + "' is not supported (supported: "
                        + JsonSchemaFormats.PATTERNS.keySet().stream().sorted().toList() + ")");
            }
            if (pattern != null) throw error(ptr, "'pattern' together with 'format' is not supported");
            pattern = p;
            at = child(ptr, "format");
        }
        if (pattern == null) return JsonGrammar.string(min, max);
        if (min != 0 || max != -1) throw error(ptr, "'pattern' or 'format' together with minLength/maxLength is not supported");
        Expr body;
        try {
            body = JsonGrammar.escapeForString(RegexParser.parse(pattern));
        } catch (ConstraintException e) {
            throw error(at, e.getMessage());
        }
        return Expr.seq(Expr.text("\""), body, Expr.text("\""));
    }

    private Expr number(boolean integer, JsonNode s, String ptr) {
        BigDecimal min = bound(s, "minimum", ptr), max = bound(s, "maximum", ptr);
        BigDecimal xmin = bound(s, "exclusiveMinimum", ptr), xmax = bound(s, "exclusiveMaximum", ptr);
        boolean minEx = false, maxEx = false;
        if (xmin != null && (min == null || xmin.compareTo(min) >= 0)) { min = xmin; minEx = true; }
        if (xmax != null && (max == null || xmax.compareTo(max) <= 0)) { max = xmax; maxEx = true; }
        int multiple = 0;
        if (s.has("multipleOf")) {
            JsonNode m = s.get("multipleOf");
            if (!m.isNumber() || m.decimalValue().signum() <= 0 || m.decimalValue().stripTrailingZeros().scale() > 0
                    || m.decimalValue().compareTo(BigDecimal.valueOf(1_000_000)) > 0) {
                throw error(child(ptr, "multipleOf"), "'multipleOf' is supported for whole numbers from 1 to 1000000");
            }
            multiple = m.intValue();
        }
        if (min == null && max == null && multiple == 0) return integer ? JsonGrammar.INTEGER : JsonGrammar.NUMBER;
        try {
            return new Expr.Fsm(NumberAutomaton.build(integer, min, minEx, max, maxEx, multiple, "this number"));
        } catch (IllegalArgumentException e) {
            throw error(ptr, e.getMessage());
        }
    }

    private static BigDecimal bound(JsonNode s, String key, String ptr) {
        JsonNode v = s.get(key);
        if (v == null) return null;
        if (v.isBoolean()) throw error(child(ptr, key), "the draft-4 boolean form of '" + key + "' is not supported; use a number");
        if (!v.isNumber()) throw error(child(ptr, key), "'" + key + "' must be a number");
        return v.decimalValue();
    }

    /** A non-negative integer keyword, or {@code absent}. */
    static int count(JsonNode s, String key, int absent, String ptr) {
        JsonNode v = s.get(key);
        if (v == null) return absent;
        if (!v.canConvertToExactIntegral() || v.asLong() < 0 || v.asLong() > Integer.MAX_VALUE) {
            throw error(child(ptr, key), "'" + key + "' must be a non-negative integer");
        }
        return (int) v.asLong();
    }

    private Expr array(JsonNode s, String ptr) {
        int min = count(s, "minItems", 0, ptr);
        int max = count(s, "maxItems", -1, ptr);
        if (max > MAX_ITEMS || min > MAX_ITEMS) throw error(ptr, "minItems/maxItems above " + MAX_ITEMS + " are not supported");
        if (max != -1 && max < min) throw error(child(ptr, "maxItems"), "maxItems is below minItems");
        JsonNode items = s.get("items");
        if (s.has("prefixItems")) {
            JsonNode prefix = s.get("prefixItems");
            if (!prefix.isArray()) throw error(child(ptr, "prefixItems"), "'prefixItems' must be an array");
            if ((items != null && !(items.isBoolean() && !items.booleanValue())) || s.has("minItems") || s.has("maxItems")) {
                throw error(ptr, "'prefixItems' is supported only alone (no items, minItems, maxItems)");
            }
            List<Expr> parts = new ArrayList<>(List.of(Expr.text("["), JsonGrammar.WS));
            for (int i = 0; i < prefix.size(); i++) {
                if (i > 0) parts.addAll(List.of(JsonGrammar.WS, Expr.text(","), JsonGrammar.WS));
                parts.add(schema(prefix.get(i), child(child(ptr, "prefixItems"), Integer.toString(i))));
            }
            if (!prefix.isEmpty()) parts.add(JsonGrammar.WS);
            parts.add(Expr.text("]"));
            return new Expr.Seq(parts);
        }
        if (items != null && items.isBoolean() && !items.booleanValue()) {
            if (min > 0) throw error(ptr, "'items: false' with minItems > 0 allows no array");
            return Expr.seq(Expr.text("["), JsonGrammar.WS, Expr.text("]"));
        }
        if (items != null && items.isArray()) throw error(child(ptr, "items"), "the draft-4 array form of 'items' is not supported; use prefixItems");
        Expr item = items == null ? any() : schema(items, child(ptr, "items"));
        if (max != 1) item = rule("items " + ptr, item);
        return JsonGrammar.list("[", item, min, max, "]");
    }

    static ObjectNode asObject(JsonNode n, String ptr, String key) {
        if (!(n instanceof ObjectNode o)) throw error(child(ptr, key), "'" + key + "' must be an object");
        return o;
    }

    static String childPointer(String ptr, String name) {
        return child(ptr, name);
    }

    static ConstraintException schemaError(String ptr, String message) {
        return error(ptr, message);
    }
}

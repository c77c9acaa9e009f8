package dev.gannet.runtime.constraint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A GBNF grammar some of whose rules are JSON Schemas ({@link ConstraintKind#GRAMMAR_WITH_SCHEMAS}): the text is
 * {@code {"grammar": "<gbnf>", "schemas": {"<rule>": <schema>, ...}}}, and the grammar uses each {@code <rule>}
 * as the JSON values its schema allows. This is how a fixed frame around JSON is written, e.g. a tool call
 * {@code "<tool_call>\n" args "\n</tool_call>"} whose {@code args} are a function's parameters schema.
 */
final class SchemaGrammar {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RULE_NAME = Pattern.compile("[A-Za-z0-9_-]+");

    private SchemaGrammar() {}

    static GbnfParser.Parsed parse(String text) {
        JsonNode doc;
        try {
            doc = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConstraintException("grammar with schemas: not JSON: " + e.getOriginalMessage(), null);
        }
        if (doc == null || !doc.isObject() || !doc.path("grammar").isTextual() || !doc.path("schemas").isObject()) {
            throw new ConstraintException("grammar with schemas: needs {\"grammar\": <gbnf text>, \"schemas\": {<rule>: <schema>}}", null);
        }
        Grammar g = new Grammar();
        Map<String, Integer> rules = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : doc.get("schemas").properties()) {
            String name = e.getKey();
            String at = "/schemas/" + name.replace("~", "~0").replace("/", "~1");
            if (!RULE_NAME.matcher(name).matches()) {
                throw new ConstraintException("'" + name + "' is not a GBNF rule name", at);
            }
            try {
                rules.put(name, JsonSchemaCompiler.compileInto(g, e.getValue(), name));
            } catch (ConstraintException x) {
                throw new ConstraintException(x.detail(), at + (x.pointer() == null ? "" : x.pointer()));
            }
        }
        return GbnfParser.parse(doc.get("grammar").textValue(), g, rules);
    }

    /** The spec text for {@code gbnf} with {@code schemas} (rule name to schema JSON text), in the given order. */
    static String text(String gbnf, Map<String, String> schemas) {
        var root = JSON.createObjectNode();
        root.put("grammar", gbnf);
        var out = root.putObject("schemas");
        for (Map.Entry<String, String> e : schemas.entrySet()) {
            try {
                out.set(e.getKey(), JSON.readTree(e.getValue()));
            } catch (JsonProcessingException x) {
                throw new ConstraintException("the schema is not valid JSON: " + x.getOriginalMessage(),
                        "/schemas/" + e.getKey());
            }
        }
        return root.toString();
    }
}

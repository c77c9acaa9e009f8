package dev.gannet.runtime.constraint;

import static dev.gannet.runtime.constraint.ConstraintTests.bytes;
import static dev.gannet.runtime.constraint.ConstraintTests.matches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.JsonSchema;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** GBNF grammars whose rules are JSON Schemas: a fixed frame (a tool call's tags) around schema-valid JSON. */
class SchemaGrammarTest {
    private static final String WEATHER = """
            {"type": "object", "properties": {"city": {"type": "string", "maxLength": 12},
             "days": {"type": "integer", "minimum": 1, "maximum": 7}},
             "required": ["city", "days"], "additionalProperties": false}""";
    private static final String TIME = """
            {"type": "object", "properties": {"zone": {"enum": ["UTC", "CET"]}}, "required": ["zone"],
             "additionalProperties": false}""";
    private static final String FRAME = """
            root ::= "<tool_call>\\n" call "\\n</tool_call>"
            call ::= "{\\"name\\": \\"weather\\", \\"arguments\\": " weather "}" | "{\\"name\\": \\"time\\", \\"arguments\\": " time "}"
            """;

    private static ConstraintSpec frame() {
        Map<String, String> schemas = new LinkedHashMap<>();
        schemas.put("weather", WEATHER);
        schemas.put("time", TIME);
        return ConstraintSpec.grammarWithSchemas(FRAME, schemas);
    }

    @Test
    void randomWalksAreAFrameAroundArgumentsThatValidate() {
        Constraint c = bytes(frame());
        JsonSchema weather = JsonValidation.schema(WEATHER);
        JsonSchema time = JsonValidation.schema(TIME);
        Pattern shape = Pattern.compile("<tool_call>\\n\\{\"name\": \"(weather|time)\", \"arguments\": (.*)}\\n</tool_call>",
                Pattern.DOTALL);
        Random rng = new Random(17);
        int[] seen = new int[2];
        for (int i = 0; i < 200; i++) {
            ConstraintTests.Walk w = ConstraintTests.randomWalk(c, rng, 5_000);
            assertTrue(w.ended(), "did not end: " + w.text());
            Matcher m = shape.matcher(w.text());
            assertTrue(m.matches(), w.text());
            boolean isWeather = m.group(1).equals("weather");
            seen[isWeather ? 0 : 1]++;
            assertTrue(JsonValidation.isValid(isWeather ? weather : time, m.group(2)), w.text());
        }
        assertTrue(seen[0] > 0 && seen[1] > 0, "both functions reached: " + seen[0] + ", " + seen[1]);
    }

    @Test
    void examples() {
        Constraint c = bytes(frame());
        assertTrue(matches(c, "<tool_call>\n{\"name\": \"time\", \"arguments\": {\"zone\": \"CET\"}}\n</tool_call>"));
        assertTrue(matches(c, "<tool_call>\n{\"name\": \"weather\", \"arguments\": {\"city\": \"Oslo\", \"days\": 3}}\n</tool_call>"));
        assertFalse(matches(c, "<tool_call>\n{\"name\": \"time\", \"arguments\": {\"zone\": \"PST\"}}\n</tool_call>"));
        assertFalse(matches(c, "<tool_call>\n{\"name\": \"weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>"));
        assertFalse(matches(c, "<tool_call>\n{\"name\": \"time\", \"arguments\": {\"city\": \"Oslo\", \"days\": 3}}\n</tool_call>"));
    }

    @Test
    void aBadSchemaIsNamedByItsRuleAndPointer() {
        ConstraintSpec spec = ConstraintSpec.grammarWithSchemas("root ::= args",
                Map.of("args", "{\"type\": \"object\", \"properties\": {\"x\": {\"type\": \"decimal\"}}}"));
        ConstraintException e = assertThrows(ConstraintException.class, () -> bytes(spec));
        assertEquals("/schemas/args/properties/x/type", e.pointer(), e.getMessage());
        assertTrue(e.getMessage().contains("decimal"), e.getMessage());
    }

    @Test
    void aSchemaRuleCannotBeRedefinedOrMisnamed() {
        ConstraintException redefined = assertThrows(ConstraintException.class, () -> bytes(
                ConstraintSpec.grammarWithSchemas("root ::= args\nargs ::= \"x\"", Map.of("args", "{\"type\": \"string\"}"))));
        assertTrue(redefined.getMessage().contains("cannot be redefined"), redefined.getMessage());
        ConstraintException misnamed = assertThrows(ConstraintException.class, () -> bytes(
                ConstraintSpec.grammarWithSchemas("root ::= \"x\"", Map.of("a b", "{}"))));
        assertEquals("/schemas/a b", misnamed.pointer());
        assertThrows(ConstraintException.class, () -> ConstraintSpec.grammarWithSchemas("root ::= a", Map.of("a", "{not json")));
    }
}

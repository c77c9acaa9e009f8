package dev.gannet.server.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gannet.runtime.constraint.ConstraintSpec;
import dev.gannet.runtime.sampler.ParameterException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every spelling of a structured-output request, read into the one spec it asks for. */
class StructuredOutputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static StructuredOutput read(String body) throws Exception {
        ObjectNode node = (ObjectNode) JSON.readTree(body);
        return StructuredOutput.read(node::get);
    }

    @Test
    void eachSpellingGivesItsSpecAndNamesItsField() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}";
        ConstraintSpec bySchema = ConstraintSpec.jsonSchema(JSON.readTree(schema).toString());
        assertEquals(new StructuredOutput("response_format", bySchema),
                read("{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"strict\":true,\"schema\":" + schema + "}}}"));
        assertEquals(new StructuredOutput("structured_outputs", bySchema), read("{\"structured_outputs\":{\"json\":" + schema + "}}"));
        assertEquals(new StructuredOutput("guided_json", bySchema), read("{\"guided_json\":" + JSON.writeValueAsString(
                JSON.readTree(schema).toString()) + "}"), "a schema given as its text");
        assertEquals(new StructuredOutput("response_format", ConstraintSpec.jsonObject()), read("{\"response_format\":{\"type\":\"json_object\"}}"));
        assertEquals(ConstraintSpec.jsonObject(), read("{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\"}}}").spec(),
                "no schema: any JSON object");
        assertEquals(ConstraintSpec.jsonObject(), read("{\"structured_outputs\":{\"json_object\":true,\"disable_fallback\":true}}").spec());
        assertEquals(ConstraintSpec.regex("a+"), read("{\"guided_regex\":\"a+\",\"guided_decoding_backend\":\"xgrammar\"}").spec());
        assertEquals(ConstraintSpec.choice(List.of("x", "y")), read("{\"structured_outputs\":{\"choice\":[\"x\",\"y\"]}}").spec());
        assertEquals(ConstraintSpec.grammar("root ::= \"a\""), read("{\"guided_grammar\":\"root ::= \\\"a\\\"\"}").spec());
    }

    @Test
    void askingForNothingIsNull() throws Exception {
        assertNull(read("{}"));
        assertNull(read("{\"response_format\":{\"type\":\"text\"}}"));
        assertNull(read("{\"response_format\":null,\"guided_json\":null}"));
        assertNull(read("{\"structured_outputs\":{\"json_object\":false,\"disable_any_whitespace\":false}}"));
        assertNull(read("{\"guided_whitespace_pattern\":\"\"}"));
    }

    @Test
    void badShapesNameTheirField() throws Exception {
        String[][] cases = {
                {"{\"response_format\":{\"type\":\"json\"}}", "response_format"},
                {"{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{},\"strict\":\"yes\"}}}", "response_format"},
                {"{\"structured_outputs\":{\"regex\":1}}", "structured_outputs"},
                {"{\"structured_outputs\":{\"structural_tag\":{}}}", "structured_outputs"},
                {"{\"structured_outputs\":{\"disable_additional_properties\":true}}", "structured_outputs"},
                {"{\"guided_choice\":\"a\"}", "guided_choice"},
                {"{\"guided_grammar\":{}}", "guided_grammar"},
                {"{\"guided_decoding_backend\":1}", "guided_decoding_backend"},
                {"{\"structured_outputs\":{\"regex\":\"a\"},\"guided_json\":{}}", "guided_json"},
        };
        for (String[] c : cases) {
            ParameterException e = assertThrows(ParameterException.class, () -> read(c[0]), c[0]);
            assertEquals(c[1], e.param(), c[0] + " -> " + e.getMessage());
            assertTrue(e.getMessage().contains("'"), e.getMessage());
        }
    }
}

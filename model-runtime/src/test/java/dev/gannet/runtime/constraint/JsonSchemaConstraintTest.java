package dev.gannet.runtime.constraint;

import static dev.gannet.runtime.constraint.ConstraintTests.bytes;
import static dev.gannet.runtime.constraint.ConstraintTests.matches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.JsonSchema;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** JSON Schema through the byte automaton, with Jackson and a JSON Schema validator as the oracle. */
class JsonSchemaConstraintTest {

    /** Byte-by-byte random walks always end in a value that parses and validates; edits agree with the validator. */
    @ParameterizedTest
    @ValueSource(strings = {"01-person", "02-product", "03-event", "04-linked-list", "05-shape-anyof",
        "06-numbers", "07-strings", "08-optional", "09-order", "10-scores-defs"})
    void resourceSchemasWalkToValidJson(String name) {
        ConstraintSpec spec = ConstraintTests.schema(name);
        Constraint c = bytes(spec);
        JsonSchema schema = JsonValidation.schema(spec.text());
        Random rng = new Random(name.hashCode());
        for (int i = 0; i < 40; i++) {
            ConstraintTests.Walk w = ConstraintTests.randomWalk(c, rng, 20_000);
            assertTrue(w.ended(), "did not end: " + w.text());
            JsonValidation.assertValid(schema, w.text());
            String edited = edit(w.text(), rng);
            if (matches(c, edited)) JsonValidation.assertValid(schema, edited);
        }
    }

    private static String edit(String s, Random rng) {
        StringBuilder sb = new StringBuilder(s);
        int at = rng.nextInt(sb.length());
        String alphabet = "0123456789-.e\" ,:{}[]abnultrE\\";
        char x = alphabet.charAt(rng.nextInt(alphabet.length()));
        if (rng.nextBoolean()) sb.setCharAt(at, x);
        else sb.insert(at, x);
        return sb.toString();
    }

    @ParameterizedTest
    @CsvSource(delimiterString = ";;", quoteCharacter = '`', value = {
        "{\"type\":\"integer\",\"minimum\":-5,\"maximum\":12} ;; -5,0,7,12,-0 ;; -6,13,05,1.0,+1,1e1",
        "{\"type\":\"number\",\"exclusiveMinimum\":0.5,\"maximum\":2.25} ;; 0.51,1,2.25,2.2499,0.5000001 ;; 0.5,0.50,2.2500001,2.26,3,-1",
        "{\"type\":\"integer\",\"multipleOf\":7,\"minimum\":0,\"maximum\":50} ;; 0,7,49,14 ;; 8,56,-7,1",
        "{\"type\":\"number\",\"minimum\":-1.5,\"maximum\":-0.25} ;; -1.5,-1,-0.25,-0.3 ;; -1.51,-0.2,0,1",
        "{\"type\":\"string\",\"minLength\":2,\"maxLength\":3} ;; `\"ab\"`,`\"a\\\"c\"`,`\"é😀\"`,`\"\\u00e9x\"` ;; `\"a\"`,`\"abcd\"`,`\"\\ud800x\"`",
        "{\"type\":\"string\",\"pattern\":\"^a[\\\"\\\\n]b$\"} ;; `\"a\\\"b\"`,`\"a\\nb\"` ;; `\"a\"b\"`,`\"anb\"`",
        "{\"enum\":[\"x\",1,null,{\"k\":[true]}]} ;; `\"x\"`,1,null,`{\"k\":[true]}` ;; `\"y\"`,2,`{\"k\":[false]}`",
        "{\"type\":\"array\",\"items\":{\"type\":\"boolean\"},\"minItems\":1,\"maxItems\":2} ;; [true],`[true, false]`,`[ true ]` ;; [],`[true,true,true]`",
        "{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\"}} ;; {},`{\"a\": 1, \"b\": 2}` ;; `{\"a\": \"x\"}`",
        "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"null\"},\"b\":{\"type\":\"boolean\"}}} ;; {},`{\"a\":null}`,`{\"b\":true}`,`{\"a\":null,\"b\":false}` ;; `{\"b\":true,\"a\":null}`,`{,\"b\":true}`,`{\"c\":1}`",
        "{\"prefixItems\":[{\"type\":\"integer\"},{\"type\":\"string\",\"maxLength\":1}]} ;; `[1,\"a\"]`,`[ -3 , \"\" ]` ;; `[1]`,`[1,\"a\",2]`",
        "{\"type\":[\"integer\",\"null\"]} ;; 3,null ;; `\"3\"`,true",
        "{\"type\":\"string\",\"format\":\"date\"} ;; `\"2024-02-28\"`,`\"1999-12-31\"` ;; `\"2024-02-30\"`,`\"2024-13-01\"`",
    })
    void examplesAgreeWithTheValidator(String schemaText, String valid, String invalid) {
        Constraint c = bytes(ConstraintSpec.jsonSchema(schemaText));
        JsonSchema schema = JsonValidation.schema(schemaText);
        for (String v : splitValues(valid)) {
            assertTrue(JsonValidation.isValid(schema, v), "example is not valid: " + v);
            assertTrue(matches(c, v), schemaText + " should accept " + v);
        }
        for (String v : splitValues(invalid)) {
            assertFalse(matches(c, v), schemaText + " should refuse " + v);
        }
    }

    /** Splits on commas outside strings, brackets and braces. */
    private static java.util.List<String> splitValues(String list) {
        java.util.List<String> out = new java.util.ArrayList<>();
        int depth = 0;
        boolean str = false;
        int start = 0;
        for (int i = 0; i < list.length(); i++) {
            char ch = list.charAt(i);
            if (str) {
                if (ch == '\\') i++;
                else if (ch == '"') str = false;
            } else if (ch == '"') {
                str = true;
            } else if (ch == '[' || ch == '{') {
                depth++;
            } else if (ch == ']' || ch == '}') {
                depth--;
            } else if (ch == ',' && depth == 0) {
                out.add(list.substring(start, i).strip().replaceAll("^`|`$", ""));
                start = i + 1;
            }
        }
        out.add(list.substring(start).strip().replaceAll("^`|`$", ""));
        return out;
    }

    @Test
    void whitespaceIsFlexibleButBounded() {
        Constraint c = bytes(ConstraintSpec.jsonSchema("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},\"required\":[\"a\"]}"));
        assertTrue(matches(c, "{\"a\":1}"));
        assertTrue(matches(c, "{ \"a\" : 1 }"));
        assertTrue(matches(c, "{\n  \"a\": 1\n}"));
        assertTrue(matches(c, "{\n" + "\t".repeat(JsonGrammar.MAX_INDENT) + "\"a\": 1}"));
        assertFalse(matches(c, "{\n" + " ".repeat(JsonGrammar.MAX_INDENT + 1) + "\"a\": 1}"));
        assertFalse(matches(c, "{  \"a\": 1}"), "two spaces");
        assertFalse(matches(c, " {\"a\":1}"), "leading whitespace");
        assertFalse(matches(c, "{\"a\":1} "), "trailing whitespace");
    }

    @Test
    void jsonObjectModeAcceptsAnyObjectOnly() {
        Constraint c = bytes(ConstraintSpec.jsonObject());
        assertTrue(matches(c, "{}"));
        assertTrue(matches(c, "{\"a\": [1, 2.5e3, {\"b\": null}], \"c\": \"d\\u00e9\", \"e\": [[[]]], \"f\": true}"));
        assertFalse(matches(c, "[]"));
        assertFalse(matches(c, "\"x\""));
        assertFalse(matches(c, "{\"a\": 01}"));
        assertFalse(matches(c, "{\"a\": [1,]}"));
        assertFalse(matches(c, "{\"a\" 1}"));
        ConstraintMatcher m = c.newState();
        for (byte b : "{\"a\": [".getBytes()) assertTrue(m.accept(b & 0xFF));
        assertFalse(m.canTerminate());
    }

    @ParameterizedTest
    @CsvSource(delimiterString = ";;", quoteCharacter = '`', value = {
        "{\"type\":\"object\",\"properties\":{\"a\":{\"oneOf\":[{},{}]}}} ;; /properties/a/oneOf ;; not supported",
        "{\"type\":\"string\",\"format\":\"uri\"} ;; /format ;; format 'uri' is not supported",
        "{\"properties\":{\"x/y\":{\"type\":\"integer\",\"minimum\":true}}} ;; /properties/x~1y/minimum ;; draft-4",
        "{\"$ref\":\"#/$defs/missing\"} ;; /$ref ;; does not resolve",
        "{\"type\":\"object\",\"properties\":{\"a\":{}},\"required\":[\"b\"]} ;; /required ;; 'b' is not in 'properties'",
        "{\"type\":\"strnig\"} ;; /type ;; unknown type",
        "{\"type\":\"string\",\"pattern\":\"(a\"} ;; /pattern ;; missing ')'",
        "{\"type\":\"integer\",\"minimum\":5,\"maximum\":4} ;; `` ;; allows no number",
        "{\"type\":\"array\",\"uniqueItems\":true} ;; /uniqueItems ;; not supported",
        "{\"anyOf\":[{}],\"type\":\"object\"} ;; `` ;; 'anyOf' together with",
        "{\"items\":{\"not\":{}}} ;; /items/not ;; not supported",
        "[1] ;; `` ;; must be an object or a boolean",
        "{not json ;; `` ;; not valid JSON",
    })
    void refusesWithThePointerOfTheProblem(String schema, String pointer, String message) {
        ConstraintException e = assertThrows(ConstraintException.class, () -> bytes(ConstraintSpec.jsonSchema(schema)));
        assertEquals(pointer, e.pointer(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void recursiveSchemasUseTheStack() {
        Constraint c = bytes(ConstraintTests.schema("04-linked-list"));
        String deep = "{\"head\":" + "{\"value\":1,\"next\":".repeat(30) + "null" + "}".repeat(30) + "}";
        assertTrue(matches(c, deep));
        assertFalse(matches(c, deep.substring(0, deep.length() - 1)));
        assertFalse(matches(c, deep + "}"));
    }
}

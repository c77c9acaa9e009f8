package dev.gannet.runtime.constraint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.Set;

/** The oracle for JSON outputs: Jackson parses (strictly), networknt's validator validates, formats asserted. */
final class JsonValidation {
    static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ObjectMapper LENIENT_KEYS = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

    private JsonValidation() {}

    static JsonSchema schema(String text) {
        return FACTORY.getSchema(text, CONFIG);
    }

    static JsonNode parse(String json) {
        try {
            return STRICT.readTree(json);
        } catch (JsonProcessingException e) {
            return fail("not JSON: " + json + " (" + e.getOriginalMessage() + ")");
        }
    }

    /** Whether the text is one JSON value (duplicate keys allowed, as RFC 8259 does). */
    static boolean isJson(String json) {
        try {
            LENIENT_KEYS.readTree(json);
            return true;
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    static void assertValid(JsonSchema schema, String json) {
        Set<ValidationMessage> errors = schema.validate(parse(json));
        assertEquals(Set.of(), errors, json);
    }

    static boolean isValid(JsonSchema schema, String json) {
        return isJson(json) && schema.validate(parse(json)).isEmpty(); // parse() refuses duplicate keys
    }
}

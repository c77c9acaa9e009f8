package dev.gannet.runtime.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gannet.runtime.constraint.Constraint;
import dev.gannet.runtime.constraint.ConstraintCompiler;
import dev.gannet.runtime.constraint.ConstraintException;
import dev.gannet.runtime.constraint.ConstraintMatcher;
import dev.gannet.runtime.constraint.TokenVocabulary;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ToolGrammarTest {
    /** Tokens 0..255 are the single bytes; 256 ends generation. */
    private static final int EOS = 256;
    private static final TokenVocabulary BYTES = bytes();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FunctionTool WEATHER = new FunctionTool("get_weather", "{\"type\": \"object\", \"properties\": "
            + "{\"city\": {\"type\": \"string\", \"maxLength\": 12}, \"unit\": {\"enum\": [\"c\", \"f\"]}}, "
            + "\"required\": [\"city\"]}");
    private static final FunctionTool NOW = new FunctionTool("now", FunctionTool.ANY_OBJECT);
    private static final List<FunctionTool> TOOLS = List.of(WEATHER, NOW);

    private static TokenVocabulary bytes() {
        byte[][] b = new byte[257][];
        for (int i = 0; i < 256; i++) b[i] = new byte[] {(byte) i};
        return TokenVocabulary.of(b, new int[] {EOS});
    }

    private static Constraint compile(ToolCallFormat f, List<FunctionTool> tools, boolean parallel) {
        return ConstraintCompiler.compile(ToolGrammar.spec(f, tools, parallel), BYTES);
    }

    private static boolean matches(Constraint c, String s) {
        ConstraintMatcher m = c.newState();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) if (!m.accept(b & 0xFF)) return false;
        return m.canTerminate() && m.accept(EOS);
    }

    @Test
    void acceptsCallsAsTheTemplatesWriteThem() {
        String weather = "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"unit\": \"c\"}}";
        Constraint hermes = compile(ToolCallFormat.HERMES, TOOLS, true);
        assertTrue(matches(hermes, "<tool_call>\n" + weather + "\n</tool_call>"));
        assertTrue(matches(hermes, "<tool_call>\n" + weather + "\n</tool_call>\n<tool_call>\n"
                + "{\"name\": \"now\", \"arguments\": {}}\n</tool_call>"));
        Constraint llama = compile(ToolCallFormat.LLAMA3_JSON, TOOLS, false);
        assertTrue(matches(llama, "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Oslo\"}}"));
        Constraint mistral = compile(ToolCallFormat.MISTRAL, TOOLS, true);
        assertTrue(matches(mistral, "[TOOL_CALLS][" + weather + ", {\"name\": \"now\", \"arguments\": {\"x\": 1}}]"));
    }

    @Test
    void rejectsWhatIsNotACallOfTheseFunctions() {
        Constraint hermes = compile(ToolCallFormat.HERMES, TOOLS, false);
        String ok = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>";
        assertTrue(matches(hermes, ok));
        for (String bad : new String[] {
            "",
            "Sure! " + ok,                                                                                // text first
            ok.replace("get_weather", "get_time"),                                                       // unknown function
            ok.replace("{\"city\": \"Paris\"}", "{}"),                                                     // required missing
            ok.replace("\"Paris\"", "3"),                                                                 // wrong type
            ok.replace("\"Paris\"", "\"Llanfairpwllgwyngyll\""),                                          // too long
            ok.replace("{\"city\": \"Paris\"}", "{\"city\": \"Paris\", \"unit\": \"k\"}"),                 // not in enum
            ok + "\n" + ok,                                                                               // parallel off
            ok.substring(0, ok.length() - 3),                                                            // unfinished
        }) {
            assertFalse(matches(hermes, bad), bad);
        }
        Constraint named = compile(ToolCallFormat.LLAMA3_JSON, List.of(NOW), false);
        assertFalse(matches(named, "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Oslo\"}}"));
        assertTrue(matches(named, "{\"name\": \"now\", \"parameters\": {\"tz\": \"UTC\"}}"));
    }

    /** Whatever the constraint lets through parses into calls of the given functions with valid arguments. */
    @Test
    void everyOutputItAllowsParses() throws Exception {
        Random random = new Random(17);
        for (ToolCallFormat f : ToolCallFormat.values()) {
            Constraint c = compile(f, TOOLS, true);
            for (int trial = 0; trial < 40; trial++) {
                String out = walk(c, random);
                ParsedOutput parsed = ToolCallParser.parse(f, out, Integer.MAX_VALUE);
                assertNull(parsed.content(), f + ": " + out);
                assertFalse(parsed.calls().isEmpty(), f + ": " + out);
                for (ParsedOutput.Call call : parsed.calls()) {
                    assertTrue(Set.of("get_weather", "now").contains(call.name()), out);
                    JsonNode args = JSON.readTree(call.arguments());
                    assertTrue(args.isObject(), out);
                    if (call.name().equals("get_weather")) {
                        assertTrue(args.path("city").isTextual(), out);
                        assertTrue(args.path("city").textValue().length() <= 12, out);
                    }
                }
            }
        }
    }

    /** A random output under the constraint: random allowed bytes, ending when it may (or must) end. */
    private static String walk(Constraint c, Random random) {
        ConstraintMatcher m = c.newState();
        long[] mask = new long[BYTES.maskWords()];
        List<Integer> allowed = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        byte[] bytes = new byte[4096];
        int n = 0;
        while (true) {
            m.fillMask(mask);
            allowed.clear();
            for (int t = 0; t <= EOS; t++) if ((mask[t >>> 6] & (1L << t)) != 0) allowed.add(t);
            assertFalse(allowed.isEmpty(), "a dead end after " + out);
            boolean mayEnd = allowed.contains(EOS);
            if (mayEnd && (allowed.size() == 1 || random.nextInt(4) == 0 || n > 3000)) break;
            // ASCII keeps the walk short and readable; a Unicode byte is taken only when nothing else is allowed
            List<Integer> ascii = allowed.stream().filter(t -> t < 128 && t != EOS).toList();
            List<Integer> pick = ascii.isEmpty() ? allowed.stream().filter(t -> t != EOS).toList() : ascii;
            int t = pick.get(random.nextInt(pick.size()));
            assertTrue(m.accept(t));
            bytes[n++] = (byte) t;
        }
        out.append(new String(bytes, 0, n, StandardCharsets.UTF_8));
        return out.toString();
    }

    @Test
    void aBadSchemaIsNamedWithItsPlace() {
        FunctionTool bad = new FunctionTool("f", "{\"type\": \"object\", \"properties\": {\"a\": {\"oneOf\": []}}}");
        ConstraintException e = assertThrows(ConstraintException.class,
                () -> compile(ToolCallFormat.HERMES, List.of(bad), false));
        assertTrue(e.getMessage().contains("/schemas/args-f/properties/a"), e.getMessage());
    }

    @Test
    void functionNamesFollowOpenAisRule() {
        assertThrows(IllegalArgumentException.class, () -> new FunctionTool("has space", FunctionTool.ANY_OBJECT));
        assertThrows(IllegalArgumentException.class, () -> new FunctionTool("", FunctionTool.ANY_OBJECT));
        assertEquals("a-b_C9", new FunctionTool("a-b_C9", FunctionTool.ANY_OBJECT).name());
    }
}

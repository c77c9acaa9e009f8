package dev.gannet.runtime.toolcall;

import static dev.gannet.runtime.toolcall.ToolCallFormat.HERMES;
import static dev.gannet.runtime.toolcall.ToolCallFormat.LLAMA3_JSON;
import static dev.gannet.runtime.toolcall.ToolCallFormat.MISTRAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ToolCallParserTest {
    private static final String WEATHER = "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": [1, 2]}}";
    private static final String WEATHER_ARGS = "{\"city\": \"Paris\", \"days\": [1, 2]}";

    private static ParsedOutput parse(ToolCallFormat f, String text) {
        return ToolCallParser.parse(f, text, Integer.MAX_VALUE);
    }

    private static ParsedOutput.Call call(String name, String args) {
        return new ParsedOutput.Call(name, args);
    }

    // ---- Hermes / Qwen2.5

    @Test
    void hermesCallWithTextBefore() {
        ParsedOutput out = parse(HERMES, "Let me look.\n<tool_call>\n" + WEATHER + "\n</tool_call>");
        assertEquals("Let me look.", out.content());
        assertEquals(List.of(call("get_weather", WEATHER_ARGS)), out.calls());
    }

    @Test
    void hermesTwoCallsAndNoText() {
        ParsedOutput out = parse(HERMES, "<tool_call>\n" + WEATHER + "\n</tool_call>\n<tool_call>\n"
                + "{\"name\": \"now\", \"arguments\": {}}\n</tool_call>");
        assertNull(out.content());
        assertEquals(List.of(call("get_weather", WEATHER_ARGS), call("now", "{}")), out.calls());
    }

    @Test
    void plainTextIsKeptExactly() {
        for (ToolCallFormat f : ToolCallFormat.values()) {
            String text = "  Hello <b>world</b>, [1, 2] {x}\n\n";
            ParsedOutput out = parse(f, text);
            assertEquals(text, out.content(), f.name());
            assertTrue(out.calls().isEmpty());
        }
    }

    @Test
    void hermesMalformedCallsFallBackToText() {
        for (String bad : new String[] {
            "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": }}\n</tool_call>", // broken JSON
            "<tool_call>\n{\"arguments\": {}}\n</tool_call>",                           // no name
            "<tool_call>\n{\"name\": 7, \"arguments\": {}}\n</tool_call>",                // name not a string
            "<tool_call>\n{\"name\": \"f\", \"arguments\": \"{}\"}\n</tool_call>",        // arguments not an object
            "<tool_call>\n{\"name\": \"f\", \"name\": \"g\"}\n</tool_call>",              // duplicate key
            "<tool_call>\nnot json\n</tool_call>",
            "<tool_call>\n{\"name\": \"f\", \"argu",                                      // truncated
        }) {
            ParsedOutput out = parse(HERMES, bad);
            assertEquals(bad, out.content(), bad);
            assertTrue(out.calls().isEmpty(), bad);
        }
    }

    @Test
    void aBadCallDoesNotSpoilAGoodOne() {
        ParsedOutput out = parse(HERMES, "<tool_call>oops</tool_call>\n<tool_call>" + WEATHER + "</tool_call>");
        assertEquals("<tool_call>oops</tool_call>", out.content());
        assertEquals(List.of(call("get_weather", WEATHER_ARGS)), out.calls());
    }

    @Test
    void keysInAnyOrderAndEscapedNames() {
        ParsedOutput out = parse(HERMES, "<tool_call>{\"arguments\": {\"q\": \"a\\\"b\"}, \"name\": \"se\\u0061rch\"}</tool_call>");
        assertEquals(List.of(call("search", "{\"q\": \"a\\\"b\"}")), out.calls());
    }

    @Test
    void missingClosingTagIsForgiven() {
        ParsedOutput out = parse(HERMES, "<tool_call>\n" + WEATHER + "\nDone.");
        assertEquals("Done.", out.content());
        assertEquals(1, out.calls().size());
    }

    @Test
    void parallelFalseKeepsTheFirstCall() {
        String two = "<tool_call>" + WEATHER + "</tool_call><tool_call>{\"name\": \"x\", \"arguments\": {}}</tool_call>";
        ParsedOutput out = ToolCallParser.parse(HERMES, two, 1);
        assertEquals(List.of(call("get_weather", WEATHER_ARGS)), out.calls());
        assertNull(out.content());
    }

    // ---- Llama 3 JSON

    @Test
    void llamaJsonCall() {
        ParsedOutput out = parse(LLAMA3_JSON, " {\"name\": \"get_weather\", \"parameters\": " + WEATHER_ARGS + "}");
        assertNull(out.content());
        assertEquals(List.of(call("get_weather", WEATHER_ARGS)), out.calls());
    }

    @Test
    void llamaPythonTagAndSeveralCalls() {
        ParsedOutput out = parse(LLAMA3_JSON, "<|python_tag|>{\"name\": \"a\", \"parameters\": {\"x\": 1}}; "
                + "{\"name\": \"b\", \"arguments\": {}}");
        assertEquals(List.of(call("a", "{\"x\": 1}"), call("b", "{}")), out.calls());
        assertNull(out.content());
    }

    @Test
    void llamaTextOrJsonThatIsNoCallIsText() {
        for (String text : new String[] {"The answer is {\"name\": \"x\"}", "{\"answer\": 42}", "{\"name\": \"f\", ",
            "<|python_tag|>print(1)", "<|pyth"}) {
            ParsedOutput out = parse(LLAMA3_JSON, text);
            assertEquals(text, out.content(), text);
            assertTrue(out.calls().isEmpty(), text);
        }
    }

    @Test
    void llamaTextAfterTheCalls() {
        ParsedOutput out = parse(LLAMA3_JSON, "{\"name\": \"a\", \"parameters\": {}}\nthat is all");
        assertEquals("that is all", out.content());
        assertEquals(1, out.calls().size());
    }

    // ---- Mistral

    @Test
    void mistralArrayOfCalls() {
        ParsedOutput out = parse(MISTRAL, "Sure. [TOOL_CALLS] [" + WEATHER + ", {\"name\": \"now\", \"arguments\": {}}]");
        assertEquals("Sure.", out.content());
        assertEquals(List.of(call("get_weather", WEATHER_ARGS), call("now", "{}")), out.calls());
    }

    @Test
    void mistralMalformedIsText() {
        for (String bad : new String[] {"[TOOL_CALLS] oops", "[TOOL_CALLS][{\"name\": 1}]", "[TOOL_CALLS][{\"na"}) {
            ParsedOutput out = parse(MISTRAL, bad);
            assertEquals(bad, out.content(), bad);
            assertTrue(out.calls().isEmpty(), bad);
        }
    }

    // ---- streaming

    /** Every case, fed in pieces of every size from 1 character up, gives what it gives whole. */
    @Test
    void streamingInPiecesMatchesTheWholeParse() {
        List<Object[]> cases = List.of(
                new Object[] {HERMES, "Let me look.\n<tool_call>\n" + WEATHER + "\n</tool_call>\n<tool_call>{\"name\": \"n\"}</tool_call>\n"},
                new Object[] {HERMES, "a <tool b <tool_call>nope</tool_call> <tool_call>" + WEATHER + "</tool_call> end"},
                new Object[] {HERMES, "x<tool_call>\n{\"nam: 1}</tool_call> y"},
                new Object[] {LLAMA3_JSON, "<|python_tag|>" + WEATHER.replace("arguments", "parameters") + "; " + WEATHER},
                new Object[] {LLAMA3_JSON, "{\"answer\": [1, 2, 3]} and text"},
                new Object[] {MISTRAL, "ok [TOOL_CALLS][" + WEATHER + ",{\"name\": \"b\", \"arguments\": {\"k\": [true, null]}}]"});
        Random random = new Random(7);
        for (Object[] c : cases) {
            ToolCallFormat f = (ToolCallFormat) c[0];
            String text = (String) c[1];
            ParsedOutput whole = parse(f, text);
            for (int size = 1; size <= text.length(); size++) {
                assertEquals(whole, streamed(f, text, size, null), f + " in pieces of " + size + ": " + text);
            }
            for (int trial = 0; trial < 50; trial++) {
                assertEquals(whole, streamed(f, text, 0, random), f + " in random pieces: " + text);
            }
        }
    }

    private static ParsedOutput streamed(ToolCallFormat f, String text, int size, Random random) {
        ParsedOutput.Collector collector = new ParsedOutput.Collector();
        ToolCallParser p = new ToolCallParser(f, Integer.MAX_VALUE, collector);
        for (int i = 0; i < text.length(); ) {
            int n = random == null ? size : 1 + random.nextInt(8);
            int end = Math.min(text.length(), i + n);
            p.feed(text.substring(i, end));
            i = end;
        }
        p.finish();
        return collector.result();
    }

    @Test
    void streamsTextEarlyAndHoldsOnlyAPossibleMarker() {
        Events e = new Events();
        ToolCallParser p = new ToolCallParser(HERMES, 8, e);
        p.feed("Hello <tool");
        assertEquals(List.of("content:Hello"), e.log);
        p.feed("box>");
        assertEquals(List.of("content:Hello", "content: <toolbox>"), e.log);
    }

    @Test
    void announcesTheCallOnItsNameAndStreamsArguments() {
        Events e = new Events();
        ToolCallParser p = new ToolCallParser(HERMES, 8, e);
        p.feed("<tool_call>\n{\"name\": \"get_");
        assertEquals(List.of(), e.log);
        p.feed("weather\", \"arguments\": {\"city\": \"Pa");
        assertEquals(List.of("call0:get_weather", "args0:{\"city\": \"Pa"), e.log);
        p.feed("ris\"}}\n</tool_call>");
        p.finish();
        assertEquals(List.of("call0:get_weather", "args0:{\"city\": \"Pa", "args0:ris\"}"), e.log);
    }

    @Test
    void anAnnouncedCallThatBreaksEndsThere() {
        Events e = new Events();
        ToolCallParser p = new ToolCallParser(HERMES, 8, e);
        p.feed("<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": 1");
        p.feed("x}} trailing");
        p.finish();
        assertEquals(List.of("call0:f", "args0:{\"a\": 1"), e.log);
        assertThrows(IllegalStateException.class, () -> p.feed("more"));
    }

    private static final class Events implements ToolCallParser.Sink {
        final List<String> log = new ArrayList<>();

        @Override
        public void content(String text) {
            log.add("content:" + text);
        }

        @Override
        public void callStart(int index, String name) {
            log.add("call" + index + ":" + name);
        }

        @Override
        public void arguments(int index, String fragment) {
            log.add("args" + index + ":" + fragment);
        }
    }
}

package dev.gannet.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gannet.runtime.toolcall.ParsedOutput;
import dev.gannet.runtime.toolcall.ToolCallFormat;
import dev.gannet.runtime.toolcall.ToolCallParser;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One chat choice's output as OpenAI shows tool calls. Streaming: each piece of text becomes the chunk
 * {@code delta}s it stands for (content, then for each call a first delta with index, id, type and name, then
 * argument fragments), merged where consecutive. Non-streaming: the whole text becomes the message's
 * {@code content} and {@code tool_calls}.
 *
 * <p>Confined to the request's Vert.x context, like the exchange that owns it.
 */
final class ToolCallOutput implements ToolCallParser.Sink {
    private static final char[] ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final ToolCallFormat format;
    private final ToolCallParser parser;
    private final List<ObjectNode> deltas = new ArrayList<>();
    private String lastKind = "";
    private int lastIndex = -1;

    ToolCallOutput(ToolCalling tools) {
        this.format = tools.format();
        this.parser = new ToolCallParser(tools.format(), tools.maxCalls(), this);
    }

    /** The deltas this text releases (possibly none). */
    List<ObjectNode> feed(String text) {
        if (!text.isEmpty()) parser.feed(text);
        return drain();
    }

    /** The deltas held back until the end. */
    List<ObjectNode> finish() {
        parser.finish();
        return drain();
    }

    int calls() {
        return parser.calls();
    }

    private List<ObjectNode> drain() {
        if (deltas.isEmpty()) return List.of();
        List<ObjectNode> out = List.copyOf(deltas);
        deltas.clear();
        lastKind = "";
        return out;
    }

    @Override
    public void content(String text) {
        if (lastKind.equals("content")) {
            ObjectNode last = deltas.getLast();
            last.put("content", last.get("content").textValue() + text);
            return;
        }
        ObjectNode d = OpenAiJson.MAPPER.createObjectNode();
        d.put("content", text);
        add(d, "content", -1);
    }

    @Override
    public void callStart(int index, String name) {
        ObjectNode d = OpenAiJson.MAPPER.createObjectNode();
        ObjectNode call = d.putArray("tool_calls").addObject();
        call.put("index", index);
        call.put("id", newId(format));
        call.put("type", "function");
        ObjectNode fn = call.putObject("function");
        fn.put("name", name);
        fn.put("arguments", "");
        add(d, "args", index);
    }

    @Override
    public void arguments(int index, String fragment) {
        if (lastKind.equals("args") && lastIndex == index) {
            ObjectNode fn = (ObjectNode) deltas.getLast().get("tool_calls").get(0).get("function");
            fn.put("arguments", fn.get("arguments").textValue() + fragment);
            return;
        }
        ObjectNode d = OpenAiJson.MAPPER.createObjectNode();
        ObjectNode call = d.putArray("tool_calls").addObject();
        call.put("index", index);
        call.putObject("function").put("arguments", fragment);
        add(d, "args", index);
    }

    private void add(ObjectNode delta, String kind, int index) {
        deltas.add(delta);
        lastKind = kind;
        lastIndex = index;
    }

    /**
     * The non-streaming message: {@code content} (null when the output is only calls) and {@code tool_calls} (absent
     * when there are none).
     */
    static ObjectNode message(ToolCalling tools, String text) {
        ParsedOutput parsed = ToolCallParser.parse(tools.format(), text, tools.maxCalls());
        ObjectNode message = OpenAiJson.MAPPER.createObjectNode();
        message.put("role", "assistant");
        message.put("content", parsed.content());
        if (!parsed.calls().isEmpty()) {
            ArrayNode calls = message.putArray("tool_calls");
            for (ParsedOutput.Call c : parsed.calls()) {
                ObjectNode call = calls.addObject();
                call.put("id", newId(tools.format()));
                call.put("type", "function");
                ObjectNode fn = call.putObject("function");
                fn.put("name", c.name());
                fn.put("arguments", c.arguments());
            }
        }
        return message;
    }

    /**
     * A call id: {@code call_} and 24 letters or digits, as OpenAI's; for Mistral exactly 9 letters or digits, since
     * its template refuses any other id when the call comes back in the conversation.
     */
    static String newId(ToolCallFormat format) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int n = format == ToolCallFormat.MISTRAL ? 9 : 24;
        StringBuilder sb = new StringBuilder(format == ToolCallFormat.MISTRAL ? "" : "call_");
        for (int i = 0; i < n; i++) sb.append(ALNUM[r.nextInt(ALNUM.length)]);
        return sb.toString();
    }
}

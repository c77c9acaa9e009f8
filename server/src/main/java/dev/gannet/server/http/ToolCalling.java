package dev.gannet.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gannet.runtime.toolcall.FunctionTool;
import dev.gannet.runtime.toolcall.ToolCallFormat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A chat request's tool calling: its functions, {@code tool_choice} and {@code parallel_tool_calls}, and (once the
 * server knows the model's template) the format its output is parsed in.
 *
 * @param tools    the offered functions, in request order (not empty)
 * @param choice   none: the output is not parsed for calls (the template still sees the tools, as in vLLM);
 *                 auto: it is parsed; required / named: it is also constrained to be calls
 * @param named    the function {@code tool_choice} names, or null
 * @param parallel {@code parallel_tool_calls}: false keeps at most one call
 * @param format   the output format; null until {@link #withFormat}
 */
record ToolCalling(List<FunctionTool> tools, Choice choice, String named, boolean parallel, ToolCallFormat format) {
    enum Choice { NONE, AUTO, REQUIRED, NAMED }

    ToolCalling {
        tools = List.copyOf(tools);
        Objects.requireNonNull(choice, "choice");
        if (tools.isEmpty()) throw new IllegalArgumentException("tool calling needs tools");
        if ((choice == Choice.NAMED) != (named != null)) throw new IllegalArgumentException("a name goes with tool_choice named");
    }

    /** Whether the output is parsed for calls. */
    boolean parses() {
        return choice != Choice.NONE;
    }

    /** Whether the output is constrained to be calls. */
    boolean constrained() {
        return choice == Choice.REQUIRED || choice == Choice.NAMED;
    }

    /** Calls to return at most. */
    int maxCalls() {
        return parallel && choice != Choice.NAMED ? Integer.MAX_VALUE : 1;
    }

    /** The functions a constrained output may call: the named one, or all. */
    List<FunctionTool> callable() {
        return choice == Choice.NAMED ? tools.stream().filter(t -> t.name().equals(named)).toList() : tools;
    }

    ToolCalling withFormat(ToolCallFormat f) {
        return new ToolCalling(tools, choice, named, parallel, f);
    }

    /**
     * Reads {@code tools}, {@code tool_choice} and {@code parallel_tool_calls}; null when the request offers no tools.
     * Every shape error is a 400 naming the field.
     */
    static ToolCalling read(ObjectNode body) {
        JsonNode toolsNode = JsonFields.present(body, "tools");
        if (toolsNode != null && !toolsNode.isArray()) {
            throw JsonFields.typeError("tools", "an array of tools", toolsNode);
        }
        boolean parallel = JsonFields.optBool(body, "parallel_tool_calls", true);
        JsonNode choiceNode = JsonFields.present(body, "tool_choice");
        List<FunctionTool> tools = toolsNode == null ? List.of() : functions(toolsNode);
        if (tools.isEmpty()) {
            if (choiceNode != null && !(choiceNode.isTextual() && Set.of("none", "auto").contains(choiceNode.textValue()))) {
                throw ApiException.badRequest("tool_choice", "'tool_choice' other than \"none\" or \"auto\" needs 'tools'");
            }
            return null;
        }
        if (choiceNode == null || choiceNode.isTextual()) {
            String c = choiceNode == null ? "auto" : choiceNode.textValue();
            Choice choice = switch (c) {
                case "none" -> Choice.NONE;
                case "auto" -> Choice.AUTO;
                case "required" -> Choice.REQUIRED;
                default -> throw ApiException.badRequest("tool_choice", "'tool_choice' must be \"none\", \"auto\", "
                        + "\"required\" or {\"type\": \"function\", \"function\": {\"name\": ...}}, got \"" + c + "\"");
            };
            return new ToolCalling(tools, choice, null, parallel, null);
        }
        if (!choiceNode.isObject() || !"function".equals(choiceNode.path("type").asText(null))
                || !choiceNode.path("function").path("name").isTextual()) {
            throw ApiException.badRequest("tool_choice", "'tool_choice' must be \"none\", \"auto\", \"required\" or "
                    + "{\"type\": \"function\", \"function\": {\"name\": ...}}");
        }
        String name = choiceNode.get("function").get("name").textValue();
        if (tools.stream().noneMatch(t -> t.name().equals(name))) {
            throw ApiException.badRequest("tool_choice", "'tool_choice' names function '" + name
                    + "', which is not among 'tools'");
        }
        return new ToolCalling(tools, Choice.NAMED, name, parallel, null);
    }

    private static List<FunctionTool> functions(JsonNode toolsNode) {
        List<FunctionTool> out = new ArrayList<>(toolsNode.size());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < toolsNode.size(); i++) {
            JsonNode t = toolsNode.get(i);
            String where = "tools[" + i + "]";
            if (!t.isObject() || !"function".equals(t.path("type").asText(null)) || !t.path("function").isObject()) {
                throw ApiException.badRequest("tools", "'" + where + "' must be {\"type\": \"function\", \"function\": {...}}");
            }
            JsonNode fn = t.get("function");
            JsonNode name = fn.get("name");
            if (name == null || !name.isTextual() || !FunctionTool.isValidName(name.textValue())) {
                throw ApiException.badRequest("tools", "'" + where + ".function.name' must be 1 to 64 of a-z, A-Z, 0-9, "
                        + "_ and -");
            }
            if (!names.add(name.textValue())) {
                throw ApiException.badRequest("tools", "'" + where + "': function '" + name.textValue() + "' is given twice");
            }
            JsonNode description = fn.get("description");
            if (description != null && !description.isNull() && !description.isTextual()) {
                throw ApiException.badRequest("tools", "'" + where + ".function.description' must be a string");
            }
            JsonNode params = fn.get("parameters");
            if (params != null && !params.isNull() && !params.isObject()) {
                throw ApiException.badRequest("tools", "'" + where + ".function.parameters' must be a JSON Schema object");
            }
            boolean noParams = params == null || params.isNull() || params.isEmpty();
            out.add(new FunctionTool(name.textValue(), noParams ? FunctionTool.ANY_OBJECT : params.toString()));
        }
        return out;
    }
}

package dev.gannet.runtime.toolcall;

import dev.gannet.runtime.constraint.ConstraintSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The constraint for {@code tool_choice: required} or a named function: the output is one call (or, with parallel
 * calls, one or more) of the given functions, each with arguments valid under its parameters' schema, written in
 * the format's frame exactly as the model's chat template writes calls in the conversation, and nothing else. So the
 * output always parses ({@link ToolCallParser}) into calls of those functions.
 *
 * <p>The frame is GBNF; each function's arguments are a rule compiled from its schema
 * ({@link ConstraintSpec#grammarWithSchemas}).
 */
public final class ToolGrammar {
    private ToolGrammar() {
    }

    /**
     * @param tools    the functions the output may call (for a named tool_choice: just that one); not empty
     * @param parallel whether several calls may follow one another
     */
    public static ConstraintSpec spec(ToolCallFormat format, List<FunctionTool> tools, boolean parallel) {
        if (tools.isEmpty()) throw new IllegalArgumentException("a tool-call grammar needs at least one function");
        Map<String, String> schemas = new LinkedHashMap<>();
        StringBuilder call = new StringBuilder("call ::= ");
        String argsKey = format == ToolCallFormat.LLAMA3_JSON ? "parameters" : "arguments";
        for (int i = 0; i < tools.size(); i++) {
            FunctionTool t = tools.get(i);
            String rule = "args-" + t.name(); // a schema error then points at /schemas/args-<function>/...
            schemas.put(rule, t.parametersSchema());
            if (i > 0) call.append("\n    | ");
            call.append(literal("{\"name\": \"" + t.name() + "\", \"" + argsKey + "\": ")).append(' ').append(rule)
                    .append(' ').append(literal("}"));
        }
        String root = switch (format) {
            case HERMES -> "root ::= hcall" + (parallel ? " (" + literal("\n") + " hcall)*" : "") + "\n"
                    + "hcall ::= " + literal("<tool_call>\n") + " call " + literal("\n</tool_call>");
            case LLAMA3_JSON -> "root ::= call" + (parallel ? " (" + literal("; ") + " call)*" : "");
            case MISTRAL -> "root ::= " + literal("[TOOL_CALLS][") + " call"
                    + (parallel ? " (" + literal(", ") + " call)*" : "") + " " + literal("]");
        };
        return ConstraintSpec.grammarWithSchemas(root + "\n" + call + "\n", schemas);
    }

    /** A GBNF string literal. */
    static String literal(String text) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}

package dev.gannet.runtime.toolcall;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One output split into text and tool calls.
 *
 * @param content the text outside calls; null when there are calls and no text (OpenAI's {@code content: null})
 * @param calls   the calls in output order
 */
public record ParsedOutput(String content, List<Call> calls) {
    public ParsedOutput {
        calls = List.copyOf(calls);
        if (content == null && calls.isEmpty()) throw new IllegalArgumentException("an output without calls has text");
    }

    /**
     * One call.
     *
     * @param name      the function's name
     * @param arguments the arguments' JSON text as the model wrote it ({@code {}} when it gave none)
     */
    public record Call(String name, String arguments) {
        public Call {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(arguments, "arguments");
        }
    }

    /** A {@link ToolCallParser.Sink} that gathers the whole answer. */
    static final class Collector implements ToolCallParser.Sink {
        private final StringBuilder text = new StringBuilder();
        private final List<String> names = new ArrayList<>();
        private final List<StringBuilder> args = new ArrayList<>();

        @Override
        public void content(String t) {
            text.append(t);
        }

        @Override
        public void callStart(int index, String name) {
            names.add(name);
            args.add(new StringBuilder());
        }

        @Override
        public void arguments(int index, String fragment) {
            args.get(index).append(fragment);
        }

        ParsedOutput result() {
            List<Call> calls = new ArrayList<>(names.size());
            for (int i = 0; i < names.size(); i++) calls.add(new Call(names.get(i), args.get(i).toString()));
            String content = calls.isEmpty() || !text.isEmpty() ? text.toString() : null;
            return new ParsedOutput(content, calls);
        }
    }
}

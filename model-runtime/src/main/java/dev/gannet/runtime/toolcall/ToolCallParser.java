package dev.gannet.runtime.toolcall;

import java.util.Objects;

/**
 * Splits one sequence's output, as it streams, into text and tool calls of one {@link ToolCallFormat}. Text is
 * released as soon as it cannot be part of a call (only a tail that might begin a call marker is held back, and
 * whitespace, which is dropped when it turns out to touch a call); a call is announced once its name is read, and
 * its arguments' raw JSON text follows in fragments as it arrives, so the fragments joined are exactly what the
 * model wrote. {@link #parse} gives the non-streaming answer through the same rules, knowing the end: there a call
 * cut short (by max_tokens) is text.
 *
 * <p>Malformed output is text: a call whose JSON breaks (or ends) before its name was read, or that closes without
 * being a call (no string {@code name}, arguments that are not an object, duplicate keys), is given back as
 * content, marker and all. Once a call has been announced it cannot be taken back from a stream: if its JSON then
 * breaks, the call ends with the arguments sent so far and the rest of the output is dropped.
 *
 * <p>Not thread-safe: one parser per sequence, fed on one thread (the request's Vert.x context).
 */
public final class ToolCallParser {
    /** Where the parser's output goes, in order. */
    public interface Sink {
        /** Text outside calls. */
        void content(String text);

        /** A new call, numbered from 0 in the output's order. */
        void callStart(int index, String name);

        /** The next piece of call {@code index}'s arguments (raw JSON text). */
        void arguments(int index, String fragment);
    }

    private static final String HERMES_OPEN = "<tool_call>";
    private static final String HERMES_CLOSE = "</tool_call>";
    private static final String MISTRAL_OPEN = "[TOOL_CALLS]";
    private static final String PYTHON_TAG = "<|python_tag|>";

    private enum Mode { START, CONTENT, TEXT_ONLY, BEFORE_ARRAY, BEFORE_OBJECT, IN_OBJECT, AFTER_OBJECT, DISCARD }

    private final ToolCallFormat format;
    private final Sink sink;
    private final int maxCalls;
    private final StringBuilder buf = new StringBuilder();
    private final StringBuilder pendingWhitespace = new StringBuilder();
    private Mode mode;
    private int pos;          // buf before pos is decided
    private int blockStart;   // where the current call's frame began (given back as text if it is no call)
    private int resumeAt;     // where scanning for text resumes after giving a frame back
    private int objStart;     // the current call object's '{'
    private boolean started;  // the current object was announced (or counted, when suppressed)
    private boolean suppressed;
    private int argsSent = -1; // end in buf of the arguments sent for the current call
    private int calls;        // calls announced
    private boolean sawCall;  // calls seen, including those past maxCalls
    private boolean afterCall;
    private boolean finished;

    /**
     * @param maxCalls calls to announce at most (1 for {@code parallel_tool_calls: false}); later ones are parsed and
     *                 dropped
     */
    public ToolCallParser(ToolCallFormat format, int maxCalls, Sink sink) {
        this.format = Objects.requireNonNull(format, "format");
        this.sink = Objects.requireNonNull(sink, "sink");
        if (maxCalls < 1) throw new IllegalArgumentException("maxCalls must be >= 1, got " + maxCalls);
        this.maxCalls = maxCalls;
        this.mode = format == ToolCallFormat.LLAMA3_JSON ? Mode.START : Mode.CONTENT;
    }

    /** The next piece of output text. */
    public void feed(String text) {
        if (finished) throw new IllegalStateException("the parser has finished");
        buf.append(text);
        advance(false);
    }

    /** The output has ended: everything held back is decided. */
    public void finish() {
        if (finished) return;
        advance(true);
        finished = true;
        if (!sawCall && !pendingWhitespace.isEmpty()) {
            sink.content(pendingWhitespace.toString()); // plain text keeps every character
        }
        pendingWhitespace.setLength(0);
    }

    /** Calls announced so far. */
    public int calls() {
        return calls;
    }

    /** The whole output at once: its text (null when it is only calls) and its calls. */
    public static ParsedOutput parse(ToolCallFormat format, String output, int maxCalls) {
        ParsedOutput.Collector collector = new ParsedOutput.Collector();
        ToolCallParser parser = new ToolCallParser(format, maxCalls, collector);
        parser.buf.append(output); // not feed: nothing is announced before the end is known
        parser.finish();
        return collector.result();
    }

    private void advance(boolean last) {
        while (step(last)) {
            // each step either moves on (true) or waits for more text (false)
        }
    }

    private boolean step(boolean last) {
        return switch (mode) {
            case START -> start(last);
            case CONTENT -> content(last);
            case TEXT_ONLY -> {
                text(pos, buf.length());
                pos = buf.length();
                yield false;
            }
            case BEFORE_ARRAY -> expect('[', Mode.BEFORE_OBJECT, last);
            case BEFORE_OBJECT -> beforeObject(last);
            case IN_OBJECT -> inObject(last);
            case AFTER_OBJECT -> afterObject(last);
            case DISCARD -> {
                pos = buf.length();
                yield false;
            }
        };
    }

    /** Llama 3: the output is a call only if it starts with one ('{' or the python tag), else it is all text. */
    private boolean start(boolean last) {
        int i = JsonScan.skipWhitespace(buf, pos);
        text(pos, i);
        pos = i;
        if (i == buf.length()) return false;
        blockStart = i;
        resumeAt = i;
        if (startsWith(i, PYTHON_TAG)) {
            pos = i + PYTHON_TAG.length();
            mode = Mode.BEFORE_OBJECT;
        } else if (!last && isPrefixOf(i, PYTHON_TAG)) {
            return false;
        } else {
            mode = buf.charAt(i) == '{' ? Mode.BEFORE_OBJECT : Mode.TEXT_ONLY;
        }
        return true;
    }

    private boolean content(boolean last) {
        String marker = format == ToolCallFormat.MISTRAL ? MISTRAL_OPEN : HERMES_OPEN;
        int k = buf.indexOf(marker, pos);
        if (k < 0) {
            int safe = last ? buf.length() : buf.length() - heldPrefix(marker);
            text(pos, safe);
            pos = Math.max(pos, safe);
            return false;
        }
        text(pos, k);
        blockStart = k;
        resumeAt = k + marker.length();
        pos = resumeAt;
        mode = format == ToolCallFormat.MISTRAL ? Mode.BEFORE_ARRAY : Mode.BEFORE_OBJECT;
        return true;
    }

    private boolean expect(char c, Mode next, boolean last) {
        int i = JsonScan.skipWhitespace(buf, pos);
        if (i == buf.length()) return last && giveBack();
        if (buf.charAt(i) != c) return giveBack();
        pos = i + 1;
        mode = next;
        return true;
    }

    private boolean beforeObject(boolean last) {
        int i = JsonScan.skipWhitespace(buf, pos);
        if (i == buf.length()) return last && giveBack();
        if (buf.charAt(i) != '{') return giveBack();
        objStart = i;
        started = false;
        suppressed = false;
        argsSent = -1;
        mode = Mode.IN_OBJECT;
        return true;
    }

    private boolean inObject(boolean last) {
        CallScan scan = CallScan.scan(buf, objStart);
        if (scan.invalid() || (!scan.complete() && last)) {
            if (!started) return giveBack();
            endCall();
            mode = Mode.DISCARD; // announced already: the stream cannot take it back
            return true;
        }
        if (!scan.complete()) {
            if (!started && scan.name() != null && !scan.name().isEmpty()) announce(scan.name());
            if (started) sendArguments(scan.argsStart(), scan.argsEnd());
            return false;
        }
        boolean valid = CallScan.isValidCall(buf, scan, objStart);
        if (!valid && !started) return giveBack();
        if (valid) {
            if (!started) announce(scan.name());
            if (scan.argsStart() >= 0) {
                sendArguments(scan.argsStart(), scan.argsEnd());
            } else if (argsSent < 0 && !suppressed) {
                sink.arguments(calls - 1, "{}");
            }
        }
        endCall();
        pos = scan.end();
        mode = Mode.AFTER_OBJECT;
        return true;
    }

    private boolean afterObject(boolean last) {
        int i = JsonScan.skipWhitespace(buf, pos);
        switch (format) {
            case HERMES -> {
                if (startsWith(i, HERMES_CLOSE)) {
                    pos = i + HERMES_CLOSE.length();
                } else if (!last && isPrefixOf(i, HERMES_CLOSE)) {
                    return false;
                } else {
                    pos = i; // a missing closing tag is forgiven
                }
                mode = Mode.CONTENT;
            }
            case LLAMA3_JSON -> {
                if (i == buf.length() && !last) return false;
                if (i < buf.length() && buf.charAt(i) == ';') {
                    blockStart = i;
                    resumeAt = i;
                    pos = i + 1;
                    mode = Mode.BEFORE_OBJECT;
                } else {
                    pos = i;
                    mode = Mode.TEXT_ONLY;
                }
            }
            case MISTRAL -> {
                if (i == buf.length() && !last) return false;
                char c = i < buf.length() ? buf.charAt(i) : 0;
                if (c == ',') {
                    blockStart = i;
                    resumeAt = i + 1;
                    pos = i + 1;
                    mode = Mode.BEFORE_OBJECT;
                } else {
                    pos = c == ']' ? i + 1 : i;
                    mode = Mode.CONTENT;
                }
            }
        }
        return true;
    }

    /** The frame from {@code blockStart} is not a call: it is text, and scanning resumes after it. */
    private boolean giveBack() {
        if (format == ToolCallFormat.LLAMA3_JSON) {
            pos = resumeAt;
            mode = Mode.TEXT_ONLY;
        } else {
            text(blockStart, resumeAt);
            pos = resumeAt;
            mode = Mode.CONTENT;
        }
        return true;
    }

    private void announce(String name) {
        started = true;
        sawCall = true;
        pendingWhitespace.setLength(0); // whitespace before a call is not content
        if (calls >= maxCalls) {
            suppressed = true;
            return;
        }
        sink.callStart(calls++, name);
    }

    private void sendArguments(int from, int to) {
        if (suppressed || from < 0) return;
        int s = Math.max(from, argsSent);
        if (to > s) {
            sink.arguments(calls - 1, buf.substring(s, to));
            argsSent = to;
        }
    }

    private void endCall() {
        started = false;
        suppressed = false;
        argsSent = -1;
        afterCall = true;
    }

    /**
     * Text outside calls. Whitespace next to a call is not content: leading whitespace after a call is dropped, and
     * trailing whitespace is held until more text shows whether a call follows.
     */
    private void text(int from, int to) {
        if (to <= from) return;
        String t = buf.substring(from, to);
        if (afterCall) {
            int i = JsonScan.skipWhitespace(t, 0);
            if (i == t.length()) return;
            t = t.substring(i);
            afterCall = false;
        }
        int end = t.length();
        while (end > 0 && JsonScan.isWhitespace(t.charAt(end - 1))) end--;
        if (end == 0) {
            pendingWhitespace.append(t);
            return;
        }
        String out = pendingWhitespace.isEmpty() ? t.substring(0, end) : pendingWhitespace + t.substring(0, end);
        pendingWhitespace.setLength(0);
        pendingWhitespace.append(t, end, t.length());
        sink.content(out);
    }

    /** Characters at the end of buf that could begin {@code marker}. */
    private int heldPrefix(String marker) {
        int max = Math.min(marker.length() - 1, buf.length() - pos);
        for (int n = max; n > 0; n--) {
            if (isPrefixOf(buf.length() - n, marker)) return n;
        }
        return 0;
    }

    private boolean startsWith(int i, String s) {
        if (i + s.length() > buf.length()) return false;
        for (int k = 0; k < s.length(); k++) {
            if (buf.charAt(i + k) != s.charAt(k)) return false;
        }
        return true;
    }

    /** Whether buf from i to its end is a (possibly empty) prefix of s. */
    private boolean isPrefixOf(int i, String s) {
        int n = buf.length() - i;
        if (n > s.length()) return false;
        for (int k = 0; k < n; k++) {
            if (buf.charAt(i + k) != s.charAt(k)) return false;
        }
        return true;
    }
}

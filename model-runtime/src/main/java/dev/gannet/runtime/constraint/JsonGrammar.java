package dev.gannet.runtime.constraint;

import java.util.ArrayList;
import java.util.List;

/**
 * The pieces of JSON as {@link Expr}s: whitespace, strings, numbers, and (as recursive rules) any value.
 *
 * <p>Whitespace between tokens is flexible but bounded: nothing, one space, or a newline followed by at
 * most {@value #MAX_INDENT} spaces or tabs. That admits compact output, {@code ", "}/{@code ": "} spacing
 * and pretty-printing up to about eight levels, while a model that prefers whitespace cannot loop on it
 * (XGrammar and Outlines bound it for the same reason). There is no whitespace before or after the value.
 *
 * <p>Numbers are bounded too: at most {@value #MAX_INT_DIGITS} integer digits, {@value #MAX_FRACTION_DIGITS}
 * fraction digits and a two-digit exponent, so every number fits a double and a model cannot emit digits
 * forever.
 */
final class JsonGrammar {
    static final int MAX_INDENT = 16;
    static final int MAX_INT_DIGITS = 16;
    static final int MAX_FRACTION_DIGITS = 16;

    static final Expr WS = Expr.optional(Expr.alt(Expr.text(" "),
            Expr.seq(Expr.text("\n"), new Expr.Repeat(Expr.anyOf(" \t"), 0, MAX_INDENT))));

    private static final Expr HEX = Expr.anyOf("0123456789abcdefABCDEF");
    /** {@code \\uXXXX} not naming a surrogate, so every escape is one whole character. */
    private static final Expr UNICODE_ESCAPE = Expr.alt(
            Expr.seq(Expr.anyOf("0123456789abcABC"), HEX, HEX, HEX),
            Expr.seq(Expr.anyOf("dD"), Expr.anyOf("01234567"), HEX, HEX),
            Expr.seq(Expr.anyOf("efEF"), HEX, HEX, HEX));
    /** Characters that appear in a JSON string as themselves. */
    static final CodePointSet PLAIN = CodePointSet.ALL.minus(
            CodePointSet.of(0, 0x1F).union(CodePointSet.single('"')).union(CodePointSet.single('\\')));
    /** One character of a JSON string's content: plain, or one escape. */
    static final Expr CHAR = Expr.alt(new Expr.CodePoints(PLAIN),
            Expr.seq(Expr.text("\\"), Expr.alt(Expr.anyOf("\"\\/bfnrt"), Expr.seq(Expr.text("u"), UNICODE_ESCAPE))));
    static final Expr STRING = Expr.seq(Expr.text("\""), new Expr.Repeat(CHAR, 0, -1), Expr.text("\""));

    private static final Expr DIGIT = Expr.byteRange('0', '9');
    static final Expr INTEGER = Expr.seq(Expr.optional(Expr.text("-")),
            Expr.alt(Expr.text("0"), Expr.seq(Expr.byteRange('1', '9'), new Expr.Repeat(DIGIT, 0, MAX_INT_DIGITS - 1))));
    static final Expr NUMBER = Expr.seq(INTEGER,
            Expr.optional(Expr.seq(Expr.text("."), new Expr.Repeat(DIGIT, 1, MAX_FRACTION_DIGITS))),
            Expr.optional(Expr.seq(Expr.anyOf("eE"), Expr.optional(Expr.anyOf("+-")), new Expr.Repeat(DIGIT, 1, 2))));

    private JsonGrammar() {}

    /** A string of {@code min..max} characters ({@code max} -1: unbounded). */
    static Expr string(int min, int max) {
        return Expr.seq(Expr.text("\""), new Expr.Repeat(CHAR, min, max), Expr.text("\""));
    }

    /** {@code open ws [item (ws sep ws item)* ws] close} with the item count in {@code min..max}. */
    static Expr list(String open, Expr item, int min, int max, String close) {
        Expr more = Expr.seq(WS, Expr.text(","), WS, item);
        Expr body = Expr.seq(item, new Expr.Repeat(more, Math.max(0, min - 1), max == -1 ? -1 : max - 1), WS);
        return Expr.seq(Expr.text(open), WS, min == 0 ? Expr.optional(body) : body, Expr.text(close));
    }

    /** The JSON string literal of {@code s} (for object keys and constants). */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> appendEscaped(sb, cp));
        return sb.append('"').toString();
    }

    /** Appends {@code cp} as it appears inside a JSON string (the one spelling this engine emits). */
    static void appendEscaped(StringBuilder sb, int cp) {
        switch (cp) {
            case '"' -> sb.append("\\\"");
            case '\\' -> sb.append("\\\\");
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            case '\t' -> sb.append("\\t");
            case '\b' -> sb.append("\\b");
            case '\f' -> sb.append("\\f");
            default -> {
                if (cp < 0x20) sb.append(String.format("\\u%04x", cp));
                else sb.appendCodePoint(cp);
            }
        }
    }

    /**
     * Rewrites a pattern over characters into one over their JSON-string spelling: characters that must be
     * escaped are matched as their escape, everything else as itself.
     */
    static Expr escapeForString(Expr e) {
        return switch (e) {
            case Expr.Seq s -> new Expr.Seq(s.items().stream().map(JsonGrammar::escapeForString).toList());
            case Expr.Alt a -> new Expr.Alt(a.options().stream().map(JsonGrammar::escapeForString).toList());
            case Expr.Repeat r -> new Expr.Repeat(escapeForString(r.body()), r.min(), r.max());
            case Expr.CodePoints cp -> {
                CodePointSet special = CodePointSet.ALL.minus(PLAIN);
                List<Expr> options = new ArrayList<>();
                CodePointSet plain = cp.set().minus(special);
                if (!plain.isEmpty()) options.add(new Expr.CodePoints(plain));
                for (int i = 0; i < special.rangeCount(); i++) {
                    for (int c = special.lo(i); c <= special.hi(i); c++) {
                        if (!cp.set().contains(c)) continue;
                        StringBuilder sb = new StringBuilder();
                        appendEscaped(sb, c);
                        options.add(Expr.text(sb.toString()));
                    }
                }
                if (options.isEmpty()) throw new ConstraintException("the pattern has an empty character class", null);
                yield Expr.alt(options);
            }
            default -> throw new IllegalStateException("unexpected pattern node " + e);
        };
    }

    /** Adds the rules of any JSON value to {@code g}; returns {value, object} rule ids. */
    static int[] addAnyValue(Grammar g) {
        int value = g.declare("json-value");
        int object = g.declare("json-object");
        int array = g.declare("json-array");
        Expr member = Expr.seq(STRING, WS, Expr.text(":"), WS, new Expr.Ref(value));
        g.define(object, list("{", member, 0, -1, "}"));
        g.define(array, list("[", new Expr.Ref(value), 0, -1, "]"));
        g.define(value, Expr.alt(new Expr.Ref(object), new Expr.Ref(array), STRING, NUMBER,
                Expr.text("true"), Expr.text("false"), Expr.text("null")));
        return new int[] {value, object};
    }
}

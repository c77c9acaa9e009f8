package dev.gannet.runtime.constraint;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses a regular expression (the common subset of Python's {@code re}, ECMAScript and Java) into an
 * {@link Expr} over code points; the whole output must match it. Supported: literals, {@code .} (any
 * character but line terminators), classes {@code [a-z]} {@code [^...]}, {@code \d \w \s} and their
 * negations (ASCII meaning), escapes {@code \n \r \t \f \v \0 \xHH \x{H..} \\uHHHH \\u{H..}}, groups {@code (...)},
 * {@code (?:...)}, {@code (?<name>...)}, {@code (?P<name>...)}, alternation, {@code * + ? {n} {n,} {n,m}}
 * (lazy forms read as greedy: they match the same strings), {@code ^} at the start and {@code $} at the
 * end. Refused with a message: backreferences, lookaround, word boundaries, flags, Unicode properties,
 * possessive quantifiers.
 */
final class RegexParser {
    /** Largest bound a {@code {n,m}} repetition may use. */
    static final int MAX_REPEAT = 1000;
    private static final CodePointSet DIGIT = CodePointSet.of('0', '9');
    private static final CodePointSet WORD = DIGIT.union(CodePointSet.of('a', 'z')).union(CodePointSet.of('A', 'Z'))
            .union(CodePointSet.single('_'));
    private static final CodePointSet SPACE = CodePointSet.normalize(new int[] {' ', ' ', '\t', '\r'});
    /** What {@code .} matches: every character but the line terminators of Java, Python and ECMAScript. */
    static final CodePointSet DOT = CodePointSet.ALL.minus(CodePointSet.normalize(
            new int[] {'\n', '\n', '\r', '\r', 0x85, 0x85, 0x2028, 0x2029}));

    private final String src;
    private final int[] cps;
    private int pos;

    private RegexParser(String src) {
        this.src = src;
        this.cps = src.codePoints().toArray();
    }

    /** Parses {@code pattern}; errors name the position. */
    static Expr parse(String pattern) {
        RegexParser p = new RegexParser(pattern);
        Expr e = p.alternation(0);
        if (p.pos < p.cps.length) throw p.error("unbalanced ')'");
        return e;
    }

    private ConstraintException error(String msg) {
        return new ConstraintException("regex " + quoted() + ": " + msg + " at character " + pos, null);
    }

    private String quoted() {
        return src.length() > 80 ? "'" + src.substring(0, 77) + "...'" : "'" + src + "'";
    }

    private boolean more() {
        return pos < cps.length;
    }

    private int peek() {
        return cps[pos];
    }

    private Expr alternation(int depth) {
        List<Expr> options = new ArrayList<>();
        options.add(sequence(depth));
        while (more() && peek() == '|') {
            pos++;
            options.add(sequence(depth));
        }
        return Expr.alt(options);
    }

    private Expr sequence(int depth) {
        List<Expr> items = new ArrayList<>();
        int start = pos;
        while (more() && peek() != '|' && peek() != ')') {
            int c = peek();
            if (c == '^') {
                if (depth != 0 || pos != start) throw error("'^' is supported only at the start of the pattern");
                pos++;
                continue;
            }
            if (c == '$') {
                pos++;
                if (depth != 0 || (more() && peek() != '|')) throw error("'$' is supported only at the end of the pattern");
                continue;
            }
            items.add(quantified(atom(depth)));
        }
        return items.size() == 1 ? items.getFirst() : new Expr.Seq(items);
    }

    private Expr quantified(Expr atom) {
        Expr e = atom;
        while (more()) {
            int c = peek();
            int min, max;
            if (c == '*') { min = 0; max = -1; pos++; }
            else if (c == '+') { min = 1; max = -1; pos++; }
            else if (c == '?') { min = 0; max = 1; pos++; }
            else if (c == '{' && isBraceQuantifier()) {
                pos++;
                min = number();
                max = min;
                if (peek() == ',') {
                    pos++;
                    max = peek() == '}' ? -1 : number();
                }
                pos++; // '}'
                if (max != -1 && max < min) throw error("{" + min + "," + max + "} has max < min");
                if (min > MAX_REPEAT || max > MAX_REPEAT) throw error("repetition bounds above " + MAX_REPEAT + " are not supported");
            } else {
                break;
            }
            if (more() && peek() == '?') pos++; // lazy: same language
            else if (more() && peek() == '+') throw error("possessive quantifiers are not supported");
            e = new Expr.Repeat(e, min, max);
        }
        return e;
    }

    private boolean isBraceQuantifier() {
        int i = pos + 1;
        int digits = 0;
        while (i < cps.length && Character.isDigit(cps[i])) { i++; digits++; }
        if (digits == 0) return false;
        if (i < cps.length && cps[i] == ',') {
            i++;
            while (i < cps.length && Character.isDigit(cps[i])) i++;
        }
        return i < cps.length && cps[i] == '}';
    }

    private int number() {
        int v = 0;
        int start = pos;
        while (more() && Character.isDigit(peek())) {
            v = (int) Math.min(Integer.MAX_VALUE / 20, v * 10L + (peek() - '0'));
            pos++;
        }
        if (pos == start) throw error("expected a number");
        return v;
    }

    private Expr atom(int depth) {
        int c = cps[pos++];
        switch (c) {
            case '(' -> {
                if (more() && peek() == '?') {
                    pos++;
                    if (more() && peek() == ':') {
                        pos++;
                    } else if (more() && (peek() == '<' || peek() == 'P') && !lookbehind()) {
                        if (peek() == 'P') pos++;
                        while (more() && peek() != '>') pos++;
                        if (!more()) throw error("unterminated group name");
                        pos++;
                    } else {
                        throw error("lookaround, flags and other '(?' groups are not supported");
                    }
                }
                Expr inner = alternation(depth + 1);
                if (!more() || peek() != ')') throw error("missing ')'");
                pos++;
                return inner;
            }
            case '[' -> { return new Expr.CodePoints(charClass()); }
            case '.' -> { return new Expr.CodePoints(DOT); }
            case '\\' -> { return new Expr.CodePoints(escape(false)); }
            case '*', '+', '?' -> throw error("nothing to repeat");
            case ')' -> throw error("unbalanced ')'");
            default -> { return new Expr.CodePoints(CodePointSet.single(c)); }
        }
    }

    private boolean lookbehind() {
        return peek() == '<' && pos + 1 < cps.length && (cps[pos + 1] == '=' || cps[pos + 1] == '!');
    }

    private CodePointSet charClass() {
        boolean negate = more() && peek() == '^';
        if (negate) pos++;
        CodePointSet set = CodePointSet.EMPTY;
        boolean first = true;
        while (true) {
            if (!more()) throw error("unterminated character class");
            int c = peek();
            if (c == ']' && !first) {
                pos++;
                break;
            }
            first = false;
            pos++;
            CodePointSet item;
            int lo;
            if (c == '\\') {
                item = escape(true);
                if (item.rangeCount() != 1 || item.lo(0) != item.hi(0)) {
                    set = set.union(item);
                    continue;
                }
                lo = item.lo(0);
            } else {
                if (c == '[' && more() && peek() == ':') throw error("POSIX classes like [:alpha:] are not supported");
                lo = c;
            }
            if (more() && peek() == '-' && pos + 1 < cps.length && cps[pos + 1] != ']') {
                pos++;
                int hiChar = cps[pos++];
                int hi;
                if (hiChar == '\\') {
                    CodePointSet h = escape(true);
                    if (h.rangeCount() != 1 || h.lo(0) != h.hi(0)) throw error("a range cannot end in a class escape");
                    hi = h.lo(0);
                } else {
                    hi = hiChar;
                }
                if (hi < lo) throw error("range out of order");
                set = set.union(CodePointSet.of(lo, hi));
            } else {
                set = set.union(CodePointSet.single(lo));
            }
        }
        return negate ? set.complement() : set;
    }

    private CodePointSet escape(boolean inClass) {
        if (!more()) throw error("trailing backslash");
        int c = cps[pos++];
        return switch (c) {
            case 'd' -> DIGIT;
            case 'D' -> DIGIT.complement();
            case 'w' -> WORD;
            case 'W' -> WORD.complement();
            case 's' -> SPACE.union(CodePointSet.of(0x0B, 0x0C));
            case 'S' -> SPACE.union(CodePointSet.of(0x0B, 0x0C)).complement();
            case 'n' -> CodePointSet.single('\n');
            case 'r' -> CodePointSet.single('\r');
            case 't' -> CodePointSet.single('\t');
            case 'f' -> CodePointSet.single('\f');
            case 'v' -> CodePointSet.single(0x0B);
            case '0' -> CodePointSet.single(0);
            case 'x', 'u' -> {
                if (more() && peek() == '{') {
                    pos++;
                    int v = 0;
                    int n = 0;
                    while (more() && peek() != '}') { v = v * 16 + hexDigit(cps[pos++]); n++; }
                    if (!more() || n == 0 || n > 6 || v > CodePointSet.MAX) throw error("bad \\" + Character.toString(c) + "{...} escape");
                    pos++;
                    yield CodePointSet.single(v);
                }
                yield CodePointSet.single(hex(c == 'x' ? 2 : 4));
            }
            case 'b' -> {
                if (inClass) yield CodePointSet.single(8);
                throw error("word boundaries (\\b) are not supported");
            }
            case 'B', 'A', 'Z', 'z', 'G' -> throw error("anchor \\" + Character.toString(c) + " is not supported");
            case 'p', 'P' -> throw error("Unicode property classes are not supported");
            default -> {
                if (c >= '1' && c <= '9') throw error("backreferences are not supported");
                if (Character.isLetterOrDigit(c)) throw error("unknown escape \\" + Character.toString(c));
                yield CodePointSet.single(c);
            }
        };
    }

    private int hex(int digits) {
        int v = 0;
        for (int i = 0; i < digits; i++) {
            if (!more()) throw error("short hex escape");
            v = v * 16 + hexDigit(cps[pos++]);
        }
        return v;
    }

    private int hexDigit(int c) {
        int d = Character.digit(c, 16);
        if (d < 0) throw error("bad hex digit '" + Character.toString(c) + "'");
        return d;
    }
}

package dev.gannet.runtime.constraint;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a grammar in llama.cpp's GBNF: {@code name ::= alternatives} rules, {@code "literals"} with
 * {@code \n \t \r \\ \" \xHH \\uHHHH \UHHHHHHHH} escapes, classes {@code [a-z]} {@code [^...]}, {@code .}
 * (any character), groups, {@code * + ?} and {@code {m} {m,} {m,n}}, {@code #} comments. As in llama.cpp a
 * rule ends at a newline unless inside parentheses or right after {@code |} or {@code ::=}; a line that
 * starts with {@code |} also continues the rule. Characters are Unicode code points matched as UTF-8.
 * The start rule is {@code root}. Refused: token references ({@code <...>}), undefined or twice-defined rules,
 * left recursion (at compile time).
 */
final class GbnfParser {
    static final int MAX_REPEAT = 1000;

    private final String src;
    private int pos;
    private int line = 1;
    private final Grammar grammar;
    private final Map<String, Integer> ids = new LinkedHashMap<>();
    private final Map<String, Integer> firstUse = new HashMap<>();
    private final Map<String, Integer> predefined;

    private GbnfParser(String src, Grammar grammar, Map<String, Integer> predefined) {
        this.src = src;
        this.grammar = grammar;
        this.predefined = predefined;
        this.ids.putAll(predefined);
    }

    /** The grammar and its root rule. */
    record Parsed(Grammar grammar, int root) {}

    static Parsed parse(String text) {
        return parse(text, new Grammar(), Map.of());
    }

    /**
     * Parses {@code text} into {@code grammar}, where the rules named in {@code predefined} (ids of rules already
     * defined in {@code grammar}) may be used and not redefined.
     */
    static Parsed parse(String text, Grammar grammar, Map<String, Integer> predefined) {
        GbnfParser p = new GbnfParser(text, grammar, predefined);
        p.rules();
        for (Map.Entry<String, Integer> e : p.ids.entrySet()) {
            if (!p.grammar.isDefined(e.getValue())) {
                throw new ConstraintException("grammar: rule '" + e.getKey() + "' is used (line "
                        + p.firstUse.get(e.getKey()) + ") but never defined", null);
            }
        }
        Integer root = p.ids.get("root");
        if (root == null) throw new ConstraintException("grammar: no 'root' rule", null);
        return new Parsed(p.grammar, root);
    }

    private ConstraintException error(String msg) {
        int at = Math.min(pos, src.length());
        int column = at - src.lastIndexOf('\n', at - 1); // 1-based
        return new ConstraintException("grammar line " + line + ", column " + column + ": " + msg, null);
    }

    private boolean more() {
        return pos < src.length();
    }

    private char peek() {
        return src.charAt(pos);
    }

    /** Skips spaces, tabs and comments, and newlines too when {@code newlines}. */
    private void space(boolean newlines) {
        while (more()) {
            char c = peek();
            if (c == ' ' || c == '\t' || c == '\r') {
                pos++;
            } else if (c == '#') {
                while (more() && peek() != '\n') pos++;
            } else if (c == '\n' && newlines) {
                pos++;
                line++;
            } else {
                return;
            }
        }
    }

    private void rules() {
        space(true);
        while (more()) {
            String name = name();
            space(false);
            if (!src.startsWith("::=", pos)) throw error("expected '::=' after rule name '" + name + "'");
            pos += 3;
            space(true);
            if (predefined.containsKey(name)) throw error("rule '" + name + "' is given as a JSON schema and cannot be redefined");
            int id = ruleId(name);
            if (grammar.isDefined(id)) throw error("rule '" + name + "' is defined twice");
            grammar.define(id, alternatives(false));
            if (more() && peek() != '\n') throw error("unexpected '" + peek() + "'");
            space(true);
        }
    }

    private int ruleId(String name) {
        firstUse.putIfAbsent(name, line);
        return ids.computeIfAbsent(name, grammar::declare);
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_';
    }

    private String name() {
        int start = pos;
        while (more() && isNameChar(peek())) pos++;
        if (pos == start) throw error(more() ? "expected a rule name, found '" + peek() + "'" : "expected a rule name");
        return src.substring(start, pos);
    }

    private Expr alternatives(boolean nested) {
        List<Expr> options = new ArrayList<>();
        options.add(sequence(nested));
        while (true) {
            if (more() && peek() == '|') {
                pos++;
                space(true);
                options.add(sequence(nested));
            } else if (!nested && continuesWithBar()) {
                space(true);
            } else {
                break;
            }
        }
        return Expr.alt(options);
    }

    /** Whether the next non-blank line starts with '|'. */
    private boolean continuesWithBar() {
        int p = pos;
        while (p < src.length()) {
            char c = src.charAt(p);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') p++;
            else if (c == '#') while (p < src.length() && src.charAt(p) != '\n') p++;
            else return c == '|';
        }
        return false;
    }

    private Expr sequence(boolean nested) {
        List<Expr> items = new ArrayList<>();
        while (more()) {
            char c = peek();
            Expr item;
            if (c == '"') {
                pos++;
                item = literal();
            } else if (c == '[') {
                pos++;
                item = new Expr.CodePoints(charClass());
            } else if (c == '.') {
                pos++;
                item = new Expr.CodePoints(CodePointSet.ALL);
            } else if (c == '(') {
                pos++;
                space(true);
                item = alternatives(true);
                if (!more() || peek() != ')') throw error("expected ')'");
                pos++;
            } else if (c == '<') {
                throw error("token references like <...> are not supported");
            } else if (isNameChar(c)) {
                item = new Expr.Ref(ruleId(name()));
            } else {
                break;
            }
            space(nested);
            items.add(repetitions(item, nested));
        }
        return items.size() == 1 ? items.getFirst() : new Expr.Seq(items);
    }

    private Expr repetitions(Expr item, boolean nested) {
        Expr e = item;
        while (more()) {
            char c = peek();
            if (c == '*') e = new Expr.Repeat(e, 0, -1);
            else if (c == '+') e = new Expr.Repeat(e, 1, -1);
            else if (c == '?') e = new Expr.Repeat(e, 0, 1);
            else if (c == '{') {
                pos++;
                space(nested);
                int min = integer();
                int max = min;
                space(nested);
                if (more() && peek() == ',') {
                    pos++;
                    space(nested);
                    max = more() && Character.isDigit(peek()) ? integer() : -1;
                    space(nested);
                }
                if (!more() || peek() != '}') throw error("expected '}'");
                if (max != -1 && max < min) throw error("{" + min + "," + max + "} has max < min");
                if (min > MAX_REPEAT || max > MAX_REPEAT) throw error("repetition bounds above " + MAX_REPEAT + " are not supported");
                e = new Expr.Repeat(e, min, max);
            } else {
                break;
            }
            pos++;
            space(nested);
        }
        return e;
    }

    private int integer() {
        int start = pos;
        long v = 0;
        while (more() && Character.isDigit(peek())) v = Math.min(Integer.MAX_VALUE, v * 10 + (src.charAt(pos++) - '0'));
        if (pos == start) throw error("expected a number");
        return (int) v;
    }

    private Expr literal() {
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (!more() || peek() == '\n') throw error("unterminated string literal");
            char c = peek();
            if (c == '"') {
                pos++;
                return Expr.text(sb.toString());
            }
            sb.appendCodePoint(c == '\\' ? escape() : nextCodePoint());
        }
    }

    private int nextCodePoint() {
        int cp = src.codePointAt(pos);
        pos += Character.charCount(cp);
        return cp;
    }

    private CodePointSet charClass() {
        boolean negate = more() && peek() == '^';
        if (negate) pos++;
        CodePointSet set = CodePointSet.EMPTY;
        while (true) {
            if (!more() || peek() == '\n') throw error("unterminated character class");
            if (peek() == ']') {
                pos++;
                break;
            }
            int lo = peek() == '\\' ? escape() : nextCodePoint();
            int hi = lo;
            if (more() && peek() == '-' && pos + 1 < src.length() && src.charAt(pos + 1) != ']') {
                pos++;
                hi = peek() == '\\' ? escape() : nextCodePoint();
                if (hi < lo) throw error("range out of order");
            }
            set = set.union(CodePointSet.of(lo, hi));
        }
        return negate ? set.complement() : set;
    }

    private int escape() {
        pos++; // backslash
        if (!more()) throw error("trailing backslash");
        char c = src.charAt(pos++);
        return switch (c) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'x' -> hex(2);
            case 'u' -> hex(4);
            case 'U' -> hex(8);
            case '\\', '"', '[', ']', '-', '^', '.', '/', '|', '(', ')', '*', '+', '?', '{', '}' -> c;
            default -> throw error("unknown escape \\" + c);
        };
    }

    private int hex(int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            if (!more()) throw error("short hex escape");
            int d = Character.digit(src.charAt(pos++), 16);
            if (d < 0) throw error("bad hex digit");
            v = v * 16 + d;
        }
        if (v > CodePointSet.MAX || (v >= 0xD800 && v <= 0xDFFF)) throw error("escape is not a Unicode scalar value");
        return v;
    }
}

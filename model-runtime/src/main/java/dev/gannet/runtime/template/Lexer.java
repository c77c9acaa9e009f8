package dev.gannet.runtime.template;

import dev.gannet.runtime.template.Token.Type;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Splits a template into tokens the way jinja2's lexer does with Hugging Face's settings
 * ({@code trim_blocks}, {@code lstrip_blocks}): {@code -} on a tag strips all whitespace on that side,
 * {@code +} keeps it; a block or comment tag alone on its line takes the line's indentation with it, and
 * the newline after a block or comment tag is dropped. Newlines are normalised to {@code \n} and one
 * trailing newline of the template is dropped.
 */
final class Lexer {
    private static final String[] OPERATORS = {"//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~",
            "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"};

    private final String src;
    private final List<Token> out = new ArrayList<>();
    private int pos;
    private int line = 1;
    private boolean lineStarting = true;

    private Lexer(String src) {
        this.src = src;
    }

    static List<Token> tokenize(String source) {
        Lexer l = new Lexer(normaliseNewlines(source));
        l.run();
        return l.out;
    }

    private static String normaliseNewlines(String s) {
        String n = s.replace("\r\n", "\n").replace('\r', '\n');
        return n.endsWith("\n") ? n.substring(0, n.length() - 1) : n;
    }

    private void run() {
        int n = src.length();
        while (pos < n) {
            int i = nextTag(pos);
            if (i < 0) {
                emit(Type.DATA, src.substring(pos), src.substring(pos));
                break;
            }
            char kind = src.charAt(i + 1);
            char sign = i + 2 < n && (src.charAt(i + 2) == '-' || src.charAt(i + 2) == '+') ? src.charAt(i + 2) : 0;
            int rawEnd = kind == '%' ? rawBegin(i) : -1;
            String text = src.substring(pos, i);
            String kept = leadingData(text, sign, kind != '{');
            if (!kept.isEmpty()) out.add(new Token(Type.DATA, kept, kept, line));
            line += count(text, '\n');
            pos = i + 2 + (sign != 0 ? 1 : 0);
            lineStarting = false;
            if (rawEnd >= 0) {
                line += count(src.substring(pos, rawEnd), '\n');
                pos = rawEnd;
                lineStarting = src.charAt(pos - 1) == '\n';
                raw();
            } else if (kind == '#') {
                comment();
            } else {
                out.add(new Token(kind == '{' ? Type.VAR_BEGIN : Type.BLOCK_BEGIN, src.substring(i, pos), null, line));
                tag(kind == '{');
            }
        }
        out.add(new Token(Type.EOF, "", null, line));
    }

    /** The text before a tag after whitespace control: {@code -} strips it, lstrip_blocks its indentation. */
    private String leadingData(String text, char sign, boolean lstrip) {
        if (sign == '-') return PyStr.rstrip(text);
        if (sign == '+' || !lstrip) return text;
        int lpos = text.lastIndexOf('\n') + 1;
        if ((lpos > 0 || lineStarting) && PyStr.isAllSpace(text.substring(lpos))) return text.substring(0, lpos);
        return text;
    }

    private int nextTag(int from) {
        for (int i = src.indexOf('{', from); i >= 0 && i + 1 < src.length(); i = src.indexOf('{', i + 1)) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') return i;
        }
        return -1;
    }

    /** If a {@code raw} tag starts at {@code i}, the position after it (no trim_blocks there), else -1. */
    private int rawBegin(int i) {
        int p = i + 2;
        if (p < src.length() && (src.charAt(p) == '-' || src.charAt(p) == '+')) p++;
        p = skipSpace(p);
        if (!src.startsWith("raw", p)) return -1;
        p = skipSpace(p + 3);
        if (src.startsWith("-%}", p)) return skipSpace(p + 3);
        return src.startsWith("%}", p) ? p + 2 : -1;
    }

    private void raw() {
        for (int k = src.indexOf("{%", pos); k >= 0; k = src.indexOf("{%", k + 1)) {
            int p = k + 2;
            char sign = p < src.length() && (src.charAt(p) == '-' || src.charAt(p) == '+') ? src.charAt(p) : 0;
            if (sign != 0) p++;
            p = skipSpace(p);
            if (!src.startsWith("endraw", p)) continue;
            p = skipSpace(p + 6);
            int end = blockEnd(p);
            if (end < 0) continue;
            String text = src.substring(pos, k);
            String kept = leadingData(text, sign, true);
            if (!kept.isEmpty()) out.add(new Token(Type.DATA, kept, kept, line));
            line += count(src.substring(pos, end), '\n');
            lineStarting = src.charAt(end - 1) == '\n';
            pos = end;
            return;
        }
        throw TemplateException.syntax("Missing end of raw directive", line);
    }

    /** The end of a block-end tag ({@code +%}}, {@code -%}} and whitespace, {@code %}} and one newline) at p. */
    private int blockEnd(int p) {
        if (src.startsWith("+%}", p)) return p + 3;
        if (src.startsWith("-%}", p)) return skipSpace(p + 3);
        if (src.startsWith("%}", p)) return src.startsWith("\n", p + 2) ? p + 3 : p + 2;
        return -1;
    }

    private void comment() {
        int k = src.indexOf("#}", pos);
        if (k < 0) throw TemplateException.syntax("Missing end of comment tag", line);
        int end;
        if (k > pos && src.charAt(k - 1) == '-') end = skipSpace(k + 2);
        else if (k > pos && src.charAt(k - 1) == '+') end = k + 2;
        else end = src.startsWith("\n", k + 2) ? k + 3 : k + 2;
        line += count(src.substring(pos, end), '\n');
        lineStarting = src.charAt(end - 1) == '\n';
        pos = end;
    }

    /** The tokens inside {@code {{ }}} or {@code {% %}}, up to and including the end tag. */
    private void tag(boolean variable) {
        Deque<Character> balance = new ArrayDeque<>();
        int n = src.length();
        while (pos < n) {
            if (balance.isEmpty()) {
                int end = variable ? variableEnd(pos) : blockEnd(pos);
                if (end >= 0) {
                    out.add(new Token(variable ? Type.VAR_END : Type.BLOCK_END, src.substring(pos, end), null, line));
                    line += count(src.substring(pos, end), '\n');
                    lineStarting = src.charAt(end - 1) == '\n';
                    pos = end;
                    return;
                }
            }
            char c = src.charAt(pos);
            if (PyStr.isSpace(c)) {
                if (c == '\n') line++;
                pos++;
            } else if (!number() && !name() && !string()) {
                operator(balance);
            }
        }
    }

    private int variableEnd(int p) {
        if (src.startsWith("-}}", p)) return skipSpace(p + 3);
        return src.startsWith("}}", p) ? p + 2 : -1;
    }

    private boolean number() {
        int p = pos;
        if (p >= src.length() || !isDigit(src.charAt(p))) return false;
        if (p > 0 && src.charAt(p - 1) == '.') return integer(p); // x.0.1 is two lookups, not a float
        int digits = digitRun(p);
        int f = -1;
        if (digits < src.length() && src.charAt(digits) == '.' && digits + 1 < src.length() && isDigit(src.charAt(digits + 1))) {
            f = digitRun(digits + 1);
        }
        int e = exponent(f >= 0 ? f : digits);
        if (f >= 0 || e >= 0) {
            int end = e >= 0 ? e : f;
            String text = src.substring(p, end);
            out.add(new Token(Type.FLOAT, text, Double.parseDouble(text.replace("_", "")), line));
            pos = end;
            return true;
        }
        return integer(p);
    }

    private boolean integer(int p) {
        int end;
        int radix = 10;
        int start = p;
        char c1 = p + 1 < src.length() ? Character.toLowerCase(src.charAt(p + 1)) : 0;
        if (src.charAt(p) == '0' && (c1 == 'b' || c1 == 'o' || c1 == 'x')) {
            radix = c1 == 'b' ? 2 : c1 == 'o' ? 8 : 16;
            start = p + 2;
            end = start;
            while (end < src.length() && (Character.digit(src.charAt(end), radix) >= 0
                    || (src.charAt(end) == '_' && end + 1 < src.length() && Character.digit(src.charAt(end + 1), radix) >= 0))) {
                end++;
            }
            if (end > start) {
                String text = src.substring(p, end);
                out.add(new Token(Type.INTEGER, text, parseLong(src.substring(start, end).replace("_", ""), radix), line));
                pos = end;
                return true;
            }
        }
        end = src.charAt(p) == '0' ? zeros(p) : digitRun(p);
        String text = src.substring(p, end);
        out.add(new Token(Type.INTEGER, text, parseLong(text.replace("_", ""), 10), line));
        pos = end;
        return true;
    }

    private long parseLong(String digits, int radix) {
        try {
            return Long.parseLong(digits, radix);
        } catch (NumberFormatException e) {
            throw TemplateException.syntax("integer literal too large: " + digits, line);
        }
    }

    private int zeros(int p) {
        int e = p + 1;
        while (e < src.length() && (src.charAt(e) == '0' || (src.charAt(e) == '_' && e + 1 < src.length() && src.charAt(e + 1) == '0'))) e++;
        return e;
    }

    /** Digits with single underscores between them, from p; returns the end. */
    private int digitRun(int p) {
        int e = p;
        while (e < src.length() && (isDigit(src.charAt(e))
                || (src.charAt(e) == '_' && e + 1 < src.length() && isDigit(src.charAt(e + 1)) && e > p))) e++;
        return e;
    }

    private int exponent(int p) {
        if (p >= src.length() || Character.toLowerCase(src.charAt(p)) != 'e') return -1;
        int q = p + 1;
        if (q < src.length() && (src.charAt(q) == '+' || src.charAt(q) == '-')) q++;
        if (q >= src.length() || !isDigit(src.charAt(q))) return -1;
        return digitRun(q);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private boolean name() {
        int c = src.codePointAt(pos);
        if (c != '_' && !Character.isUnicodeIdentifierStart(c)) return false;
        int e = pos + Character.charCount(c);
        while (e < src.length()) {
            int d = src.codePointAt(e);
            if (d != '_' && !Character.isUnicodeIdentifierPart(d) || Character.isIdentifierIgnorable(d)) break;
            e += Character.charCount(d);
        }
        String text = src.substring(pos, e);
        out.add(new Token(Type.NAME, text, text, line));
        pos = e;
        return true;
    }

    private boolean string() {
        char q = src.charAt(pos);
        if (q != '\'' && q != '"') return false;
        int p = pos + 1;
        while (p < src.length() && src.charAt(p) != q) p += src.charAt(p) == '\\' ? 2 : 1;
        if (p >= src.length()) return false;
        String text = src.substring(pos, p + 1);
        out.add(new Token(Type.STRING, text, Escapes.unescape(text.substring(1, text.length() - 1), line), line));
        line += count(text, '\n');
        pos = p + 1;
        return true;
    }

    private void operator(Deque<Character> balance) {
        for (String op : OPERATORS) {
            if (!src.startsWith(op, pos)) continue;
            char c = op.charAt(0);
            if (op.length() == 1 && (c == '(' || c == '[' || c == '{')) {
                balance.push(c == '(' ? ')' : c == '[' ? ']' : '}');
            } else if (op.length() == 1 && (c == ')' || c == ']' || c == '}')) {
                if (balance.isEmpty()) throw TemplateException.syntax("unexpected '" + c + "'", line);
                char expected = balance.pop();
                if (expected != c) throw TemplateException.syntax("unexpected '" + c + "', expected '" + expected + "'", line);
            }
            out.add(new Token(Type.OP, op, op, line));
            pos += op.length();
            return;
        }
        throw TemplateException.syntax("unexpected char " + Py.strRepr(Character.toString(src.codePointAt(pos))) + " at " + pos, line);
    }

    private int skipSpace(int p) {
        while (p < src.length() && PyStr.isSpace(src.charAt(p))) p++;
        return p;
    }

    private static int count(String s, char c) {
        int k = 0;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) == c) k++;
        return k;
    }

    private void emit(Type type, String text, Object value) {
        out.add(new Token(type, text, value, line));
    }
}

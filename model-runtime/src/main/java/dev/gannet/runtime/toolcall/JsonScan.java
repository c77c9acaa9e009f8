package dev.gannet.runtime.toolcall;

/**
 * A JSON syntax scanner over text that may still be growing: for a value starting at an index it says where the
 * value ends, that the text ends inside it ({@link #INCOMPLETE}: wait for more), or that it is not JSON
 * ({@link #INVALID}). Streaming tool-call parsing needs exactly this: Jackson's parsers either want the whole
 * document or do not say where in the text a token lies. Numbers, literals and strings follow RFC 8259 strictly
 * (no leading zeros, no bare control characters), as Jackson's default parser does.
 */
final class JsonScan {
    static final int INVALID = -1;
    static final int INCOMPLETE = -2;
    /** Deeper nesting than this is refused (a model's tool arguments never need it; recursion stays bounded). */
    static final int MAX_DEPTH = 64;

    private JsonScan() {
    }

    static int skipWhitespace(CharSequence s, int i) {
        while (i < s.length() && isWhitespace(s.charAt(i))) i++;
        return i;
    }

    static boolean isWhitespace(char c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    /** The end (exclusive) of the value at {@code i} (leading whitespace skipped), or INCOMPLETE / INVALID. */
    static int value(CharSequence s, int i, int depth) {
        i = skipWhitespace(s, i);
        if (i >= s.length()) return INCOMPLETE;
        char c = s.charAt(i);
        return switch (c) {
            case '{' -> depth >= MAX_DEPTH ? INVALID : object(s, i, depth + 1);
            case '[' -> depth >= MAX_DEPTH ? INVALID : array(s, i, depth + 1);
            case '"' -> string(s, i);
            case 't' -> literal(s, i, "true");
            case 'f' -> literal(s, i, "false");
            case 'n' -> literal(s, i, "null");
            default -> c == '-' || (c >= '0' && c <= '9') ? number(s, i) : INVALID;
        };
    }

    /** The end of the string whose opening quote is at {@code i}. */
    static int string(CharSequence s, int i) {
        if (i >= s.length()) return INCOMPLETE;
        if (s.charAt(i) != '"') return INVALID;
        for (int j = i + 1; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c == '"') return j + 1;
            if (c < 0x20) return INVALID;
            if (c == '\\') {
                if (++j >= s.length()) return INCOMPLETE;
                char e = s.charAt(j);
                if (e == 'u') {
                    for (int k = 0; k < 4; k++) {
                        if (++j >= s.length()) return INCOMPLETE;
                        if (Character.digit(s.charAt(j), 16) < 0) return INVALID;
                    }
                } else if ("\"\\/bfnrt".indexOf(e) < 0) {
                    return INVALID;
                }
            }
        }
        return INCOMPLETE;
    }

    private static int object(CharSequence s, int i, int depth) {
        i = skipWhitespace(s, i + 1);
        if (i >= s.length()) return INCOMPLETE;
        if (s.charAt(i) == '}') return i + 1;
        while (true) {
            i = skipWhitespace(s, i);
            int end = string(s, i);
            if (end < 0) return end;
            i = skipWhitespace(s, end);
            if (i >= s.length()) return INCOMPLETE;
            if (s.charAt(i) != ':') return INVALID;
            end = value(s, i + 1, depth);
            if (end < 0) return end;
            i = skipWhitespace(s, end);
            if (i >= s.length()) return INCOMPLETE;
            char c = s.charAt(i);
            if (c == '}') return i + 1;
            if (c != ',') return INVALID;
            i++;
        }
    }

    private static int array(CharSequence s, int i, int depth) {
        i = skipWhitespace(s, i + 1);
        if (i >= s.length()) return INCOMPLETE;
        if (s.charAt(i) == ']') return i + 1;
        while (true) {
            int end = value(s, i, depth);
            if (end < 0) return end;
            i = skipWhitespace(s, end);
            if (i >= s.length()) return INCOMPLETE;
            char c = s.charAt(i);
            if (c == ']') return i + 1;
            if (c != ',') return INVALID;
            i++;
        }
    }

    private static int literal(CharSequence s, int i, String word) {
        for (int k = 0; k < word.length(); k++) {
            if (i + k >= s.length()) return INCOMPLETE;
            if (s.charAt(i + k) != word.charAt(k)) return INVALID;
        }
        return i + word.length();
    }

    /**
     * -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?; a number that reaches the end of the text is INCOMPLETE
     * (more digits may follow), as is every value inside an unclosed object.
     */
    private static int number(CharSequence s, int i) {
        int j = i;
        if (s.charAt(j) == '-') j++;
        if (j >= s.length()) return INCOMPLETE;
        if (s.charAt(j) == '0') {
            j++;
        } else if (isDigit(s.charAt(j))) {
            while (j < s.length() && isDigit(s.charAt(j))) j++;
        } else {
            return INVALID;
        }
        if (j < s.length() && s.charAt(j) == '.') {
            j++;
            int digits = j;
            while (j < s.length() && isDigit(s.charAt(j))) j++;
            if (j == digits) return j >= s.length() ? INCOMPLETE : INVALID;
        }
        if (j < s.length() && (s.charAt(j) == 'e' || s.charAt(j) == 'E')) {
            j++;
            if (j < s.length() && (s.charAt(j) == '+' || s.charAt(j) == '-')) j++;
            int digits = j;
            while (j < s.length() && isDigit(s.charAt(j))) j++;
            if (j == digits) return j >= s.length() ? INCOMPLETE : INVALID;
        }
        if (j >= s.length()) return INCOMPLETE;
        return isDigit(s.charAt(j)) ? INVALID : j; // "01"
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}

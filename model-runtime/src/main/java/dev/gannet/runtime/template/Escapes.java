package dev.gannet.runtime.template;

/** Python's backslash escapes in string literals ({@code \n}, {@code \x41}, {@code \u00e9}, octal, ...). */
final class Escapes {
    private Escapes() {}

    /** The value of a string literal's body; an unknown escape such as {@code \d} stays as written. */
    static String unescape(String s, int line) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                b.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case '\n' -> { }
                case '\\', '\'', '"' -> b.append(e);
                case 'a' -> b.append('\u0007');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'v' -> b.append('\u000b');
                case 'x' -> i = hex(s, i, 2, b, line);
                case 'u' -> i = hex(s, i, 4, b, line);
                case 'U' -> i = hex(s, i, 8, b, line);
                case 'N' -> i = named(s, i, b, line);
                default -> {
                    if (e >= '0' && e <= '7') {
                        int end = i;
                        while (end < s.length() && end < i + 3 && s.charAt(end) >= '0' && s.charAt(end) <= '7') end++;
                        b.appendCodePoint(Integer.parseInt(s.substring(i, end), 8));
                        i = end - 1;
                    } else {
                        b.append('\\').append(e);
                    }
                }
            }
        }
        return b.toString();
    }

    private static int hex(String s, int i, int digits, StringBuilder b, int line) {
        int end = i + 1 + digits;
        if (end > s.length() || !s.substring(i + 1, end).chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw TemplateException.syntax("truncated \\" + s.charAt(i) + "XX" + (digits > 2 ? "XX" : "")
                    + (digits > 4 ? "XXXX" : "") + " escape", line);
        }
        int cp = Integer.parseUnsignedInt(s.substring(i + 1, end), 16);
        if (!Character.isValidCodePoint(cp)) throw TemplateException.syntax("illegal Unicode character", line);
        b.appendCodePoint(cp);
        return end - 1;
    }

    private static int named(String s, int i, StringBuilder b, int line) {
        int close = s.indexOf('}', i);
        if (i + 1 >= s.length() || s.charAt(i + 1) != '{' || close < 0) {
            throw TemplateException.syntax("malformed \\N character escape", line);
        }
        try {
            b.appendCodePoint(Character.codePointOf(s.substring(i + 2, close)));
        } catch (IllegalArgumentException e) {
            throw TemplateException.syntax("unknown Unicode character name", line);
        }
        return close;
    }
}

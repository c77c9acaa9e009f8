package dev.gannet.runtime.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Python's str operations, counted in code points as Python counts them (a Java char is half of an
 * emoji): length, indexing, slicing, whitespace as {@code str.isspace} defines it, {@code split} with
 * Python's rules (no regular expressions), strip with a set of characters, title case.
 */
final class PyStr {
    private PyStr() {}

    /** {@code str.isspace()} for one code point (Python's set, wider than Java's isWhitespace). */
    static boolean isSpace(int c) {
        return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f
                || c == 0x3000;
    }

    private static boolean isLineBreak(int c) {
        return c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || (c >= 0x1c && c <= 0x1e) || c == 0x85
                || c == 0x2028 || c == 0x2029;
    }

    static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    /** The characters of {@code s}, one string per code point. */
    static List<Object> chars(String s) {
        List<Object> out = new ArrayList<>(s.length());
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            int n = Character.charCount(c);
            out.add(s.substring(i, i + n));
            i += n;
        }
        return out;
    }

    /** The char offset of code point {@code cp} ({@code 0 <= cp <= length}). */
    static int offset(String s, int cp) {
        return s.offsetByCodePoints(0, cp);
    }

    /** Code point order, as Python compares strings. */
    static int compare(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i), y = b.codePointAt(j);
            if (x != y) return Integer.compare(x, y);
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** {@code s.strip(chars)}: {@code chars == null} strips whitespace. */
    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0, end = s.length();
        while (left && start < end) {
            int c = s.codePointAt(start);
            if (!stripped(c, chars)) break;
            start += Character.charCount(c);
        }
        while (right && end > start) {
            int c = s.codePointBefore(end);
            if (!stripped(c, chars)) break;
            end -= Character.charCount(c);
        }
        return s.substring(start, end);
    }

    private static boolean stripped(int c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(Character.toString(c)) >= 0;
    }

    static String rstrip(String s) {
        return strip(s, null, false, true);
    }

    static boolean isAllSpace(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (!isSpace(c)) return false;
            i += Character.charCount(c);
        }
        return true;
    }

    /** {@code s.split(sep, maxsplit)}: {@code sep == null} splits on runs of whitespace. */
    static List<Object> split(String s, String sep, long maxsplit) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int i = 0, n = s.length();
            while (true) {
                while (i < n && isSpace(s.codePointAt(i))) i += Character.charCount(s.codePointAt(i));
                if (i >= n) break;
                if (maxsplit >= 0 && out.size() >= maxsplit) {
                    out.add(rstrip(s.substring(i)));
                    break;
                }
                int j = i;
                while (j < n && !isSpace(s.codePointAt(j))) j += Character.charCount(s.codePointAt(j));
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        if (sep.isEmpty()) throw new TemplateException("ValueError", "empty separator");
        int i = 0;
        while (maxsplit < 0 || out.size() < maxsplit) {
            int j = s.indexOf(sep, i);
            if (j < 0) break;
            out.add(s.substring(i, j));
            i = j + sep.length();
        }
        out.add(s.substring(i));
        return out;
    }

    /** {@code s.rsplit(sep, maxsplit)}. */
    static List<Object> rsplit(String s, String sep, long maxsplit) {
        if (maxsplit < 0) return split(s, sep, -1);
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int end = s.length();
            while (true) {
                while (end > 0 && isSpace(s.codePointBefore(end))) end -= Character.charCount(s.codePointBefore(end));
                if (end <= 0) break;
                if (out.size() >= maxsplit) {
                    out.add(strip(s.substring(0, end), null, true, false));
                    break;
                }
                int j = end;
                while (j > 0 && !isSpace(s.codePointBefore(j))) j -= Character.charCount(s.codePointBefore(j));
                out.add(s.substring(j, end));
                end = j;
            }
        } else {
            if (sep.isEmpty()) throw new TemplateException("ValueError", "empty separator");
            int end = s.length();
            while (out.size() < maxsplit) {
                int j = s.lastIndexOf(sep, end - sep.length());
                if (j < 0) break;
                out.add(s.substring(j + sep.length(), end));
                end = j;
            }
            out.add(s.substring(0, end));
        }
        java.util.Collections.reverse(out);
        return out;
    }

    /** {@code s.splitlines(keepends)}. */
    static List<Object> splitlines(String s, boolean keepends) {
        List<Object> out = new ArrayList<>();
        int i = 0, start = 0, n = s.length();
        while (i < n) {
            int c = s.codePointAt(i);
            int next = i + Character.charCount(c);
            if (isLineBreak(c)) {
                if (c == '\r' && next < n && s.charAt(next) == '\n') next++;
                out.add(s.substring(start, keepends ? next : i));
                start = next;
            }
            i = next;
        }
        if (start < n) out.add(s.substring(start));
        return out;
    }

    static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private static boolean isCased(int c) {
        return Character.isUpperCase(c) || Character.isLowerCase(c) || Character.isTitleCase(c);
    }

    /** {@code str.title()}: a letter after a non-cased character starts a word. */
    static String title(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean prevCased = false;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            b.append(prevCased ? lower(Character.toString(c)) : titleCase(c));
            prevCased = isCased(c);
        }
        return b.toString();
    }

    private static String titleCase(int c) {
        int t = Character.toTitleCase(c);
        return t != c ? Character.toString(t) : upper(Character.toString(c));
    }

    /** {@code str.capitalize()}: the first character title-cased, the rest lower-cased. */
    static String capitalize(String s) {
        if (s.isEmpty()) return s;
        int c = s.codePointAt(0);
        return titleCase(c) + lower(s.substring(Character.charCount(c)));
    }

    /** Python's {@code str[i]} with a negative index counting from the end; null when out of range. */
    static String at(String s, long index) {
        int n = length(s);
        long i = index < 0 ? index + n : index;
        if (i < 0 || i >= n) return null;
        int from = offset(s, (int) i);
        return s.substring(from, from + Character.charCount(s.codePointAt(from)));
    }
}

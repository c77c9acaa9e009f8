package dev.gannet.runtime.template;

import java.util.List;
import java.util.Map;

/** Python's str methods with Python's argument rules and results. */
final class StrMethods {
    private static final String[] NONE = {};

    private StrMethods() {}

    static Object call(Interpreter in, String s, String name, List<Object> args, Map<String, Object> kw) {
        return switch (name) {
            case "upper" -> none(name, args, kw, PyStr.upper(s));
            case "lower", "casefold" -> none(name, args, kw, PyStr.lower(s));
            case "title" -> none(name, args, kw, PyStr.title(s));
            case "capitalize" -> none(name, args, kw, PyStr.capitalize(s));
            case "swapcase" -> none(name, args, kw, swapcase(s));
            case "strip", "lstrip", "rstrip" -> {
                Object[] a = Params.bind(name, args, kw, new String[] {"chars"}, (Object) null);
                String chars = Params.optStr(a[0], name);
                yield PyStr.strip(s, chars, !name.equals("rstrip"), !name.equals("lstrip"));
            }
            case "split", "rsplit" -> {
                Object[] a = Params.bind(name, args, kw, new String[] {"sep", "maxsplit"}, null, -1L);
                String sep = Params.optStr(a[0], name);
                long max = Params.toInt(a[1], "maxsplit");
                yield name.equals("split") ? PyStr.split(s, sep, max) : PyStr.rsplit(s, sep, max);
            }
            case "splitlines" -> {
                Object[] a = Params.bind(name, args, kw, new String[] {"keepends"}, false);
                yield PyStr.splitlines(s, Py.truthy(a[0]));
            }
            case "startswith", "endswith" -> affix(s, name, args, kw);
            case "replace" -> {
                Object[] a = Params.bind(name, args, kw, new String[] {"old", "new", "count"}, Params.REQUIRED,
                        Params.REQUIRED, -1L);
                yield replace(in, s, Params.toStr(a[0], name), Params.toStr(a[1], name), Params.toInt(a[2], "count"));
            }
            case "find", "rfind", "index", "rindex", "count" -> search(s, name, args, kw);
            case "join" -> join(in, s, Params.bind(name, args, kw, new String[] {"iterable"}, Params.REQUIRED)[0]);
            case "format" -> in.checkSize(StrFormat.format(s, args, kw));
            case "center", "ljust", "rjust" -> {
                Object[] a = Params.bind(name, args, kw, new String[] {"width", "fillchar"}, Params.REQUIRED, " ");
                yield pad(in, s, name, Params.toInt(a[0], "width"), Params.toStr(a[1], name));
            }
            case "zfill" -> {
                Object[] a = Params.bind(name, args, kw, new String[] {"width"}, Params.REQUIRED);
                yield zfill(in, s, Params.toInt(a[0], "width"));
            }
            case "partition", "rpartition" -> partition(s, name, Params.bind(name, args, kw, new String[] {"sep"}, Params.REQUIRED)[0]);
            case "removeprefix" -> {
                String p = Params.toStr(Params.bind(name, args, kw, new String[] {"prefix"}, Params.REQUIRED)[0], name);
                yield s.startsWith(p) ? s.substring(p.length()) : s;
            }
            case "removesuffix" -> {
                String p = Params.toStr(Params.bind(name, args, kw, new String[] {"suffix"}, Params.REQUIRED)[0], name);
                yield s.endsWith(p) && !p.isEmpty() ? s.substring(0, s.length() - p.length()) : s;
            }
            default -> none(name, args, kw, predicate(s, name));
        };
    }

    private static String join(Interpreter in, String sep, Object items) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        for (Object item : Py.sequence(items)) {
            if (!(Markup.plain(item) instanceof String str)) {
                throw TemplateException.typeError("sequence item " + i + ": expected str instance, " + Py.typeName(item) + " found");
            }
            if (i++ > 0) b.append(sep);
            b.append(str);
            in.checkSize(b);
        }
        return b.toString();
    }

    private static PyTuple partition(String s, String name, Object separator) {
        String sep = Params.toStr(separator, name);
        if (sep.isEmpty()) throw new TemplateException("ValueError", "empty separator");
        int i = name.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
        if (i < 0) return name.equals("partition") ? PyTuple.of(s, "", "") : PyTuple.of("", "", s);
        return PyTuple.of(s.substring(0, i), sep, s.substring(i + sep.length()));
    }

    private static Object none(String name, List<Object> args, Map<String, Object> kw, Object result) {
        Params.bind(name, args, kw, NONE);
        return result;
    }

    private static String swapcase(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.append(Character.isUpperCase(c) ? PyStr.lower(Character.toString(c))
                : Character.isLowerCase(c) ? PyStr.upper(Character.toString(c)) : Character.toString(c)));
        return b.toString();
    }

    private static Object affix(String s, String name, List<Object> args, Map<String, Object> kw) {
        Object[] a = Params.bind(name, args, kw, new String[] {"prefix", "start", "end"}, Params.REQUIRED, null, null);
        String sub = slice(s, a[1], a[2]);
        List<?> options = a[0] instanceof PyTuple t ? t.items() : List.of(a[0]);
        for (Object o : options) {
            if (!(Markup.plain(o) instanceof String p)) {
                throw TemplateException.typeError(name + " first arg must be str or a tuple of str, not " + Py.typeName(o));
            }
            if (name.equals("startswith") ? sub.startsWith(p) : sub.endsWith(p)) return true;
        }
        return false;
    }

    /** {@code s[start:end]} with Python's clamping, for the optional start/end of find and friends. */
    private static String slice(String s, Object start, Object end) {
        if (start == null && end == null) return s;
        int n = PyStr.length(s);
        int a = clamp(start == null ? 0 : Params.toInt(start, "start"), n);
        int b = clamp(end == null ? n : Params.toInt(end, "end"), n);
        return a >= b ? "" : s.substring(PyStr.offset(s, a), PyStr.offset(s, b));
    }

    private static int clamp(long i, int n) {
        if (i < 0) i += n;
        return (int) Math.max(0, Math.min(n, i));
    }

    private static Object search(String s, String name, List<Object> args, Map<String, Object> kw) {
        Object[] a = Params.bind(name, args, kw, new String[] {"sub", "start", "end"}, Params.REQUIRED, null, null);
        String sub = Params.toStr(a[0], name);
        int n = PyStr.length(s);
        int from = clamp(a[1] == null ? 0 : Params.toInt(a[1], "start"), n);
        String hay = slice(s, a[1], a[2]);
        if (name.equals("count")) {
            if (sub.isEmpty()) return (long) PyStr.length(hay) + 1;
            long k = 0;
            for (int i = hay.indexOf(sub); i >= 0; i = hay.indexOf(sub, i + sub.length())) k++;
            return k;
        }
        int i = name.startsWith("r") ? hay.lastIndexOf(sub) : hay.indexOf(sub);
        if (i < 0) {
            if (name.endsWith("index")) throw new TemplateException("ValueError", "substring not found");
            return -1L;
        }
        return (long) (from + hay.codePointCount(0, i));
    }

    static String replace(Interpreter in, String s, String old, String rep, long count) {
        if (count < 0) count = Long.MAX_VALUE;
        long hits = old.isEmpty() ? PyStr.length(s) + 1L : 0;
        for (int j = old.isEmpty() ? -1 : s.indexOf(old); j >= 0 && hits < count; j = s.indexOf(old, j + old.length())) hits++;
        in.checkLength(s.length() + Math.min(hits, count) * (rep.length() - (long) old.length()));
        if (old.isEmpty()) {
            StringBuilder b = new StringBuilder();
            long done = 0;
            for (Object c : PyStr.chars(s)) {
                if (done++ < count) b.append(rep);
                b.append((String) c);
            }
            if (done < count) b.append(rep);
            return b.toString();
        }
        StringBuilder b = new StringBuilder();
        int i = 0;
        long done = 0;
        for (int j = s.indexOf(old); j >= 0 && done < count; j = s.indexOf(old, i), done++) {
            b.append(s, i, j).append(rep);
            i = j + old.length();
        }
        return b.append(s.substring(i)).toString();
    }

    static String pad(Interpreter in, String s, String how, long width, String fill) {
        if (PyStr.length(fill) != 1) throw TemplateException.typeError("The fill character must be exactly one character long");
        int n = PyStr.length(s);
        if (width <= n) return s;
        in.checkLength(width);
        int total = (int) (width - n);
        int left = switch (how) {
            case "ljust" -> 0;
            case "rjust" -> total;
            default -> total / 2 + (total & (int) width & 1);
        };
        return fill.repeat(left) + s + fill.repeat(total - left);
    }

    private static String zfill(Interpreter in, String s, long width) {
        int n = PyStr.length(s);
        if (width <= n) return s;
        in.checkLength(width);
        boolean sign = !s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+');
        String zeros = "0".repeat((int) (width - n));
        return sign ? s.charAt(0) + zeros + s.substring(1) : zeros + s;
    }

    private static boolean predicate(String s, String name) {
        if (s.isEmpty()) return false;
        boolean anyCased = false;
        int[] cps = s.codePoints().toArray();
        for (int c : cps) {
            boolean ok = switch (name) {
                case "isalpha" -> Character.isLetter(c);
                case "isdigit", "isdecimal", "isnumeric" -> Character.isDigit(c);
                case "isalnum" -> Character.isLetterOrDigit(c);
                case "isspace" -> PyStr.isSpace(c);
                case "islower" -> !Character.isUpperCase(c) && !Character.isTitleCase(c);
                case "isupper" -> !Character.isLowerCase(c) && !Character.isTitleCase(c);
                default -> true;
            };
            if (!ok) return false;
            anyCased |= Character.isUpperCase(c) || Character.isLowerCase(c) || Character.isTitleCase(c);
        }
        if (name.equals("istitle")) return PyStr.title(s).equals(s) && anyCased;
        return !(name.equals("islower") || name.equals("isupper")) || anyCased;
    }
}

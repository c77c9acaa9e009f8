package dev.gannet.runtime.template;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * jinja2's built-in filters that chat templates use, with jinja2's argument names and defaults, plus
 * Hugging Face's {@code tojson} ({@code json.dumps} with {@code ensure_ascii=False}). The sequence filters
 * are in {@link SeqFilters}.
 */
final class Filters {
    @FunctionalInterface
    interface Filter {
        Object apply(Interpreter in, Object value, List<Object> args, Map<String, Object> kw);
    }

    private static final Map<String, Filter> ALL = new HashMap<>();

    static {
        ALL.put("default", Filters::defaultFilter);
        ALL.put("d", Filters::defaultFilter);
        ALL.put("string", (in, v, a, k) -> none("string", a, k, Py.str(v)));
        ALL.put("safe", (in, v, a, k) -> none("safe", a, k, v instanceof Markup ? v : new Markup(Py.str(v))));
        ALL.put("upper", (in, v, a, k) -> none("upper", a, k, same(v, PyStr.upper(Py.str(v)))));
        ALL.put("lower", (in, v, a, k) -> none("lower", a, k, same(v, PyStr.lower(Py.str(v)))));
        ALL.put("capitalize", (in, v, a, k) -> none("capitalize", a, k, same(v, PyStr.capitalize(Py.str(v)))));
        ALL.put("title", (in, v, a, k) -> none("title", a, k, title(Py.str(v))));
        ALL.put("trim", (in, v, a, k) -> {
            Object[] p = Params.bind("trim", a, k, new String[] {"chars"}, (Object) null);
            return same(v, PyStr.strip(Py.str(v), Params.optStr(p[0], "trim"), true, true));
        });
        ALL.put("replace", (in, v, a, k) -> {
            Object[] p = Params.bind("replace", a, k, new String[] {"old", "new", "count"}, Params.REQUIRED,
                    Params.REQUIRED, null);
            long count = p[2] == null ? -1 : Params.toInt(p[2], "count");
            return StrMethods.replace(in, Py.str(v), Py.str(p[0]), Py.str(p[1]), count);
        });
        ALL.put("indent", Filters::indent);
        ALL.put("center", (in, v, a, k) -> {
            Object[] p = Params.bind("center", a, k, new String[] {"width"}, 80L);
            return same(v, StrMethods.pad(in, Py.str(v), "center", Params.toInt(p[0], "width"), " "));
        });
        ALL.put("truncate", Filters::truncate);
        ALL.put("wordcount", (in, v, a, k) -> none("wordcount", a, k, wordcount(Py.str(v))));
        ALL.put("escape", (in, v, a, k) -> none("escape", a, k, new Markup(Markup.escape(v))));
        ALL.put("e", ALL.get("escape"));
        ALL.put("forceescape", (in, v, a, k) -> none("forceescape", a, k, new Markup(escape(Py.str(v)))));
        ALL.put("format", (in, v, a, k) -> {
            if (!a.isEmpty() && !k.isEmpty()) {
                throw new TemplateException("FilterArgumentError", "can't handle positional and keyword arguments at the same time");
            }
            Object args = k.isEmpty() ? new PyTuple(a) : new java.util.LinkedHashMap<Object, Object>(k);
            return in.checkSize(PyFormat.percent(Py.str(v), args));
        });
        ALL.put("tojson", (in, v, a, k) -> {
            Object[] p = Params.bind("tojson", a, k, new String[] {"ensure_ascii", "indent", "separators", "sort_keys"},
                    false, null, null, false);
            return in.checkSize(PyJson.dumps(v, Py.truthy(p[0]), p[1], p[2], Py.truthy(p[3])));
        });
        ALL.put("int", Filters::toInt);
        ALL.put("float", (in, v, a, k) -> {
            Object[] p = Params.bind("float", a, k, new String[] {"default"}, 0.0);
            Double d = PyNumbers.parseFloat(v);
            return d == null ? p[0] : d;
        });
        ALL.put("abs", (in, v, a, k) -> none("abs", a, k, PyNumbers.abs(v)));
        ALL.put("round", Filters::round);
        ALL.put("attr", (in, v, a, k) -> {
            Object[] p = Params.bind("attr", a, k, new String[] {"name"}, Params.REQUIRED);
            return Access.getattr(v, Params.toStr(p[0], "attr"));
        });
        SeqFilters.register(ALL);
    }

    private Filters() {}

    static boolean exists(String name) {
        return ALL.containsKey(name);
    }

    static Object apply(Interpreter in, String name, Object value, List<Object> args, Map<String, Object> kw) {
        Filter f = ALL.get(name);
        if (f == null) throw new TemplateException("TemplateRuntimeError", "No filter named '" + name + "'.");
        return f.apply(in, value, args, kw);
    }

    /** A str filter's result: Markup in, Markup out (the filter ran str methods on it). */
    private static Object same(Object in, String result) {
        return in instanceof Markup ? new Markup(result) : result;
    }

    private static Object none(String name, List<Object> args, Map<String, Object> kw, Object result) {
        Params.bind(name, args, kw, new String[0]);
        return result;
    }

    private static Object defaultFilter(Interpreter in, Object v, List<Object> a, Map<String, Object> k) {
        Object[] p = Params.bind("default", a, k, new String[] {"default_value", "boolean"}, "", false);
        return v instanceof Undefined || (Py.truthy(p[1]) && !Py.truthy(v)) ? p[0] : v;
    }

    /** jinja2's title: words begin after whitespace, '-', '(', '{', '[' or '<' (not str.title's rule). */
    static String title(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean start = true;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            boolean sep = PyStr.isSpace(c) || c == '-' || c == '(' || c == '{' || c == '[' || c == '<';
            String ch = Character.toString(c);
            b.append(sep ? ch : start ? PyStr.upper(ch) : PyStr.lower(ch));
            start = sep;
        }
        return b.toString();
    }

    private static Object indent(Interpreter in, Object v, List<Object> a, Map<String, Object> k) {
        Object[] p = Params.bind("indent", a, k, new String[] {"width", "first", "blank"}, 4L, false, false);
        if (v instanceof Undefined u) throw u.error();
        if (v instanceof List) throw new TemplateException("AttributeError", "'list' object has no attribute 'splitlines'");
        if (v instanceof PyTuple) throw TemplateException.typeError("can only concatenate tuple (not \"str\") to tuple");
        if (!(v instanceof String || v instanceof Markup)) {
            throw TemplateException.typeError("unsupported operand type(s) for +=: '" + Py.typeName(v) + "' and 'str'");
        }
        String pad = p[0] instanceof String s ? s : " ".repeat((int) Math.max(0, Math.min(Params.toInt(p[0], "width"), in.maxChars())));
        List<Object> lines = PyStr.splitlines(Py.str(v) + "\n", false);
        StringBuilder b = new StringBuilder();
        if (Py.truthy(p[2])) {
            for (int i = 0; i < lines.size(); i++) {
                if (i > 0) b.append('\n').append(pad);
                b.append((String) lines.get(i));
                in.checkSize(b);
            }
        } else {
            b.append((String) lines.getFirst());
            for (int i = 1; i < lines.size(); i++) {
                String line = (String) lines.get(i);
                b.append('\n');
                if (!line.isEmpty()) b.append(pad);
                b.append(line);
                in.checkSize(b);
            }
        }
        return same(v, Py.truthy(p[1]) ? in.checkSize(pad + b) : b.toString());
    }

    private static Object truncate(Interpreter in, Object v, List<Object> a, Map<String, Object> k) {
        Object[] p = Params.bind("truncate", a, k, new String[] {"length", "killwords", "end", "leeway"}, 255L, false,
                "...", 5L);
        long length = Params.toInt(p[0], "length");
        if (!(v instanceof String || v instanceof Markup)) {
            if (Py.len(v) <= length + Params.toInt(p[3], "leeway")) return v;
            throw TemplateException.typeError("truncate needs a string, not " + Py.typeName(v));
        }
        String s = Py.str(v);
        String end = Py.str(p[2]);
        long leeway = Params.toInt(p[3], "leeway");
        if (length < PyStr.length(end)) throw new TemplateException("AssertionError", "expected length >= " + PyStr.length(end) + ", got " + length);
        if (PyStr.length(s) <= length + leeway) return s;
        String head = (String) Access.slice(s, null, length - PyStr.length(end), null);
        if (Py.truthy(p[1])) return head + end;
        return PyStr.rsplit(head, " ", 1).getFirst() + end;
    }

    private static long wordcount(String s) {
        long n = 0;
        boolean in = false;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            boolean word = Character.isLetterOrDigit(c) || c == '_';
            if (word && !in) n++;
            in = word;
        }
        return n;
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&#34;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static Object toInt(Interpreter in, Object v, List<Object> a, Map<String, Object> k) {
        Object[] p = Params.bind("int", a, k, new String[] {"default", "base"}, 0L, 10L);
        Long i = PyNumbers.parseInt(v, (int) Params.toInt(p[1], "base"));
        return i == null ? p[0] : i;
    }

    private static Object round(Interpreter in, Object v, List<Object> a, Map<String, Object> k) {
        Object[] p = Params.bind("round", a, k, new String[] {"precision", "method"}, 0L, "common");
        int precision = (int) Params.toInt(p[0], "precision");
        String method = Py.str(p[1]);
        if (!List.of("common", "ceil", "floor").contains(method)) {
            throw new TemplateException("FilterArgumentError", "method must be common, ceil or floor");
        }
        if (!Py.isNumber(v)) throw TemplateException.typeError("type " + Py.typeName(v) + " doesn't define __round__ method");
        if (method.equals("common") && !(v instanceof Double)) return Py.toLong(v);
        double d = Py.toDouble(v);
        if (Double.isNaN(d) || Double.isInfinite(d)) return d;
        RoundingMode mode = switch (method) {
            case "ceil" -> RoundingMode.CEILING;
            case "floor" -> RoundingMode.FLOOR;
            default -> RoundingMode.HALF_EVEN;
        };
        return new BigDecimal(d).setScale(precision, mode).doubleValue();
    }
}

package dev.gannet.runtime.template;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Python's view of template values: type names, truth, {@code str()}, {@code repr()}, equality, ordering,
 * iteration and length. Values are {@code null} (None), Boolean, Long (int), Double (float), String,
 * {@code List} (list), {@link PyTuple}, {@code Map} (dict, insertion-ordered), {@link Namespace},
 * {@link PyGenerator}, {@link PyRange}, {@link Undefined}, {@link PyCallable}, {@link LoopContext}.
 */
final class Py {
    private Py() {}

    static String typeName(Object v) {
        return switch (v) {
            case null -> "NoneType";
            case Boolean b -> "bool";
            case Long l -> "int";
            case Double d -> "float";
            case String s -> "str";
            case Markup m -> "Markup";
            case List<?> l -> "list";
            case PyTuple t -> "tuple";
            case Map<?, ?> m -> "dict";
            case Namespace n -> "Namespace";
            case PyGenerator g -> g.typeName();
            case PyView v2 -> v2.typeName();
            case PyRange r -> "range";
            case Undefined u -> "Undefined";
            case LoopContext l -> "LoopContext";
            case PyCallable c -> c.typeName();
            default -> v.getClass().getSimpleName();
        };
    }

    /** jinja2's {@code object_type_repr}: "None", "dict object", "jinja2.utils.Namespace object". */
    static String objectTypeRepr(Object v) {
        return switch (v) {
            case null -> "None";
            case Namespace n -> "jinja2.utils.Namespace object";
            case Markup m -> "markupsafe.Markup object";
            case LoopContext l -> "jinja2.runtime.LoopContext object";
            case Macro m -> "jinja2.runtime.Macro object";
            case Undefined u -> "jinja2.runtime.Undefined object";
            default -> typeName(v) + " object";
        };
    }

    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Long l -> l != 0;
            case Double d -> d != 0.0;
            case String s -> !s.isEmpty();
            case Markup m -> !m.text().isEmpty();
            case List<?> l -> !l.isEmpty();
            case PyTuple t -> !t.items().isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case PyRange r -> r.size() > 0;
            case PyView v2 -> !v2.map().isEmpty();
            case Undefined u -> false;
            default -> true;
        };
    }

    /** Python's {@code str()}; an undefined value prints as nothing. */
    static String str(Object v) {
        return switch (v) {
            case null -> "None";
            case String s -> s;
            case Markup m -> m.text();
            case Undefined u -> "";
            default -> repr(v);
        };
    }

    static String repr(Object v) {
        StringBuilder b = new StringBuilder();
        repr(v, b, 0);
        return b.toString();
    }

    private static void repr(Object v, StringBuilder b, int depth) {
        if (depth > 200) throw new TemplateException("RecursionError", "maximum recursion depth exceeded while getting the repr of an object");
        switch (v) {
            case null -> b.append("None");
            case Boolean x -> b.append(x ? "True" : "False");
            case Long x -> b.append(x.longValue());
            case Double x -> b.append(floatRepr(x));
            case String s -> b.append(strRepr(s));
            case Markup m -> b.append("Markup(").append(strRepr(m.text())).append(')');
            case List<?> l -> reprItems(l, "[", "]", b, depth);
            case PyTuple t -> reprItems(t.items(), "(", t.items().size() == 1 ? ",)" : ")", b, depth);
            case Map<?, ?> m -> {
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) b.append(", ");
                    first = false;
                    repr(e.getKey(), b, depth + 1);
                    b.append(": ");
                    repr(e.getValue(), b, depth + 1);
                }
                b.append('}');
            }
            case Namespace n -> {
                b.append("<Namespace ");
                repr(n.attrs, b, depth + 1);
                b.append('>');
            }
            case PyRange r -> b.append("range(").append(r.start()).append(", ").append(r.stop())
                    .append(r.step() == 1 ? "" : ", " + r.step()).append(')');
            case Undefined u -> b.append("Undefined");
            case PyView view -> {
                b.append(view.typeName()).append('(');
                reprItems(view.items(), "[", "]", b, depth);
                b.append(')');
            }
            case PyGenerator g -> b.append('<').append(g.typeName()).append(" object>");
            case Macro m -> b.append("<Macro ").append(strRepr(m.name())).append('>');
            case LoopContext l -> b.append("<LoopContext ").append(l.index()).append('/').append(l.length()).append('>');
            case PyCallable c -> b.append("<built-in function>");
            default -> b.append('<').append(typeName(v)).append(" object>");
        }
    }

    private static void reprItems(List<?> items, String open, String close, StringBuilder b, int depth) {
        b.append(open);
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) b.append(", ");
            repr(items.get(i), b, depth + 1);
        }
        b.append(close);
    }

    /** Python's float repr: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
        BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = bd.unscaledValue().toString();
        int exp = digits.length() - 1 - bd.scale();
        String sign = d < 0 ? "-" : "";
        if (exp >= -4 && exp < 16) {
            String plain = bd.toPlainString();
            return sign + (plain.indexOf('.') < 0 ? plain + ".0" : plain);
        }
        String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        int a = Math.abs(exp);
        return sign + mant + "e" + (exp < 0 ? "-" : "+") + (a < 10 ? "0" : "") + a;
    }

    /** Python's repr of a str: single quotes unless the text has one and no double quote. */
    static String strRepr(String s) {
        char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder b = new StringBuilder(s.length() + 2).append(q);
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c == q || c == '\\') b.append('\\').appendCodePoint(c);
            else if (c == '\n') b.append("\\n");
            else if (c == '\r') b.append("\\r");
            else if (c == '\t') b.append("\\t");
            else if (isPrintable(c)) b.appendCodePoint(c);
            else if (c < 0x100) b.append(String.format("\\x%02x", c));
            else if (c < 0x10000) b.append(String.format("\\u%04x", c));
            else b.append(String.format("\\U%08x", c));
        }
        return b.append(q).toString();
    }

    private static boolean isPrintable(int c) {
        if (c == ' ') return true;
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    /** An int-like value (bool or int) as a long. */
    static long toLong(Object v) {
        return v instanceof Boolean b ? (b ? 1 : 0) : (Long) v;
    }

    static double toDouble(Object v) {
        return v instanceof Double d ? d : toLong(v);
    }

    static boolean eq(Object a, Object b) {
        a = Markup.plain(a);
        b = Markup.plain(b);
        if (a == b) return true;
        if (a == null || b == null) return false;
        if (a instanceof Undefined || b instanceof Undefined) return a instanceof Undefined && b instanceof Undefined;
        if (isNumber(a) && isNumber(b)) {
            if (a instanceof Double || b instanceof Double) return toDouble(a) == toDouble(b);
            return toLong(a) == toLong(b);
        }
        if (a instanceof String s) return s.equals(b);
        if (a instanceof List<?> x && b instanceof List<?> y) return eqItems(x, y);
        if (a instanceof PyTuple x && b instanceof PyTuple y) return eqItems(x.items(), y.items());
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) return false;
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !eq(e.getValue(), y.get(e.getKey()))) return false;
            }
            return true;
        }
        return a.equals(b);
    }

    private static boolean eqItems(List<?> x, List<?> y) {
        if (x.size() != y.size()) return false;
        for (int i = 0; i < x.size(); i++) {
            if (!eq(x.get(i), y.get(i))) return false;
        }
        return true;
    }

    /** Python's ordering ({@code <}, {@code >}, ...): numbers, strings, and lists or tuples item by item. */
    static int compare(Object a0, Object b0, String op) {
        Object a = Markup.plain(a0);
        Object b = Markup.plain(b0);
        if (a instanceof Undefined u) throw u.error();
        if (b instanceof Undefined u) throw u.error();
        if (isNumber(a) && isNumber(b)) {
            if (a instanceof Double || b instanceof Double) return Double.compare(toDouble(a), toDouble(b));
            return Long.compare(toLong(a), toLong(b));
        }
        if (a instanceof String x && b instanceof String y) return PyStr.compare(x, y);
        List<?> x = a instanceof List<?> l ? l : a instanceof PyTuple t ? t.items() : null;
        List<?> y = b instanceof List<?> l ? l : b instanceof PyTuple t ? t.items() : null;
        if (x != null && y != null && (a instanceof PyTuple) == (b instanceof PyTuple)) {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                if (!eq(x.get(i), y.get(i))) return compare(x.get(i), y.get(i), op);
            }
            return Integer.compare(x.size(), y.size());
        }
        throw TemplateException.typeError("'" + op + "' not supported between instances of '"
                + typeName(a0) + "' and '" + typeName(b0) + "'");
    }

    /** Python's {@code iter()}: an undefined value iterates as empty, None is not iterable. */
    static Iterator<?> iterate(Object v) {
        return switch (v) {
            case null -> throw TemplateException.typeError("'NoneType' object is not iterable");
            case List<?> l -> l.iterator();
            case PyTuple t -> t.items().iterator();
            case Map<?, ?> m -> m.keySet().iterator();
            case String s -> PyStr.chars(s).iterator();
            case Markup m -> PyStr.chars(m.text()).iterator();
            case PyGenerator g -> g;
            case PyRange r -> rangeIterator(r);
            case PyView view -> view.items().iterator();
            case Undefined u -> Collections.emptyIterator();
            default -> throw TemplateException.typeError("'" + typeName(v) + "' object is not iterable");
        };
    }

    private static Iterator<Object> rangeIterator(PyRange r) {
        return new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i < r.size();
            }

            @Override
            public Object next() {
                return r.get(i++);
            }
        };
    }

    static boolean isIterable(Object v) {
        return v instanceof List || v instanceof PyTuple || v instanceof Map || v instanceof String || v instanceof Markup
                || v instanceof PyGenerator || v instanceof PyRange || v instanceof Undefined || v instanceof PyView;
    }

    /** {@code list(v)}: a new list of the items {@code v} iterates over. */
    static List<Object> toList(Object v) {
        List<Object> out = new ArrayList<>();
        Iterator<?> it = iterate(v);
        while (it.hasNext()) out.add(it.next());
        return out;
    }

    /** The items of a list or tuple as they are, any other iterable as a new list. */
    static List<?> sequence(Object v) {
        if (v instanceof List<?> l) return l;
        if (v instanceof PyTuple t) return t.items();
        return toList(v);
    }

    /** Python's {@code len()}. */
    static int len(Object v) {
        return switch (v) {
            case null -> throw TemplateException.typeError("object of type 'NoneType' has no len()");
            case String s -> PyStr.length(s);
            case Markup m -> PyStr.length(m.text());
            case List<?> l -> l.size();
            case PyTuple t -> t.items().size();
            case Map<?, ?> m -> m.size();
            case Namespace n -> throw TemplateException.typeError("object of type 'Namespace' has no len()");
            case PyRange r -> r.size();
            case PyView view -> view.map().size();
            case Undefined u -> 0;
            default -> throw TemplateException.typeError("object of type '" + typeName(v) + "' has no len()");
        };
    }
}

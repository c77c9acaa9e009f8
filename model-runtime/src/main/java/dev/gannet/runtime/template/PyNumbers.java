package dev.gannet.runtime.template;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Python's operators on template values: {@code + - * / // % **} with Python's results (int division
 * gives a float, {@code //} and {@code %} round towards negative infinity, {@code "%s" % x} formats,
 * {@code "ab" * 3} repeats) and Python's TypeError wording; {@code in}; int() and float() conversions.
 * Ints are 64-bit: a result beyond that is an OverflowError where Python would grow the int.
 */
final class PyNumbers {
    private static final Pattern FLOAT = Pattern.compile(
            "[+-]?((\\d(_?\\d)*)?(\\.(\\d(_?\\d)*)?)?([eE][+-]?\\d(_?\\d)*)?|inf(inity)?|nan)", Pattern.CASE_INSENSITIVE);

    private PyNumbers() {}

    static Object binary(Interpreter in, String op, Object a, Object b) {
        if (op.equals("%") && a instanceof String s && b instanceof Undefined) return in.checkSize(PyFormat.percent(s, b));
        if (a instanceof Undefined u) throw u.error();
        if (b instanceof Undefined u) throw u.error();
        return switch (op) {
            case "+" -> add(in, a, b);
            case "-" -> arith(op, a, b);
            case "*" -> mul(in, a, b);
            case "/" -> {
                requireNumbers(op, a, b);
                double y = Py.toDouble(b);
                if (y == 0) {
                    throw new TemplateException("ZeroDivisionError", a instanceof Double || b instanceof Double
                            ? "float division by zero" : "division by zero");
                }
                yield Py.toDouble(a) / y;
            }
            case "%" -> a instanceof String s ? in.checkSize(PyFormat.percent(s, Markup.plain(b)))
                    : a instanceof Markup m ? new Markup(in.checkSize(PyFormat.percent(m.text(), escapedArgs(b)))) : arith(op, a, b);
            default -> arith(op, a, b);
        };
    }

    static Object add(Interpreter in, Object a, Object b) {
        if (a instanceof Undefined u) throw u.error();
        if (b instanceof Undefined u) throw u.error();
        if (Py.isNumber(a) && Py.isNumber(b)) return arith("+", a, b);
        if (a instanceof Markup || b instanceof Markup) {
            boolean text = (a instanceof String || a instanceof Markup) && (b instanceof String || b instanceof Markup);
            if (!text) throw unsupported("+", a, b);
            return new Markup(in.checkSize(Markup.escape(a) + Markup.escape(b)));
        }
        if (a instanceof String x) {
            if (b instanceof String y) return in.checkSize(x + y);
            throw concatError("str", b);
        }
        if (a instanceof List<?> x) {
            if (!(b instanceof List<?> y)) throw concatError("list", b);
            List<Object> out = new ArrayList<>(x.size() + y.size());
            out.addAll(x);
            out.addAll(y);
            return in.counted(out);
        }
        if (a instanceof PyTuple x) {
            if (!(b instanceof PyTuple y)) throw concatError("tuple", b);
            List<Object> out = new ArrayList<>(x.items());
            out.addAll(y.items());
            return new PyTuple(in.counted(out));
        }
        throw unsupported("+", a, b);
    }

    /** The arguments of {@code Markup % args}, escaped as markupsafe escapes them. */
    private static Object escapedArgs(Object b) {
        if (b instanceof PyTuple t) {
            List<Object> out = new ArrayList<>();
            for (Object x : t.items()) out.add(x instanceof String || x instanceof Markup ? Markup.escape(x) : x);
            return new PyTuple(out);
        }
        if (b instanceof Map<?, ?> m) {
            Map<Object, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k, x instanceof String || x instanceof Markup ? Markup.escape(x) : x));
            return out;
        }
        return b instanceof String || b instanceof Markup ? Markup.escape(b) : b;
    }

    private static TemplateException concatError(String type, Object b) {
        return TemplateException.typeError("can only concatenate " + type + " (not \"" + Py.typeName(b) + "\") to " + type);
    }

    private static TemplateException unsupported(String op, Object a, Object b) {
        return TemplateException.typeError("unsupported operand type(s) for " + (op.equals("**") ? "** or pow()" : op) + ": '" + Py.typeName(a) + "' and '"
                + Py.typeName(b) + "'");
    }

    private static void requireNumbers(String op, Object a, Object b) {
        if (!Py.isNumber(a) || !Py.isNumber(b)) throw unsupported(op, a, b);
    }

    private static Object mul(Interpreter in, Object a, Object b) {
        if (Py.isNumber(a) && Py.isNumber(b)) return arith("*", a, b);
        if (a instanceof Markup m) return new Markup((String) mul(in, m.text(), b));
        if (b instanceof Markup m) return new Markup((String) mul(in, a, m.text()));
        boolean aSeq = a instanceof String || a instanceof List || a instanceof PyTuple;
        boolean bSeq = b instanceof String || b instanceof List || b instanceof PyTuple;
        if (!aSeq && !bSeq) throw unsupported("*", a, b);
        Object seq = aSeq ? a : b;
        Object n = aSeq ? b : a;
        if (!(n instanceof Long || n instanceof Boolean)) {
            throw TemplateException.typeError("can't multiply sequence by non-int of type '" + Py.typeName(n) + "'");
        }
        long times = Math.max(0, Py.toLong(n));
        if (seq instanceof String s) {
            in.checkLength(times * s.length());
            return s.repeat((int) times);
        }
        List<?> items = Py.sequence(seq);
        in.checkLength(times * items.size());
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < times; i++) out.addAll(items);
        in.counted(out);
        return seq instanceof PyTuple ? new PyTuple(out) : out;
    }

    private static Object arith(String op, Object a, Object b) {
        requireNumbers(op, a, b);
        if (a instanceof Double || b instanceof Double) return floatArith(op, Py.toDouble(a), Py.toDouble(b));
        long x = Py.toLong(a), y = Py.toLong(b);
        try {
            return switch (op) {
                case "+" -> Math.addExact(x, y);
                case "-" -> Math.subtractExact(x, y);
                case "*" -> Math.multiplyExact(x, y);
                case "//" -> {
                    if (y == 0) throw new TemplateException("ZeroDivisionError", "integer division or modulo by zero");
                    yield Math.floorDiv(x, y);
                }
                case "%" -> {
                    if (y == 0) throw new TemplateException("ZeroDivisionError", "integer modulo by zero");
                    yield Math.floorMod(x, y);
                }
                default -> y < 0 ? (Object) Math.pow(x, y) : (Object) powExact(x, y);
            };
        } catch (ArithmeticException e) {
            throw new TemplateException("OverflowError", "integer result too large for a template (64 bits)");
        }
    }

    private static long powExact(long x, long y) {
        long r = 1;
        for (long i = 0; i < y; i++) {
            r = Math.multiplyExact(r, x);
            if (r == 0 || r == 1 && x == 1) break;
        }
        return r;
    }

    private static double floatArith(String op, double x, double y) {
        return switch (op) {
            case "+" -> x + y;
            case "-" -> x - y;
            case "*" -> x * y;
            case "//" -> {
                if (y == 0) throw new TemplateException("ZeroDivisionError", "float floor division by zero");
                yield Math.floor(x / y);
            }
            case "%" -> {
                if (y == 0) throw new TemplateException("ZeroDivisionError", "float modulo");
                double r = x % y;
                yield r != 0 && (r < 0) != (y < 0) ? r + y : r;
            }
            default -> Math.pow(x, y);
        };
    }

    static Object unary(String op, Object v) {
        if (v instanceof Undefined u) throw u.error();
        if (!Py.isNumber(v)) throw TemplateException.typeError("bad operand type for unary " + op + ": '" + Py.typeName(v) + "'");
        if (op.equals("+")) return v instanceof Boolean ? (Object) Py.toLong(v) : v;
        if (v instanceof Double d) return -d;
        long x = Py.toLong(v);
        if (x == Long.MIN_VALUE) throw new TemplateException("OverflowError", "integer result too large for a template (64 bits)");
        return -x;
    }

    static Object abs(Object v) {
        if (v instanceof Double d) return Math.abs(d);
        if (v instanceof Long || v instanceof Boolean) return Math.abs(Py.toLong(v));
        throw TemplateException.typeError("bad operand type for abs(): '" + Py.typeName(v) + "'");
    }

    static boolean isTrue(Object value, long expected) {
        return Py.eq(value, expected);
    }

    /** Python's {@code item in container}. */
    static boolean contains(Object container, Object item) {
        container = Markup.plain(container);
        item = container instanceof String ? Markup.plain(item) : item;
        switch (container) {
            case String s -> {
                if (!(item instanceof String sub)) {
                    throw TemplateException.typeError("'in <string>' requires string as left operand, not " + Py.typeName(item));
                }
                return s.contains(sub);
            }
            case Map<?, ?> m -> {
                return m.containsKey(Access.hashable(item));
            }
            case PyRange r -> {
                if (!(item instanceof Long || item instanceof Boolean)) return false;
                long x = Py.toLong(item);
                for (int i = 0; i < r.size(); i++) if (r.get(i) == x) return true;
                return false;
            }
            case null -> throw TemplateException.typeError("argument of type 'NoneType' is not iterable");
            default -> {
                if (!Py.isIterable(container)) {
                    throw TemplateException.typeError("argument of type '" + Py.typeName(container) + "' is not iterable");
                }
                Iterator<?> it = Py.iterate(container);
                while (it.hasNext()) if (Py.eq(it.next(), item)) return true;
                return false;
            }
        }
    }

    /** jinja2's int filter: {@code int(value, base)}, else {@code int(float(value))}, else null. */
    static Long parseInt(Object v, int base) {
        v = Markup.plain(v);
        if (v instanceof Undefined u) throw u.error();
        if (v instanceof Long || v instanceof Boolean) return Py.toLong(v);
        if (v instanceof Double d) return Double.isFinite(d) ? (long) (double) d : null;
        if (!(v instanceof String s)) return null;
        String t = PyStr.strip(s, null, true, true).replace("_", "");
        try {
            String digits = t;
            boolean neg = digits.startsWith("-");
            if (neg || digits.startsWith("+")) digits = digits.substring(1);
            String lower = digits.toLowerCase(java.util.Locale.ROOT);
            if (base == 16 && lower.startsWith("0x") || base == 8 && lower.startsWith("0o") || base == 2 && lower.startsWith("0b")) {
                digits = digits.substring(2);
            }
            if (!digits.isEmpty() && Character.digit(digits.charAt(0), base) >= 0) {
                long x = Long.parseLong(digits, base);
                return neg ? -x : x;
            }
        } catch (NumberFormatException e) {
            // not an int literal: try it as a float below, as jinja2 does
        }
        Double d = parseFloat(s);
        return d == null || !Double.isFinite(d) ? null : (long) (double) d;
    }

    /** Python's {@code float(value)}, or null where it raises. */
    static Double parseFloat(Object v) {
        v = Markup.plain(v);
        if (v instanceof Undefined u) throw u.error();
        if (v instanceof Double d) return d;
        if (v instanceof Long || v instanceof Boolean) return (double) Py.toLong(v);
        if (!(v instanceof String s)) return null;
        String t = PyStr.strip(s, null, true, true);
        if (t.isEmpty() || !FLOAT.matcher(t).matches() || t.replaceAll("[^0-9a-zA-Z]", "").isEmpty()) return null;
        String lower = t.toLowerCase(java.util.Locale.ROOT).replace("_", "");
        if (lower.endsWith("inf") || lower.endsWith("infinity")) return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        if (lower.endsWith("nan")) return Double.NaN;
        try {
            return Double.parseDouble(lower);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}

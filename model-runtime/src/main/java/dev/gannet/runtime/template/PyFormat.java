package dev.gannet.runtime.template;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/**
 * Python's two string formatting languages: {@code "%s: %d" % (a, b)} (also jinja2's {@code format}
 * filter) and {@code "{}: {:>5}".format(a, b)}. Floats round half-even on their exact binary value, as
 * Python's do (Java's Formatter rounds half-up). Field lookups in {@code format} go through the sandbox.
 */
final class PyFormat {
    private PyFormat() {}

    static String percent(String fmt, Object args) {
        List<?> positional = args instanceof PyTuple t ? t.items() : java.util.Collections.singletonList(args);
        Map<?, ?> mapping = args instanceof Map<?, ?> m ? m : null;
        StringBuilder b = new StringBuilder();
        int next = 0;
        boolean usedMapping = false;
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%') {
                b.append(c);
                continue;
            }
            if (++i >= fmt.length()) throw new TemplateException("ValueError", "incomplete format");
            Object value = null;
            boolean haveValue = false;
            if (fmt.charAt(i) == '(') {
                int close = fmt.indexOf(')', i);
                if (close < 0) throw new TemplateException("ValueError", "incomplete format key");
                if (args instanceof Undefined u) throw u.error();
                if (mapping == null) throw TemplateException.typeError("format requires a mapping");
                String key = fmt.substring(i + 1, close);
                if (!mapping.containsKey(key)) throw new TemplateException("KeyError", Py.repr(key));
                value = mapping.get(key);
                haveValue = true;
                usedMapping = true;
                i = close + 1;
            }
            StringBuilder flags = new StringBuilder();
            while (i < fmt.length() && "-+ #0".indexOf(fmt.charAt(i)) >= 0) flags.append(fmt.charAt(i++));
            int start = i;
            while (i < fmt.length() && Character.isDigit(fmt.charAt(i))) i++;
            int width = i > start ? number(fmt.substring(start, i)) : -1;
            int precision = -1;
            if (i < fmt.length() && fmt.charAt(i) == '.') {
                start = ++i;
                while (i < fmt.length() && Character.isDigit(fmt.charAt(i))) i++;
                precision = i > start ? number(fmt.substring(start, i)) : 0;
            }
            while (i < fmt.length() && "hlL".indexOf(fmt.charAt(i)) >= 0) i++;
            if (i >= fmt.length()) throw new TemplateException("ValueError", "incomplete format");
            char type = fmt.charAt(i);
            if (type == '%') {
                b.append('%');
                continue;
            }
            if (!haveValue) {
                if (next >= positional.size()) throw TemplateException.typeError("not enough arguments for format string");
                value = positional.get(next++);
            }
            b.append(pad(convert(value, type, precision, flags.toString()), width, flags.indexOf("-") >= 0 ? '<' : '>',
                    flags.indexOf("0") >= 0 && flags.indexOf("-") < 0 && "sr".indexOf(type) < 0 ? '0' : ' '));
        }
        boolean mappingLike = args instanceof Map || args instanceof List || args instanceof Undefined || args instanceof PyRange;
        if (!usedMapping && !mappingLike && next < positional.size()) {
            throw TemplateException.typeError("not all arguments converted during string formatting");
        }
        return b.toString();
    }

    /** Widths and precisions beyond this are refused: no prompt needs a field a million characters wide. */
    static final int MAX_FIELD = 1_000_000;

    /** A width or precision in a format string. */
    static int number(String digits) {
        if (digits.length() > 7 || Integer.parseInt(digits) > MAX_FIELD) {
            throw TemplateException.limit("format field width or precision " + digits + " is larger than " + MAX_FIELD);
        }
        return Integer.parseInt(digits);
    }

    private static String convert(Object v, char type, int precision, String flags) {
        String sign = flags.indexOf('+') >= 0 ? "+" : flags.indexOf(' ') >= 0 ? " " : "";
        return switch (type) {
            case 's' -> precision >= 0 ? truncate(Py.str(v), precision) : Py.str(v);
            case 'r', 'a' -> precision >= 0 ? truncate(Py.repr(v), precision) : Py.repr(v);
            case 'd', 'i', 'u' -> withSign(Long.toString(integer(v, type)), sign);
            case 'x', 'X', 'o' -> {
                long x = integer(v, type);
                String digits = Long.toString(Math.abs(x), type == 'o' ? 8 : 16);
                if (flags.indexOf('#') >= 0) digits = (type == 'o' ? "0o" : "0x") + digits;
                if (type == 'X') digits = digits.toUpperCase(java.util.Locale.ROOT);
                yield x < 0 ? "-" + digits : withSign(digits, sign);
            }
            case 'e', 'E', 'f', 'F', 'g', 'G' -> {
                if (!Py.isNumber(v)) {
                    throw TemplateException.typeError("must be real number, not " + Py.typeName(v));
                }
                yield withSign(formatFloat(Py.toDouble(v), type, precision < 0 ? 6 : precision, flags.indexOf('#') >= 0), sign);
            }
            case 'c' -> v instanceof String s && PyStr.length(s) == 1 ? s : Character.toString((int) integer(v, 'c'));
            default -> throw new TemplateException("ValueError", "unsupported format character '" + type + "'");
        };
    }

    private static long integer(Object v, char type) {
        if (v instanceof Long || v instanceof Boolean) return Py.toLong(v);
        if (v instanceof Double d) return (long) (double) d;
        throw TemplateException.typeError("%" + type + " format: a real number is required, not " + Py.typeName(v));
    }

    private static String withSign(String s, String sign) {
        return s.startsWith("-") ? s : sign + s;
    }

    private static String truncate(String s, int n) {
        return PyStr.length(s) <= n ? s : s.substring(0, PyStr.offset(s, n));
    }

    private static String pad(String s, int width, char align, char fill) {
        int n = PyStr.length(s);
        if (width <= n) return s;
        String f = String.valueOf(fill).repeat(width - n);
        if (fill == '0' && (s.startsWith("-") || s.startsWith("+") || s.startsWith(" "))) return s.charAt(0) + f + s.substring(1);
        return switch (align) {
            case '<' -> s + f;
            case '^' -> f.substring(0, (width - n) / 2) + s + f.substring((width - n) / 2);
            default -> f + s;
        };
    }

    /** A float as %f, %e or %g format it (half-even rounding of the exact value). */
    static String formatFloat(double d, char type, int precision, boolean alt) {
        boolean upper = Character.isUpperCase(type);
        if (Double.isNaN(d)) return upper ? "NAN" : "nan";
        if (Double.isInfinite(d)) return (d < 0 ? "-" : "") + (upper ? "INF" : "inf");
        String out = switch (Character.toLowerCase(type)) {
            case 'f' -> new BigDecimal(d).setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
            case 'e' -> exp(d, precision);
            default -> general(d, precision == 0 ? 1 : precision, alt);
        };
        if (d < 0 && !out.startsWith("-")) out = "-" + out;
        if (alt && type != 'g' && type != 'G' && !out.contains(".") && !out.contains("e")) out += ".";
        return upper ? out.toUpperCase(java.util.Locale.ROOT) : out;
    }

    private static String exp(double d, int precision) {
        if (d == 0) return (1 / d < 0 ? "-" : "") + "0" + (precision > 0 ? "." + "0".repeat(precision) : "") + "e+00";
        BigDecimal bd = new BigDecimal(d).round(new MathContext(precision + 1, RoundingMode.HALF_EVEN));
        String digits = bd.unscaledValue().abs().toString();
        int exp = digits.length() - 1 - bd.scale();
        digits = (digits + "0".repeat(precision + 1)).substring(0, precision + 1);
        String mant = digits.charAt(0) + (precision > 0 ? "." + digits.substring(1) : "");
        int a = Math.abs(exp);
        return (d < 0 ? "-" : "") + mant + "e" + (exp < 0 ? "-" : "+") + (a < 10 ? "0" : "") + a;
    }

    private static String general(double d, int p, boolean alt) {
        if (d == 0) return (1 / d < 0 ? "-" : "") + (alt ? "0." + "0".repeat(p - 1) : "0");
        BigDecimal bd = new BigDecimal(d).round(new MathContext(p, RoundingMode.HALF_EVEN));
        int exp = bd.precision() - 1 - bd.scale();
        String s = exp >= -4 && exp < p ? bd.setScale(Math.max(0, p - 1 - exp), RoundingMode.HALF_EVEN).toPlainString()
                : exp(d, p - 1);
        if (alt) return s;
        if (s.contains("e")) {
            String m = s.substring(0, s.indexOf('e'));
            if (m.contains(".")) m = m.replaceAll("0+$", "").replaceAll("\\.$", "");
            return m + s.substring(s.indexOf('e'));
        }
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }
}

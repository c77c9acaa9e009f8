package dev.gannet.runtime.template;

import java.util.List;
import java.util.Map;

/** Python's {@code str.format} and its format-spec mini-language. */
final class StrFormat {
    private StrFormat() {}

    static String format(String fmt, List<Object> args, Map<String, Object> kwargs) {
        StringBuilder b = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c == '}') {
                if (i + 1 < fmt.length() && fmt.charAt(i + 1) == '}') i++;
                else throw new TemplateException("ValueError", "Single '}' encountered in format string");
                b.append('}');
                continue;
            }
            if (c != '{') {
                b.append(c);
                continue;
            }
            if (i + 1 < fmt.length() && fmt.charAt(i + 1) == '{') {
                b.append('{');
                i++;
                continue;
            }
            int close = fmt.indexOf('}', i);
            if (close < 0) throw new TemplateException("ValueError", "Single '{' encountered in format string");
            String field = fmt.substring(i + 1, close);
            i = close;
            String spec = "";
            int colon = field.indexOf(':');
            if (colon >= 0) {
                spec = field.substring(colon + 1);
                field = field.substring(0, colon);
            }
            char conv = 0;
            int bang = field.indexOf('!');
            if (bang >= 0) {
                conv = field.length() > bang + 1 ? field.charAt(bang + 1) : 0;
                field = field.substring(0, bang);
            }
            Object value;
            String head = field.split("[.\\[]", 2)[0];
            String rest = field.substring(head.length());
            if (head.isEmpty()) {
                if (auto >= args.size()) throw new TemplateException("IndexError", "Replacement index " + auto + " out of range for positional args tuple");
                value = args.get(auto++);
            } else if (head.chars().allMatch(Character::isDigit)) {
                int k = PyFormat.number(head);
                if (k >= args.size()) throw new TemplateException("IndexError", "Replacement index " + k + " out of range for positional args tuple");
                value = args.get(k);
            } else {
                if (!kwargs.containsKey(head)) throw new TemplateException("KeyError", Py.repr(head));
                value = kwargs.get(head);
            }
            value = lookups(value, rest);
            if (conv == 'r' || conv == 'a') value = Py.repr(value);
            else if (conv == 's') value = Py.str(value);
            b.append(formatValue(value, spec));
        }
        return b.toString();
    }

    private static Object lookups(Object value, String rest) {
        int i = 0;
        while (i < rest.length()) {
            if (rest.charAt(i) == '.') {
                int j = i + 1;
                while (j < rest.length() && rest.charAt(j) != '.' && rest.charAt(j) != '[') j++;
                value = Access.getattr(value, rest.substring(i + 1, j));
                i = j;
            } else {
                int j = rest.indexOf(']', i);
                if (j < 0) throw new TemplateException("ValueError", "Missing ']' in format string");
                String key = rest.substring(i + 1, j);
                value = Access.getitem(value, key.chars().allMatch(Character::isDigit) && !key.isEmpty() ? (Object) Long.parseLong(key) : key);
                i = j + 1;
            }
            if (value instanceof Undefined u) throw u.error();
        }
        return value;
    }

    /** {@code format(value, spec)}: [[fill]align][sign][#][0][width][,|_][.precision][type]. */
    static String formatValue(Object v, String spec) {
        v = Markup.plain(v);
        if (spec.isEmpty()) return Py.str(v);
        int i = 0;
        char fill = ' ', align = 0;
        if (spec.length() >= 2 && "<>^=".indexOf(spec.charAt(1)) >= 0) {
            fill = spec.charAt(0);
            align = spec.charAt(1);
            i = 2;
        } else if ("<>^=".indexOf(spec.charAt(0)) >= 0) {
            align = spec.charAt(0);
            i = 1;
        }
        char sign = 0;
        if (i < spec.length() && "+- ".indexOf(spec.charAt(i)) >= 0) sign = spec.charAt(i++);
        boolean alt = i < spec.length() && spec.charAt(i) == '#';
        if (alt) i++;
        if (i < spec.length() && spec.charAt(i) == '0' && align == 0) {
            fill = '0';
            align = '=';
            i++;
        }
        int start = i;
        while (i < spec.length() && Character.isDigit(spec.charAt(i))) i++;
        int width = i > start ? PyFormat.number(spec.substring(start, i)) : 0;
        char group = 0;
        if (i < spec.length() && (spec.charAt(i) == ',' || spec.charAt(i) == '_')) group = spec.charAt(i++);
        int precision = -1;
        if (i < spec.length() && spec.charAt(i) == '.') {
            start = ++i;
            while (i < spec.length() && Character.isDigit(spec.charAt(i))) i++;
            if (i == start) throw new TemplateException("ValueError", "Format specifier missing precision");
            precision = PyFormat.number(spec.substring(start, i));
        }
        char type = i < spec.length() ? spec.charAt(i++) : 0;
        if (i < spec.length()) throw new TemplateException("ValueError", "Invalid format specifier");
        String body = body(v, type, precision, alt, group);
        if (sign == '+' || sign == ' ') body = body.startsWith("-") ? body : sign + body;
        if (align == 0) align = v instanceof String || type == 's' || (!Py.isNumber(v)) ? '<' : '>';
        int n = PyStr.length(body);
        if (width <= n) return body;
        String f = String.valueOf(fill).repeat(width - n);
        return switch (align) {
            case '<' -> body + f;
            case '^' -> f.substring(0, (width - n) / 2) + body + f.substring((width - n) / 2);
            case '=' -> "+- ".indexOf(body.charAt(0)) >= 0 ? body.charAt(0) + f + body.substring(1) : f + body;
            default -> f + body;
        };
    }

    private static String body(Object v, char type, int precision, boolean alt, char group) {
        if (v instanceof String s) {
            if (type != 0 && type != 's') throw new TemplateException("ValueError", "Unknown format code '" + type + "' for object of type 'str'");
            return precision >= 0 && PyStr.length(s) > precision ? s.substring(0, PyStr.offset(s, precision)) : s;
        }
        if (!Py.isNumber(v)) {
            if (type == 0 || type == 's') return Py.str(v);
            throw TemplateException.typeError("unsupported format string passed to " + Py.typeName(v) + ".__format__");
        }
        boolean integral = !(v instanceof Double);
        switch (type) {
            case 0, 'd', 'n' -> {
                if (integral && type == 0 && v instanceof Boolean) return Py.str(v);
                if (integral) return grouped(Long.toString(Py.toLong(v)), group);
                if (type != 0) throw new TemplateException("ValueError", "Unknown format code 'd' for object of type 'float'");
                return precision < 0 ? Py.floatRepr((Double) v) : PyFormat.formatFloat((Double) v, 'g', precision, alt);
            }
            case 'x', 'X', 'o', 'b' -> {
                if (!integral) throw new TemplateException("ValueError", "Unknown format code '" + type + "' for object of type 'float'");
                long x = Py.toLong(v);
                String digits = Long.toString(Math.abs(x), type == 'b' ? 2 : type == 'o' ? 8 : 16);
                if (alt) digits = "0" + Character.toLowerCase(type) + digits;
                if (type == 'X') digits = digits.toUpperCase(java.util.Locale.ROOT);
                return (x < 0 ? "-" : "") + digits;
            }
            case 'c' -> {
                return Character.toString((int) Py.toLong(v));
            }
            case '%' -> {
                return PyFormat.formatFloat(Py.toDouble(v) * 100, 'f', precision < 0 ? 6 : precision, alt) + "%";
            }
            case 'e', 'E', 'f', 'F', 'g', 'G' -> {
                String s = PyFormat.formatFloat(Py.toDouble(v), type, precision < 0 ? 6 : precision, alt);
                if (group == 0) return s;
                int dot = s.indexOf('.');
                return grouped(dot < 0 ? s : s.substring(0, dot), group) + (dot < 0 ? "" : s.substring(dot));
            }
            default -> throw new TemplateException("ValueError", "Unknown format code '" + type + "' for object of type '" + Py.typeName(v) + "'");
        }
    }

    private static String grouped(String digits, char group) {
        if (group == 0) return digits;
        boolean neg = digits.startsWith("-");
        String d = neg ? digits.substring(1) : digits;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < d.length(); i++) {
            if (i > 0 && (d.length() - i) % 3 == 0) b.append(group);
            b.append(d.charAt(i));
        }
        return (neg ? "-" : "") + b;
    }
}

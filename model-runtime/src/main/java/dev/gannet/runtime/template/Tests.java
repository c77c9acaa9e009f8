package dev.gannet.runtime.template;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** jinja2's tests ({@code x is defined}, {@code x is string}, {@code x is divisibleby 3}, ...). */
final class Tests {
    private static final Set<String> NAMES = Set.of("defined", "undefined", "none", "boolean", "false", "true",
            "integer", "float", "number", "string", "mapping", "iterable", "sequence", "callable", "escaped",
            "lower", "upper", "even", "odd", "divisibleby", "eq", "equalto", "==", "ne", "!=", "lt", "lessthan", "<",
            "le", "<=", "gt", "greaterthan", ">", "ge", ">=", "in", "sameas", "filter", "test");

    private Tests() {}

    static boolean exists(String name) {
        return NAMES.contains(name);
    }

    static boolean apply(Interpreter in, String name, Object v, List<Object> args, Map<String, Object> kw) {
        if (!NAMES.contains(name)) throw new TemplateException("TemplateRuntimeError", "No test named '" + name + "'.");
        return switch (name) {
            case "defined" -> none(name, args, kw) && !(v instanceof Undefined);
            case "undefined" -> none(name, args, kw) && v instanceof Undefined;
            case "none" -> none(name, args, kw) && v == null;
            case "boolean" -> none(name, args, kw) && v instanceof Boolean;
            case "false" -> none(name, args, kw) && Boolean.FALSE.equals(v);
            case "true" -> none(name, args, kw) && Boolean.TRUE.equals(v);
            case "integer" -> none(name, args, kw) && v instanceof Long;
            case "float" -> none(name, args, kw) && v instanceof Double;
            case "number" -> none(name, args, kw) && Py.isNumber(v);
            case "string" -> none(name, args, kw) && (v instanceof String || v instanceof Markup);
            case "mapping" -> none(name, args, kw) && v instanceof Map;
            case "iterable" -> none(name, args, kw) && Py.isIterable(v);
            case "sequence" -> none(name, args, kw) && (v instanceof String || v instanceof Markup || v instanceof List || v instanceof PyTuple
                    || v instanceof Map || v instanceof PyRange || v instanceof Undefined);
            case "callable" -> none(name, args, kw) && (v instanceof PyCallable || v instanceof Undefined);
            case "escaped" -> none(name, args, kw) && v instanceof Markup;
            case "lower" -> none(name, args, kw) && (boolean) StrMethods.call(in, Py.str(v), "islower", List.of(), Map.of());
            case "upper" -> none(name, args, kw) && (boolean) StrMethods.call(in, Py.str(v), "isupper", List.of(), Map.of());
            case "even", "odd" -> {
                none(name, args, kw);
                yield PyNumbers.isTrue(PyNumbers.binary(in, "%", v, 2L), name.equals("odd") ? 1 : 0);
            }
            case "divisibleby" -> PyNumbers.isTrue(PyNumbers.binary(in, "%", v, one(name, args, kw)), 0);
            case "eq", "equalto", "==" -> Py.eq(v, one(name, args, kw));
            case "ne", "!=" -> !Py.eq(v, one(name, args, kw));
            case "lt", "lessthan", "<" -> Py.compare(v, one(name, args, kw), "<") < 0;
            case "le", "<=" -> Py.compare(v, one(name, args, kw), "<=") <= 0;
            case "gt", "greaterthan", ">" -> Py.compare(v, one(name, args, kw), ">") > 0;
            case "ge", ">=" -> Py.compare(v, one(name, args, kw), ">=") >= 0;
            case "in" -> PyNumbers.contains(one(name, args, kw), v);
            case "sameas" -> sameAs(v, one(name, args, kw));
            case "filter" -> none(name, args, kw) && v instanceof String s && Filters.exists(s);
            default -> none(name, args, kw) && v instanceof String s && exists(s);
        };
    }

    /** Python's {@code is}: None, booleans and small ints are singletons; other values are compared by identity. */
    private static boolean sameAs(Object a, Object b) {
        if (a == null || b == null) return a == b;
        if (a instanceof Boolean || b instanceof Boolean) return a.equals(b);
        if (a instanceof Long x && b instanceof Long y) return x.equals(y) && x >= -5 && x <= 256;
        return a == b;
    }

    private static boolean none(String name, List<Object> args, Map<String, Object> kw) {
        Params.bind(name, args, kw, new String[0]);
        return true;
    }

    private static Object one(String name, List<Object> args, Map<String, Object> kw) {
        return Params.bind(name, args, kw, new String[] {"other"}, Params.REQUIRED)[0];
    }
}

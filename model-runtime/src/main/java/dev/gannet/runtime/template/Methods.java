package dev.gannet.runtime.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The methods a template may call on values, and only these: Python's non-mutating str, dict and list
 * methods. Mutating ones ({@code append}, {@code update}, ...) are refused as jinja2's immutable sandbox
 * refuses them; anything else is not an attribute.
 */
final class Methods {
    private static final Set<String> STR = Set.of("upper", "lower", "title", "capitalize", "swapcase", "casefold",
            "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith", "endswith", "replace", "find",
            "rfind", "index", "rindex", "count", "join", "format", "center", "ljust", "rjust", "zfill", "isalpha",
            "isdigit", "isalnum", "isspace", "islower", "isupper", "istitle", "isnumeric", "isdecimal", "partition",
            "rpartition", "removeprefix", "removesuffix");
    private static final Set<String> DICT = Set.of("items", "keys", "values", "get", "copy");
    private static final Set<String> DICT_MUTATORS = Set.of("clear", "pop", "popitem", "setdefault", "update");
    private static final Set<String> LIST = Set.of("index", "count", "copy");
    private static final Set<String> LIST_MUTATORS = Set.of("append", "clear", "pop", "reverse", "insert", "sort",
            "extend", "remove");

    private Methods() {}

    /** The bound method {@code name} of {@code v}, an unsafe undefined for a mutator, or null. */
    static Object lookup(Object v, String name) {
        boolean found = switch (v) {
            case null -> false;
            case String s -> STR.contains(name);
            case Markup m -> STR.contains(name);
            case Map<?, ?> m -> {
                if (DICT_MUTATORS.contains(name)) yield false;
                yield DICT.contains(name);
            }
            case List<?> l -> LIST.contains(name);
            case PyTuple t -> name.equals("index") || name.equals("count");
            default -> false;
        };
        if (found) return new Bound(v, name);
        if ((v instanceof Map && DICT_MUTATORS.contains(name)) || (v instanceof List && LIST_MUTATORS.contains(name))) {
            return Undefined.unsafe(v, name);
        }
        return null;
    }

    /** A method bound to its receiver, as {@code "abc".upper} is in Python. */
    record Bound(Object self, String name) implements PyCallable {
        @Override
        public Object call(Interpreter in, List<Object> args, Map<String, Object> kwargs) {
            return switch (self) {
                case String s -> StrMethods.call(in, s, name, args, kwargs);
                case Markup m -> markup(in, m, name, args, kwargs);
                case Map<?, ?> m -> dict(m, name, args, kwargs);
                case List<?> l -> sequence(l, name, args);
                case PyTuple t -> sequence(t.items(), name, args);
                default -> throw new IllegalStateException("no method " + name);
            };
        }

        @Override
        public String typeName() {
            return "builtin_function_or_method";
        }
    }

    /** A str method of Markup: string arguments are escaped first, string results are Markup. */
    private static Object markup(Interpreter in, Markup m, String name, List<Object> args, Map<String, Object> kwargs) {
        boolean escapes = Set.of("replace", "join", "format", "partition", "rpartition", "split", "rsplit", "center",
                "ljust", "rjust", "strip", "lstrip", "rstrip", "removeprefix", "removesuffix").contains(name);
        List<Object> a = new ArrayList<>(args.size());
        for (Object x : args) a.add(!escapes ? Markup.plain(x) : name.equals("join") ? escapedItems(x) : x instanceof String || x instanceof Markup ? Markup.escape(x) : x);
        Map<String, Object> k = new LinkedHashMap<>();
        kwargs.forEach((key, x) -> k.put(key, escapes && (x instanceof String || x instanceof Markup) ? Markup.escape(x) : Markup.plain(x)));
        Object result = StrMethods.call(in, m.text(), name, a, k);
        return Set.of("startswith", "endswith", "find", "rfind", "index", "rindex", "count").contains(name)
                || name.startsWith("is") ? result : Markup.wrap(result);
    }

    private static Object escapedItems(Object seq) {
        List<Object> out = new ArrayList<>();
        for (Object x : Py.sequence(seq)) out.add(Markup.escape(x));
        return out;
    }

    private static Object dict(Map<?, ?> m, String name, List<Object> args, Map<String, Object> kwargs) {
        if (!kwargs.isEmpty()) throw TemplateException.typeError(name + "() takes no keyword arguments");
        switch (name) {
            case "items", "keys", "values" -> {
                noArgs(name, args);
                return new PyView(name, m);
            }
            case "copy" -> {
                noArgs(name, args);
                return new LinkedHashMap<Object, Object>(m);
            }
            default -> {
                if (args.isEmpty() || args.size() > 2) {
                    throw TemplateException.typeError("get expected 1 to 2 arguments, got " + args.size());
                }
                Object key = Access.hashable(args.getFirst());
                return m.containsKey(key) ? m.get(key) : args.size() > 1 ? args.get(1) : null;
            }
        }
    }

    private static Object sequence(List<?> items, String name, List<Object> args) {
        if (name.equals("copy")) {
            noArgs(name, args);
            return new ArrayList<Object>(items);
        }
        if (args.size() != 1) throw TemplateException.typeError(name + "() takes exactly one argument (" + args.size() + " given)");
        long n = 0;
        for (int i = 0; i < items.size(); i++) {
            if (Py.eq(items.get(i), args.getFirst())) {
                if (name.equals("index")) return (long) i;
                n++;
            }
        }
        if (name.equals("index")) throw new TemplateException("ValueError", Py.repr(args.getFirst()) + " is not in list");
        return n;
    }

    static void noArgs(String name, List<Object> args) {
        if (!args.isEmpty()) throw TemplateException.typeError(name + "() takes no arguments (" + args.size() + " given)");
    }
}

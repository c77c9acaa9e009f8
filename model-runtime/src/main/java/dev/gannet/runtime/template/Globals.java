package dev.gannet.runtime.template;

import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The functions every template sees: jinja2's {@code range}, {@code dict} and {@code namespace}, and the
 * two Hugging Face adds, {@code raise_exception(message)} and {@code strftime_now(format)}.
 */
final class Globals {
    private Globals() {}

    static void install(Scope scope, Supplier<ZonedDateTime> now) {
        scope.set("range", (PyCallable) Globals::range);
        scope.set("dict", (PyCallable) (in, args, kw) -> {
            if (args.size() > 1) throw TemplateException.typeError("dict expected at most 1 argument, got " + args.size());
            Map<Object, Object> out = new LinkedHashMap<>();
            if (!args.isEmpty()) {
                if (args.getFirst() instanceof Map<?, ?> m) out.putAll(m);
                else for (Object pair : Py.toList(args.getFirst())) {
                    List<?> kv = Py.sequence(pair);
                    if (kv.size() != 2) throw new TemplateException("ValueError", "dictionary update sequence element has length " + kv.size() + "; 2 is required");
                    out.put(Access.hashable(kv.get(0)), kv.get(1));
                }
            }
            out.putAll(kw);
            return out;
        });
        scope.set("namespace", (PyCallable) (in, args, kw) -> {
            Namespace ns = new Namespace();
            if (args.size() > 1) throw TemplateException.typeError("Namespace expected at most 1 argument, got " + args.size());
            if (!args.isEmpty()) {
                if (!(args.getFirst() instanceof Map<?, ?> m)) throw TemplateException.typeError("cannot convert " + Py.typeName(args.getFirst()) + " to a namespace");
                m.forEach((k, v) -> ns.attrs.put(Py.str(k), v));
            }
            ns.attrs.putAll(kw);
            return ns;
        });
        scope.set("raise_exception", (PyCallable) (in, args, kw) -> {
            Object[] a = Params.bind("raise_exception", args, kw, new String[] {"message"}, Params.REQUIRED);
            throw new TemplateException("TemplateError", Py.str(a[0]));
        });
        scope.set("strftime_now", (PyCallable) (in, args, kw) -> {
            Object[] a = Params.bind("strftime_now", args, kw, new String[] {"format"}, Params.REQUIRED);
            return Strftime.format(now.get(), Params.toStr(a[0], "strftime_now"));
        });
    }

    private static Object range(Interpreter in, List<Object> args, Map<String, Object> kw) {
        if (!kw.isEmpty()) throw TemplateException.typeError("range() takes no keyword arguments");
        long[] a = new long[args.size()];
        for (int i = 0; i < a.length; i++) a[i] = Params.toInt(args.get(i), "");
        return switch (a.length) {
            case 1 -> new PyRange(0, a[0], 1);
            case 2 -> new PyRange(a[0], a[1], 1);
            case 3 -> new PyRange(a[0], a[1], a[2]);
            default -> throw TemplateException.typeError("range expected at most 3 arguments, got " + a.length);
        };
    }
}

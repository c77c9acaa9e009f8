package dev.gannet.runtime.template;

import java.util.List;
import java.util.Map;

/**
 * Python-style binding of a call's arguments to named parameters with defaults: positional first, then
 * keywords; too many, unknown or missing ones are the TypeErrors Python raises.
 */
final class Params {
    /** Marks a parameter without a default. */
    static final Object REQUIRED = new Object();

    private Params() {}

    /**
     * Binds {@code args}/{@code kwargs} to {@code names}; {@code defaults[i]} is parameter i's default or
     * {@link #REQUIRED}.
     */
    static Object[] bind(String fn, List<Object> args, Map<String, Object> kwargs, String[] names, Object... defaults) {
        if (args.size() > names.length) {
            throw TemplateException.typeError(fn + "() takes at most " + names.length + " argument"
                    + (names.length == 1 ? "" : "s") + " (" + args.size() + " given)");
        }
        Object[] out = new Object[names.length];
        for (int i = 0; i < names.length; i++) {
            boolean positional = i < args.size();
            boolean keyword = kwargs.containsKey(names[i]);
            if (positional && keyword) {
                throw TemplateException.typeError(fn + "() got multiple values for argument '" + names[i] + "'");
            }
            if (positional) out[i] = args.get(i);
            else if (keyword) out[i] = kwargs.get(names[i]);
            else if (defaults[i] == REQUIRED) {
                throw TemplateException.typeError(fn + "() missing required argument '" + names[i] + "'");
            } else out[i] = defaults[i];
        }
        for (String k : kwargs.keySet()) {
            if (!List.of(names).contains(k)) {
                throw TemplateException.typeError(fn + "() got an unexpected keyword argument '" + k + "'");
            }
        }
        return out;
    }

    static long toInt(Object v, String what) {
        if (v instanceof Long || v instanceof Boolean) return Py.toLong(v);
        throw TemplateException.typeError("'" + Py.typeName(v) + "' object cannot be interpreted as an integer"
                + (what.isEmpty() ? "" : " (" + what + ")"));
    }

    static String toStr(Object v, String fn) {
        if (v instanceof String s) return s;
        if (v instanceof Markup m) return m.text();
        if (v instanceof Undefined u) throw u.error();
        throw TemplateException.typeError("must be str, not " + Py.typeName(v));
    }

    /** A str argument that may be None. */
    static String optStr(Object v, String fn) {
        return v == null ? null : toStr(v, fn);
    }
}

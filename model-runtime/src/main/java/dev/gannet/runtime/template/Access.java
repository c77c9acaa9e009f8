package dev.gannet.runtime.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * jinja2's sandboxed lookups. {@code x.name} tries the attribute first, then the item; {@code x[key]} the
 * item first, then the attribute; a miss is an {@link Undefined} naming what was missing. Attributes are
 * the whitelisted {@link Methods}, a namespace's fields and the loop's; names starting with an underscore
 * are refused.
 */
final class Access {
    private Access() {}

    static Object getattr(Object obj, String name) {
        if (obj instanceof Undefined u) throw u.error();
        if (name.startsWith("_")) return Undefined.unsafe(obj, name);
        Object attr = attribute(obj, name);
        if (attr != null) return attr == NONE_VALUE ? null : attr;
        Object item = item(obj, name);
        return item != MISSING ? item : Undefined.member(obj, name);
    }

    static Object getitem(Object obj, Object key) {
        if (obj instanceof Undefined u) throw u.error();
        Object item = item(obj, key);
        if (item != MISSING) return item;
        if (key instanceof String name) {
            if (name.startsWith("_")) return Undefined.unsafe(obj, name);
            Object attr = attribute(obj, name);
            if (attr != null) return attr == NONE_VALUE ? null : attr;
        }
        return Undefined.member(obj, key);
    }

    private static final Object MISSING = new Object();
    private static final Object NONE_VALUE = new Object();

    /** The attribute {@code name} of {@code obj}; null when it has none, NONE_VALUE when it is None. */
    private static Object attribute(Object obj, String name) {
        if (obj instanceof Namespace ns) {
            if (!ns.attrs.containsKey(name)) return null;
            Object v = ns.attrs.get(name);
            return v == null ? NONE_VALUE : v;
        }
        if (obj instanceof LoopContext loop) {
            Object v = loop.attribute(name);
            return v == null ? NONE_VALUE : v == LoopContext.NO_ATTRIBUTE ? null : v;
        }
        return Methods.lookup(obj, name);
    }

    /** {@code obj[key]}, or MISSING where Python raises a lookup or type error. */
    private static Object item(Object obj, Object key) {
        switch (obj) {
            case Map<?, ?> m -> {
                Object k = hashableOrNull(key);
                return k != null && m.containsKey(k) ? m.get(k) : MISSING;
            }
            case List<?> l -> {
                return index(l, key);
            }
            case PyTuple t -> {
                return index(t.items(), key);
            }
            case String s -> {
                if (!(key instanceof Long || key instanceof Boolean)) return MISSING;
                String c = PyStr.at(s, Py.toLong(key));
                return c == null ? MISSING : c;
            }
            case Markup m -> {
                Object c = item(m.text(), key);
                return c == MISSING ? MISSING : new Markup((String) c);
            }
            case PyRange r -> {
                if (!(key instanceof Long || key instanceof Boolean)) return MISSING;
                long i = Py.toLong(key);
                if (i < 0) i += r.size();
                return i < 0 || i >= r.size() ? MISSING : r.get((int) i);
            }
            case null, default -> {
                return MISSING;
            }
        }
    }

    private static Object index(List<?> l, Object key) {
        if (!(key instanceof Long || key instanceof Boolean)) return MISSING;
        long i = Py.toLong(key);
        if (i < 0) i += l.size();
        return i < 0 || i >= l.size() ? MISSING : l.get((int) i);
    }

    /** A dict key as Python hashes it: numbers that are equal find each other; lists and dicts are refused. */
    static Object hashable(Object key) {
        Object k = hashableOrNull(key);
        if (k == null && key != null) throw TemplateException.typeError("unhashable type: '" + Py.typeName(key) + "'");
        return key == null ? null : k;
    }

    private static Object hashableOrNull(Object key) {
        return switch (key) {
            case null -> null;
            case Boolean b -> b;
            case Markup m -> m.text();
            case Double d -> d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9e18 ? (Object) (long) (double) d : d;
            case List<?> l -> null;
            case Map<?, ?> m -> null;
            case Namespace n -> null;
            default -> key;
        };
    }

    /** {@code seq[start:stop:step]} for str, list and tuple. */
    static Object slice(Object obj, Object start, Object stop, Object step) {
        if (obj instanceof Undefined u) throw u.error();
        if (obj instanceof Markup m) return Markup.wrap(slice(m.text(), start, stop, step));
        List<?> items;
        if (obj instanceof String s) items = PyStr.chars(s);
        else if (obj instanceof List<?> l) items = l;
        else if (obj instanceof PyTuple t) items = t.items();
        else return Undefined.member(obj, "slice(" + Py.repr(start) + ", " + Py.repr(stop) + ", " + Py.repr(step) + ")");
        long st = step == null ? 1 : sliceIndex(step);
        if (st == 0) throw new TemplateException("ValueError", "slice step cannot be zero");
        int n = items.size();
        long a, b;
        if (st > 0) {
            a = start == null ? 0 : clamp(sliceIndex(start), n, 0, n);
            b = stop == null ? n : clamp(sliceIndex(stop), n, 0, n);
        } else {
            a = start == null ? n - 1 : clamp(sliceIndex(start), n, -1, n - 1);
            b = stop == null ? -1 : clamp(sliceIndex(stop), n, -1, n - 1);
        }
        List<Object> out = new ArrayList<>();
        for (long i = a; st > 0 ? i < b : i > b; i += st) out.add(items.get((int) i));
        if (obj instanceof String) {
            StringBuilder sb = new StringBuilder();
            for (Object c : out) sb.append((String) c);
            return sb.toString();
        }
        return obj instanceof PyTuple ? new PyTuple(out) : out;
    }

    private static long sliceIndex(Object v) {
        if (v instanceof Long || v instanceof Boolean) return Py.toLong(v);
        throw TemplateException.typeError("slice indices must be integers or None or have an __index__ method");
    }

    private static long clamp(long i, int n, long lo, long hi) {
        if (i < 0) i += n;
        return Math.max(lo, Math.min(hi, i));
    }
}

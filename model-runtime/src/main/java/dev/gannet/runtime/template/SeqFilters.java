package dev.gannet.runtime.template;

import dev.gannet.runtime.template.Filters.Filter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * jinja2's filters over sequences. {@code map}, {@code select}, {@code reject}, {@code selectattr},
 * {@code rejectattr}, {@code unique}, {@code items} and {@code reverse} return one-shot generators as
 * jinja2's do (so {@code tools|map(...)|tojson} fails as it does there); attribute paths
 * ({@code attribute="a.b"}) are looked up item-first.
 */
final class SeqFilters {
    private SeqFilters() {}

    static void register(Map<String, Filter> f) {
        f.put("length", (in, v, a, k) -> noArgs("length", a, k, (long) Py.len(v)));
        f.put("count", f.get("length"));
        f.put("list", (in, v, a, k) -> noArgs("list", a, k, in.counted(Py.toList(v))));
        f.put("first", (in, v, a, k) -> {
            Iterator<?> it = Py.iterate(v);
            return noArgs("first", a, k, it.hasNext() ? it.next() : Undefined.hinted("No first item, sequence was empty."));
        });
        f.put("last", (in, v, a, k) -> noArgs("last", a, k, last(v)));
        f.put("join", SeqFilters::join);
        f.put("map", SeqFilters::map);
        f.put("select", (in, v, a, k) -> select(in, v, a, k, false, false));
        f.put("reject", (in, v, a, k) -> select(in, v, a, k, true, false));
        f.put("selectattr", (in, v, a, k) -> select(in, v, a, k, false, true));
        f.put("rejectattr", (in, v, a, k) -> select(in, v, a, k, true, true));
        f.put("unique", SeqFilters::unique);
        f.put("sort", SeqFilters::sort);
        f.put("dictsort", SeqFilters::dictsort);
        f.put("reverse", (in, v, a, k) -> noArgs("reverse", a, k, reverse(in, v)));
        f.put("items", (in, v, a, k) -> noArgs("items", a, k, items(v)));
        f.put("sum", SeqFilters::sum);
        f.put("min", (in, v, a, k) -> minMax(in, v, a, k, "min"));
        f.put("max", (in, v, a, k) -> minMax(in, v, a, k, "max"));
        f.put("batch", SeqFilters::batch);
        f.put("groupby", SeqFilters::groupby);
    }

    private static Object noArgs(String name, List<Object> args, Map<String, Object> kw, Object result) {
        Params.bind(name, args, kw, new String[0]);
        return result;
    }

    private static Object last(Object v) {
        if (v instanceof PyGenerator g) throw TemplateException.typeError("'" + g.typeName() + "' object is not reversible");
        if (v == null || Py.isNumber(v)) throw TemplateException.typeError("'" + Py.typeName(v) + "' object is not reversible");
        List<?> items = Py.sequence(v);
        return items.isEmpty() ? Undefined.hinted("No last item, sequence was empty.") : items.getLast();
    }

    private static Object join(Interpreter in, Object v, List<Object> a, Map<String, Object> k) {
        Object[] p = Params.bind("join", a, k, new String[] {"d", "attribute"}, "", null);
        Function<Object, Object> get = p[1] == null ? x -> x : attrGetter(p[1], null);
        String sep = Py.str(p[0]);
        StringBuilder b = new StringBuilder();
        Iterator<?> it = Py.iterate(v);
        for (int i = 0; it.hasNext(); i++) {
            if (i > 0) b.append(sep);
            b.append(Py.str(get.apply(it.next())));
            in.checkSize(b);
        }
        return b.toString();
    }

    /** jinja2's make_attrgetter: "a.b.0" looks up a, then b, then item 0, each item-first. */
    static Function<Object, Object> attrGetter(Object attribute, Object dflt) {
        List<Object> parts = new ArrayList<>();
        if (attribute instanceof String s) {
            for (Object part : PyStr.split(s, ".", -1)) {
                String ps = (String) part;
                parts.add(!ps.isEmpty() && ps.chars().allMatch(Character::isDigit) ? (Object) Long.parseLong(ps) : ps);
            }
        } else {
            parts.add(attribute);
        }
        return item -> {
            Object x = item;
            for (Object part : parts) {
                x = Access.getitem(x, part);
                if (dflt != null && x instanceof Undefined) x = dflt;
            }
            return x;
        };
    }

    private static Object map(Interpreter in, Object v, List<Object> a, Map<String, Object> k) {
        Function<Object, Object> fn;
        if (a.isEmpty() && k.containsKey("attribute")) {
            Map<String, Object> rest = new LinkedHashMap<>(k);
            Object attribute = rest.remove("attribute");
            Object dflt = rest.remove("default");
            if (!rest.isEmpty()) {
                throw new TemplateException("FilterArgumentError", "Unexpected keyword argument " + Py.repr(rest.keySet().iterator().next()));
            }
            fn = attrGetter(attribute, dflt);
        } else {
            if (a.isEmpty()) throw new TemplateException("FilterArgumentError", "map requires a filter argument");
            String name = Py.str(a.getFirst());
            List<Object> rest = a.subList(1, a.size());
            fn = item -> Filters.apply(in, name, item, rest, k);
        }
        return new PyGenerator("generator", () -> {
            Iterator<?> it = Py.truthy(v) ? Py.iterate(v) : Collections.emptyIterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Object next() {
                    in.tick();
                    return fn.apply(it.next());
                }
            };
        });
    }

    private static Object select(Interpreter in, Object v, List<Object> a, Map<String, Object> k, boolean reject, boolean attr) {
        Function<Object, Object> get = x -> x;
        int off = 0;
        if (attr) {
            if (a.isEmpty()) throw new TemplateException("FilterArgumentError", "Missing parameter for attribute name");
            get = attrGetter(a.getFirst(), null);
            off = 1;
        }
        Predicate<Object> test;
        if (a.size() > off) {
            String name = Py.str(a.get(off));
            List<Object> rest = a.subList(off + 1, a.size());
            test = x -> Tests.apply(in, name, x, rest, k);
        } else {
            test = Py::truthy;
        }
        Function<Object, Object> getter = get;
        return filtered(in, () -> Py.truthy(v) ? Py.iterate(v) : Collections.emptyIterator(), x -> test.test(getter.apply(x)) != reject);
    }

    private static PyGenerator filtered(Interpreter in, java.util.function.Supplier<Iterator<?>> source, Predicate<Object> keep) {
        return new PyGenerator("generator", () -> new Iterator<>() {
            private final Iterator<?> it = source.get();
            private Object next;
            private boolean ready;

            @Override
            public boolean hasNext() {
                while (!ready && it.hasNext()) {
                    in.tick();
                    Object x = it.next();
                    if (keep.test(x)) {
                        next = x;
                        ready = true;
                    }
                }
                return ready;
            }

            @Override
            public Object next() {
                hasNext();
                ready = false;
                return next;
            }
        });
    }

    private static Object unique(Interpreter in, Object v, List<Object> a, Map<String, Object> k) {
        Object[] p = Params.bind("unique", a, k, new String[] {"case_sensitive", "attribute"}, false, null);
        Function<Object, Object> get = p[1] == null ? x -> x : attrGetter(p[1], null);
        boolean cs = Py.truthy(p[0]);
        List<Object> seen = new ArrayList<>();
        return filtered(in, () -> Py.iterate(v), x -> {
            Object key = get.apply(x);
            if (!cs && key instanceof String s) key = PyStr.lower(s);
            Access.hashable(key);
            for (Object s : seen) if (Py.eq(s, key)) return false;
            seen.add(key);
            return true;
        });
    }

    private static Object sort(Interpreter in, Object v, List<Object> a, Map<String, Object> k) {
        Object[] p = Params.bind("sort", a, k, new String[] {"reverse", "case_sensitive", "attribute"}, false, false, null);
        List<Function<Object, Object>> keys = new ArrayList<>();
        if (p[2] instanceof String s && s.contains(",")) {
            for (Object part : PyStr.split(s, ",", -1)) keys.add(attrGetter(part, null));
        } else {
            keys.add(p[2] == null ? x -> x : attrGetter(p[2], null));
        }
        boolean cs = Py.truthy(p[1]);
        Comparator<Object> cmp = (x, y) -> {
            for (Function<Object, Object> key : keys) {
                int c = Py.compare(fold(key.apply(x), cs), fold(key.apply(y), cs), "<");
                if (c != 0) return c;
            }
            return 0;
        };
        List<Object> out = in.counted(Py.toList(v));
        out.sort(Py.truthy(p[0]) ? cmp.reversed() : cmp);
        return out;
    }

    private static Object fold(Object x, boolean caseSensitive) {
        return !caseSensitive && x instanceof String s ? PyStr.lower(s) : x;
    }

    private static Object dictsort(Interpreter in, Object v, List<Object> a, Map<String, Object> k) {
        Object[] p = Params.bind("dictsort", a, k, new String[] {"case_sensitive", "by", "reverse"}, false, "key", false);
        if (v instanceof Undefined u) throw u.error();
        if (!(v instanceof Map<?, ?> m)) {
            throw new TemplateException("AttributeError", "'" + Py.typeName(v) + "' object has no attribute 'items'");
        }
        int pos = switch (Py.str(p[1])) {
            case "key" -> 0;
            case "value" -> 1;
            default -> throw new TemplateException("FilterArgumentError", "You can only sort by either \"key\" or \"value\"");
        };
        boolean cs = Py.truthy(p[0]);
        List<Object> out = new ArrayList<>();
        for (Map.Entry<?, ?> e : m.entrySet()) out.add(PyTuple.of(e.getKey(), e.getValue()));
        Comparator<Object> cmp = (x, y) -> Py.compare(fold(((PyTuple) x).items().get(pos), cs),
                fold(((PyTuple) y).items().get(pos), cs), "<");
        out.sort(Py.truthy(p[2]) ? cmp.reversed() : cmp);
        return out;
    }

    private static Object reverse(Interpreter in, Object v) {
        if (v instanceof String s) return Access.slice(s, null, null, -1L);
        if (v instanceof Markup m) return Markup.wrap(Access.slice(m.text(), null, null, -1L));
        if (v instanceof Undefined) return PyGenerator.of("reversed", Collections.emptyIterator());
        if (!Py.isIterable(v)) throw new TemplateException("FilterArgumentError", "argument must be iterable");
        List<Object> items;
        try {
            items = in.counted(Py.toList(v));
        } catch (TemplateException e) {
            if (!e.kind().equals("TypeError")) throw e;
            throw new TemplateException("FilterArgumentError", "argument must be iterable");
        }
        Collections.reverse(items);
        if (v instanceof List || v instanceof PyTuple || v instanceof PyRange || v instanceof Map) {
            return PyGenerator.of(v instanceof Map ? "dict_reversekeyiterator" : "list_reverseiterator", items.iterator());
        }
        return items;
    }

    private static Object items(Object v) {
        if (v instanceof Undefined) return PyGenerator.of("generator", Collections.emptyIterator());
        Iterator<?> src = v instanceof Map<?, ?> m ? m.entrySet().iterator() : null;
        return PyGenerator.of("generator", new Iterator<>() {
            @Override
            public boolean hasNext() {
                if (src == null) throw TemplateException.typeError("Can only get item pairs from a mapping.");
                return src.hasNext();
            }

            @Override
            public Object next() {
                Map.Entry<?, ?> e = (Map.Entry<?, ?>) src.next();
                return PyTuple.of(e.getKey(), e.getValue());
            }
        });
    }

    private static Object sum(Interpreter in, Object v, List<Object> a, Map<String, Object> k) {
        Object[] p = Params.bind("sum", a, k, new String[] {"attribute", "start"}, null, 0L);
        Function<Object, Object> get = p[0] == null ? x -> x : attrGetter(p[0], null);
        Object total = p[1];
        Iterator<?> it = Py.iterate(v);
        while (it.hasNext()) {
            in.tick();
            total = PyNumbers.add(in, total, get.apply(it.next()));
        }
        return total;
    }

    private static Object minMax(Interpreter in, Object v, List<Object> a, Map<String, Object> k, String which) {
        Object[] p = Params.bind(which, a, k, new String[] {"case_sensitive", "attribute"}, false, null);
        Function<Object, Object> get = p[1] == null ? x -> x : attrGetter(p[1], null);
        boolean cs = Py.truthy(p[0]);
        Object best = null;
        boolean any = false;
        Iterator<?> it = Py.iterate(v);
        while (it.hasNext()) {
            Object x = it.next();
            int c = any ? Py.compare(fold(get.apply(x), cs), fold(get.apply(best), cs), which.equals("min") ? "<" : ">") : 0;
            if (!any || (which.equals("min") ? c < 0 : c > 0)) best = x;
            any = true;
        }
        return any ? best : Undefined.hinted("No aggregated item, sequence was empty.");
    }

    private static Object batch(Interpreter in, Object v, List<Object> a, Map<String, Object> k) {
        Object[] p = Params.bind("batch", a, k, new String[] {"linecount", "fill_with"}, Params.REQUIRED, null);
        long n = Params.toInt(p[0], "linecount");
        return new PyGenerator("generator", () -> {
            if (n <= 0) throw new TemplateException("ValueError", "linecount must be positive");
            List<Object> out = new ArrayList<>();
            List<Object> cur = new ArrayList<>();
            for (Object x : in.counted(Py.toList(v))) {
                cur.add(x);
                if (cur.size() == n) {
                    out.add(cur);
                    cur = new ArrayList<>();
                }
            }
            if (!cur.isEmpty()) {
                if (p[1] != null) while (cur.size() < n) cur.add(p[1]);
                out.add(cur);
            }
            return out.iterator();
        });
    }

    private static Object groupby(Interpreter in, Object v, List<Object> a, Map<String, Object> k) {
        Object[] p = Params.bind("groupby", a, k, new String[] {"attribute", "default", "case_sensitive"},
                Params.REQUIRED, null, false);
        Function<Object, Object> get = attrGetter(p[0], p[1]);
        boolean cs = Py.truthy(p[2]);
        List<Object> items = in.counted(Py.toList(v));
        items.sort((x, y) -> Py.compare(fold(get.apply(x), cs), fold(get.apply(y), cs), "<"));
        List<Object> out = new ArrayList<>();
        Object key = null;
        List<Object> group = null;
        for (Object x : items) {
            Object kx = fold(get.apply(x), cs);
            if (group == null || !Py.eq(kx, key)) {
                if (group != null) out.add(PyTuple.of(get.apply(group.getFirst()), group));
                group = new ArrayList<>();
                key = kx;
            }
            group.add(x);
        }
        if (group != null) out.add(PyTuple.of(get.apply(group.getFirst()), group));
        return out;
    }
}

package dev.gannet.runtime.template;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON in and out of templates. {@link #dumps} is Python's {@code json.dumps} as Hugging Face's
 * {@code tojson} calls it: {@code ", "} and {@code ": "} between items (or {@code ","} and newlines with
 * an indent), keys in insertion order unless sorted, non-ASCII kept unless {@code ensure_ascii}, floats as
 * Python prints them. {@link #fromJson} turns request JSON into template values.
 */
public final class PyJson {
    private PyJson() {}

    /** Request JSON as a template value: objects keep their key order, integers are ints, other numbers floats. */
    public static Object fromJson(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return null;
        if (n.isTextual()) return n.textValue();
        if (n.isBoolean()) return n.booleanValue();
        if (n.isIntegralNumber()) return n.canConvertToLong() ? (Object) n.longValue() : (Object) n.doubleValue();
        if (n.isNumber()) return n.doubleValue();
        if (n.isArray()) {
            List<Object> out = new ArrayList<>(n.size());
            for (JsonNode e : n) out.add(fromJson(e));
            return out;
        }
        if (n.isObject()) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : n.properties()) out.put(e.getKey(), fromJson(e.getValue()));
            return out;
        }
        throw new IllegalArgumentException("unsupported JSON node " + n.getNodeType());
    }

    static String dumps(Object v, boolean ensureAscii, Object indent, Object separators, boolean sortKeys) {
        String pad = indent == null ? null : indent instanceof String s ? s : " ".repeat((int) Math.max(0, Math.min(1024, Params.toInt(indent, "indent"))));
        String itemSep = pad == null ? ", " : ",";
        String keySep = ": ";
        if (separators != null) {
            List<?> seps = Py.sequence(separators);
            if (seps.size() != 2) throw new TemplateException("ValueError", "too many values to unpack (expected 2)");
            itemSep = Params.toStr(seps.get(0), "separators");
            keySep = Params.toStr(seps.get(1), "separators");
        }
        StringBuilder b = new StringBuilder();
        new Writer(ensureAscii, pad, itemSep, keySep, sortKeys, b).write(v, 0);
        return b.toString();
    }

    private record Writer(boolean ascii, String pad, String itemSep, String keySep, boolean sort, StringBuilder b) {
        void write(Object v, int depth) {
            if (depth > 500) throw new TemplateException("RecursionError", "maximum recursion depth exceeded while encoding a JSON object");
            switch (v) {
                case null -> b.append("null");
                case Boolean x -> b.append(x ? "true" : "false");
                case Long x -> b.append(x.longValue());
                case Double x -> b.append(floatJson(x));
                case String s -> string(s);
                case Markup s -> string(s.text());
                case List<?> l -> array(l, depth);
                case PyTuple t -> array(t.items(), depth);
                case Map<?, ?> m -> object(m, depth);
                default -> throw TemplateException.typeError("Object of type " + Py.typeName(v) + " is not JSON serializable");
            }
        }

        private void newline(int depth) {
            if (pad != null) b.append('\n').append(pad.repeat(depth));
        }

        private void array(List<?> items, int depth) {
            if (items.isEmpty()) {
                b.append("[]");
                return;
            }
            b.append('[');
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) b.append(itemSep);
                newline(depth + 1);
                write(items.get(i), depth + 1);
            }
            newline(depth);
            b.append(']');
        }

        private void object(Map<?, ?> m, int depth) {
            if (m.isEmpty()) {
                b.append("{}");
                return;
            }
            List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
            if (sort) entries.sort((x, y) -> Py.compare(x.getKey(), y.getKey(), "<"));
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : entries) {
                if (!first) b.append(itemSep);
                first = false;
                newline(depth + 1);
                string(key(e.getKey()));
                b.append(keySep);
                write(e.getValue(), depth + 1);
            }
            newline(depth);
            b.append('}');
        }

        private static String key(Object k) {
            return switch (k) {
                case String s -> s;
                case Markup s -> s.text();
                case null -> "null";
                case Boolean x -> x ? "true" : "false";
                case Long x -> x.toString();
                case Double x -> floatJson(x);
                default -> throw TemplateException.typeError("keys must be str, int, float, bool or None, not " + Py.typeName(k));
            };
        }

        private static String floatJson(double d) {
            if (Double.isNaN(d)) return "NaN";
            if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
            return Py.floatRepr(d);
        }

        private void string(String s) {
            b.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    case '\b' -> b.append("\\b");
                    case '\f' -> b.append("\\f");
                    default -> {
                        if (c < 0x20 || (ascii && c > 0x7e)) b.append(String.format("\\u%04x", (int) c));
                        else b.append(c);
                    }
                }
            }
            b.append('"');
        }
    }
}

package dev.gannet.runtime.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code dict.items()}, {@code keys()} and {@code values()}: iterable views, printed and typed as Python's. */
record PyView(String kind, Map<?, ?> map) {
    String typeName() {
        return "dict_" + kind;
    }

    List<Object> items() {
        List<Object> out = new ArrayList<>(map.size());
        for (Map.Entry<?, ?> e : map.entrySet()) {
            out.add(switch (kind) {
                case "keys" -> e.getKey();
                case "values" -> e.getValue();
                default -> PyTuple.of(e.getKey(), e.getValue());
            });
        }
        return out;
    }
}

package dev.gannet.runtime.template;

import java.util.HashMap;
import java.util.Map;

/**
 * Variables visible at one point of a render. A for-loop iteration, a macro call, a block set, a filter
 * block and {@code with} get their own scope, so what they set does not leak out; {@code if} does not.
 */
final class Scope {
    static final Object MISSING = new Object();

    private final Scope parent;
    private final Map<String, Object> vars = new HashMap<>();

    Scope(Scope parent) {
        this.parent = parent;
    }

    Object lookup(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            Object v = s.vars.getOrDefault(name, MISSING);
            if (v != MISSING) return v;
        }
        return MISSING;
    }

    void set(String name, Object value) {
        vars.put(name, value);
    }
}

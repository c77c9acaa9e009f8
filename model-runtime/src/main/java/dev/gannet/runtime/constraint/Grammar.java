package dev.gannet.runtime.constraint;

import java.util.ArrayList;
import java.util.List;

/** Rules under construction: a name and an {@link Expr} body each; rule 0 need not be the root. */
final class Grammar {
    private final List<String> names = new ArrayList<>();
    private final List<Expr> bodies = new ArrayList<>();

    /** Declares a rule (body to be defined later) and returns its id. */
    int declare(String name) {
        names.add(name);
        bodies.add(null);
        return names.size() - 1;
    }

    void define(int rule, Expr body) {
        if (bodies.get(rule) != null) throw new IllegalStateException("rule " + names.get(rule) + " defined twice");
        bodies.set(rule, body);
    }

    /** Declares and defines a rule. */
    int add(String name, Expr body) {
        int id = declare(name);
        define(id, body);
        return id;
    }

    boolean isDefined(int rule) {
        return bodies.get(rule) != null;
    }

    int size() {
        return names.size();
    }

    String name(int rule) {
        return names.get(rule);
    }

    Expr body(int rule) {
        Expr b = bodies.get(rule);
        if (b == null) throw new IllegalStateException("rule " + names.get(rule) + " was declared but not defined");
        return b;
    }
}

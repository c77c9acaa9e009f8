package dev.gannet.runtime.template;

import java.util.List;

/** A Python tuple: a sequence like a list but printed with parentheses and never equal to a list. */
record PyTuple(List<Object> items) {
    PyTuple {
        items = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(items));
    }

    static PyTuple copyOf(List<?> items) {
        return new PyTuple(new java.util.ArrayList<Object>(items));
    }

    static PyTuple of(Object... items) {
        return new PyTuple(java.util.Arrays.asList(items));
    }
}

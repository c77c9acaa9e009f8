package dev.gannet.runtime.template;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

/**
 * A one-shot lazy iterable, as the generators jinja2's {@code map}, {@code select}, {@code items} and
 * friends return: nothing runs until it is iterated (so a bad input fails only then), it can be iterated
 * once, has no length, and is not JSON serializable.
 */
final class PyGenerator implements Iterator<Object> {
    private final String typeName;
    private Supplier<Iterator<Object>> start;
    private Iterator<Object> source;

    PyGenerator(String typeName, Supplier<Iterator<Object>> start) {
        this.typeName = typeName;
        this.start = start;
    }

    /** A generator over items already computed. */
    static PyGenerator of(String typeName, Iterator<Object> items) {
        return new PyGenerator(typeName, () -> items);
    }

    String typeName() {
        return typeName;
    }

    private Iterator<Object> source() {
        if (source == null) {
            source = start.get();
            start = null;
        }
        return source;
    }

    @Override
    public boolean hasNext() {
        return source().hasNext();
    }

    @Override
    public Object next() {
        if (!source().hasNext()) throw new NoSuchElementException();
        return source.next();
    }
}

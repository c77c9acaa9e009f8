package dev.gannet.runtime.template;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A one-shot lazy iterable, as the generators jinja2's {@code map}, {@code select}, {@code items} and
 * friends return: it can be iterated once, has no length, and is not JSON serializable.
 */
final class PyGenerator implements Iterator<Object> {
    private final String typeName;
    private final Iterator<Object> source;

    PyGenerator(String typeName, Iterator<Object> source) {
        this.typeName = typeName;
        this.source = source;
    }

    String typeName() {
        return typeName;
    }

    @Override
    public boolean hasNext() {
        return source.hasNext();
    }

    @Override
    public Object next() {
        if (!source.hasNext()) throw new NoSuchElementException();
        return source.next();
    }
}

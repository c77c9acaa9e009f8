package dev.gannet.runtime.template;

import java.util.ArrayList;
import java.util.List;

/**
 * markupsafe's {@code Markup}: a str that {@code |safe} and {@code |escape} return. It prints as its
 * text, but concatenating plain text to it HTML-escapes that text ({@code "a"|safe + "<b>"} is
 * {@code a&lt;b&gt;}), and its str methods return Markup again. Templates such as Functionary's rely on it.
 */
record Markup(String text) {
    /** The plain str behind a Markup; any other value as it is. */
    static Object plain(Object v) {
        return v instanceof Markup m ? m.text : v;
    }

    /** markupsafe's escape(): Markup stays as it is, anything else is str()'d and HTML-escaped. */
    static String escape(Object v) {
        return v instanceof Markup m ? m.text : Filters.escape(Py.str(v));
    }

    /** A str method's result on Markup: strings (and lists or tuples of them) become Markup again. */
    static Object wrap(Object result) {
        return switch (result) {
            case String s -> new Markup(s);
            case List<?> l -> {
                List<Object> out = new ArrayList<>(l.size());
                for (Object x : l) out.add(x instanceof String s ? new Markup(s) : x);
                yield out;
            }
            case PyTuple t -> PyTuple.copyOf((List<?>) wrap(t.items()));
            case null, default -> result;
        };
    }
}

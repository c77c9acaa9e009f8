package dev.gannet.runtime.constraint;

/**
 * A constraint that cannot be compiled: bad syntax, an unsupported feature, or a language that matches
 * nothing. For JSON Schema, {@link #pointer()} is the JSON pointer (RFC 6901) of the offending place in
 * the schema ("" for the root); for a grammar with schema rules it points into the spec's text
 * ({@code /schemas/<rule>/...}); it is null for the other kinds. The message already names it.
 */
public final class ConstraintException extends RuntimeException {
    private final String pointer;
    private final String detail;

    public ConstraintException(String message, String pointer) {
        super(pointer == null ? message : "at " + (pointer.isEmpty() ? "the schema root" : pointer) + ": " + message);
        this.pointer = pointer;
        this.detail = message;
    }

    /** JSON pointer into the schema, or null when the constraint is not a JSON Schema. */
    public String pointer() {
        return pointer;
    }

    /** The problem without its position. */
    public String detail() {
        return detail;
    }
}

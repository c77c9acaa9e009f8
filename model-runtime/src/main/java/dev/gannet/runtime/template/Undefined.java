package dev.gannet.runtime.template;

/**
 * jinja2's {@code Undefined}: the value of a missing variable, attribute or item. It prints as nothing,
 * is false and iterates as empty, but using it any other way (an attribute of it, {@code +}, a call) fails
 * with the message jinja2 gives: {@code 'x' is undefined}, {@code 'dict object' has no attribute 'y'}.
 * An attribute the sandbox refuses is an undefined whose failure is a {@code SecurityError}.
 */
final class Undefined {
    private static final Object NO_OWNER = new Object();

    private final Object owner;
    private final Object name;
    private final String hint;
    private final String kind;

    private Undefined(Object owner, Object name, String hint, String kind) {
        this.owner = owner;
        this.name = name;
        this.hint = hint;
        this.kind = kind;
    }

    /** A variable that is not defined. */
    static Undefined variable(String name) {
        return new Undefined(NO_OWNER, name, null, "UndefinedError");
    }

    /** A missing attribute or item {@code name} of {@code owner}. */
    static Undefined member(Object owner, Object name) {
        return new Undefined(owner, name, null, "UndefinedError");
    }

    /** An undefined that explains itself with {@code hint}. */
    static Undefined hinted(String hint) {
        return new Undefined(NO_OWNER, null, hint, "UndefinedError");
    }

    /** An attribute the sandbox does not give out. */
    static Undefined unsafe(Object owner, String attribute) {
        return new Undefined(owner, attribute, "access to attribute " + Py.repr(attribute) + " of "
                + Py.repr(Py.typeName(owner)) + " object is unsafe.", "SecurityError");
    }

    String message() {
        if (hint != null) return hint;
        if (owner == NO_OWNER) return Py.repr(name) + " is undefined";
        if (!(name instanceof String)) return Py.objectTypeRepr(owner) + " has no element " + Py.repr(name);
        return Py.repr(Py.objectTypeRepr(owner)) + " has no attribute " + Py.repr(name);
    }

    /** The failure of using this value where a real one is needed. */
    TemplateException error() {
        return new TemplateException(kind, message());
    }
}

package dev.gannet.runtime.template;

/** One lexer token; {@code value} is the literal's value for strings and numbers, else the text. */
record Token(Type type, String text, Object value, int line) {
    enum Type { DATA, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INTEGER, FLOAT, OP, EOF }

    boolean is(Type t, String s) {
        return type == t && text.equals(s);
    }

    boolean isName(String s) {
        return is(Type.NAME, s);
    }

    boolean isOp(String s) {
        return is(Type.OP, s);
    }

    /** jinja2's describe_token, for syntax errors. */
    String describe() {
        return switch (type) {
            case NAME, OP -> text;
            case EOF -> "end of template";
            case VAR_END -> "end of print statement";
            case BLOCK_END -> "end of statement block";
            case VAR_BEGIN -> "begin of print statement";
            case BLOCK_BEGIN -> "begin of statement block";
            default -> type.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}

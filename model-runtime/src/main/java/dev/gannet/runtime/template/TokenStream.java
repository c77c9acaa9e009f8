package dev.gannet.runtime.template;

import dev.gannet.runtime.template.Token.Type;
import java.util.List;

/** The parser's cursor over the lexer's tokens. */
final class TokenStream {
    private final List<Token> tokens;
    private int i;

    TokenStream(List<Token> tokens) {
        this.tokens = tokens;
    }

    Token current() {
        return tokens.get(i);
    }

    Token look() {
        return tokens.get(Math.min(i + 1, tokens.size() - 1));
    }

    Token next() {
        Token t = tokens.get(i);
        if (i < tokens.size() - 1) i++;
        return t;
    }

    boolean skipIf(Type type, String text) {
        if (current().is(type, text)) {
            next();
            return true;
        }
        return false;
    }

    boolean skipName(String name) {
        return skipIf(Type.NAME, name);
    }

    boolean skipOp(String op) {
        return skipIf(Type.OP, op);
    }

    Token expect(Type type) {
        Token t = current();
        if (t.type() != type) throw expected(describe(type), t);
        return next();
    }

    Token expectOp(String op) {
        Token t = current();
        if (!t.isOp(op)) throw expected(op, t);
        return next();
    }

    Token expectName(String name) {
        Token t = current();
        if (!t.isName(name)) throw expected(name, t);
        return next();
    }

    static TemplateException expected(String what, Token got) {
        if (got.type() == Type.EOF) return TemplateException.syntax("unexpected end of template, expected '" + what + "'.", got.line());
        return TemplateException.syntax("expected token '" + what + "', got '" + got.describe() + "'", got.line());
    }

    static TemplateException fail(String message, Token at) {
        return TemplateException.syntax(message, at.line());
    }

    private static String describe(Type t) {
        return switch (t) {
            case NAME -> "name";
            case VAR_END -> "end of print statement";
            case BLOCK_END -> "end of statement block";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}

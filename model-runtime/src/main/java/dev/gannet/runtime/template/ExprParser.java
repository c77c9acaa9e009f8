package dev.gannet.runtime.template;

import dev.gannet.runtime.template.Ast.Args;
import dev.gannet.runtime.template.Ast.Expr;
import dev.gannet.runtime.template.Token.Type;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * Jinja expressions with jinja2's grammar and precedence, loosest first: inline {@code if}, {@code or},
 * {@code and}, {@code not}, comparisons and {@code in}, {@code + -}, {@code ~}, {@code * / // %},
 * {@code **}, unary {@code - +}, then a primary with its postfix lookups and calls, then filters and tests.
 * So {@code not x|length == 1} is {@code not ((x|length) == 1)}, as in Jinja.
 */
class ExprParser {
    private static final int MAX_NESTING = 200;

    final TokenStream ts;
    /** Names read inside each macro body being parsed (innermost last): varargs, kwargs, caller. */
    final Deque<Set<String>> macroNames = new ArrayDeque<>();
    private int nesting;

    ExprParser(TokenStream ts) {
        this.ts = ts;
    }

    /** A full expression; a comma-separated list of them is a tuple. */
    Expr parseTuple(boolean withCondexpr, Set<String> endNames) {
        int line = ts.current().line();
        List<Expr> items = new ArrayList<>();
        boolean tuple = false;
        while (true) {
            if (!items.isEmpty()) ts.expectOp(",");
            if (isTupleEnd(endNames)) break;
            items.add(withCondexpr ? parseExpression() : parseOr());
            if (ts.current().isOp(",")) tuple = true;
            else break;
        }
        if (!tuple) {
            if (!items.isEmpty()) return items.getFirst();
            throw TokenStream.fail("Expected an expression, got '" + ts.current().describe() + "'", ts.current());
        }
        return new Ast.TupleExpr(items, line);
    }

    /** Names and tuples of names only: the target of a for loop. */
    Expr parsePrimaryTuple(Set<String> endNames) {
        int line = ts.current().line();
        List<Expr> items = new ArrayList<>();
        boolean tuple = false;
        while (true) {
            if (!items.isEmpty()) ts.expectOp(",");
            if (isTupleEnd(endNames)) break;
            items.add(parsePrimary());
            if (ts.current().isOp(",")) tuple = true;
            else break;
        }
        if (!tuple && items.size() == 1) return items.getFirst();
        if (items.isEmpty()) throw TokenStream.fail("Expected an expression, got '" + ts.current().describe() + "'", ts.current());
        return new Ast.TupleExpr(items, line);
    }

    private boolean isTupleEnd(Set<String> endNames) {
        Token t = ts.current();
        return t.type() == Type.VAR_END || t.type() == Type.BLOCK_END || t.isOp(")") || t.type() == Type.EOF
                || (endNames != null && t.type() == Type.NAME && endNames.contains(t.text()));
    }

    Expr parseExpression() {
        enter();
        try {
            Expr e = parseOr();
            while (ts.current().isName("if")) {
                int line = ts.next().line();
                Expr test = parseOr();
                Expr orElse = ts.skipName("else") ? parseExpression() : null;
                e = new Ast.CondExpr(test, e, orElse, line);
            }
            return e;
        } finally {
            nesting--;
        }
    }

    Expr parseOr() {
        Expr left = parseAnd();
        while (ts.current().isName("or")) {
            int line = ts.next().line();
            left = new Ast.Binary("or", left, parseAnd(), line);
        }
        return left;
    }

    private Expr parseAnd() {
        Expr left = parseNot();
        while (ts.current().isName("and")) {
            int line = ts.next().line();
            left = new Ast.Binary("and", left, parseNot(), line);
        }
        return left;
    }

    private Expr parseNot() {
        if (ts.current().isName("not")) {
            int line = ts.next().line();
            enter();
            try {
                return new Ast.Unary("not", parseNot(), line);
            } finally {
                nesting--;
            }
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        int line = ts.current().line();
        Expr first = parseMath1();
        List<String> ops = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        while (true) {
            Token t = ts.current();
            if (t.type() == Type.OP && Set.of("==", "!=", "<", "<=", ">", ">=").contains(t.text())) {
                ts.next();
                ops.add(t.text());
            } else if (t.isName("in")) {
                ts.next();
                ops.add("in");
            } else if (t.isName("not") && ts.look().isName("in")) {
                ts.next();
                ts.next();
                ops.add("not in");
            } else {
                break;
            }
            rest.add(parseMath1());
        }
        return ops.isEmpty() ? first : new Ast.Compare(first, ops, rest, line);
    }

    private Expr parseMath1() {
        Expr left = parseConcat();
        while (ts.current().isOp("+") || ts.current().isOp("-")) {
            Token op = ts.next();
            left = new Ast.Binary(op.text(), left, parseConcat(), op.line());
        }
        return left;
    }

    private Expr parseConcat() {
        Expr left = parseMath2();
        while (ts.current().isOp("~")) {
            int line = ts.next().line();
            left = new Ast.Binary("~", left, parseMath2(), line);
        }
        return left;
    }

    private Expr parseMath2() {
        Expr left = parsePow();
        while (Set.of("*", "/", "//", "%").contains(ts.current().text()) && ts.current().type() == Type.OP) {
            Token op = ts.next();
            left = new Ast.Binary(op.text(), left, parsePow(), op.line());
        }
        return left;
    }

    private Expr parsePow() {
        Expr left = parseUnary(true);
        while (ts.current().isOp("**")) {
            int line = ts.next().line();
            left = new Ast.Binary("**", left, parseUnary(true), line);
        }
        return left;
    }

    private Expr parseUnary(boolean withFilter) {
        enter();
        try {
            Token t = ts.current();
            Expr e;
            if (t.isOp("-") || t.isOp("+")) {
                ts.next();
                e = new Ast.Unary(t.text(), parseUnary(false), t.line());
            } else {
                e = parsePrimary();
            }
            e = parsePostfix(e);
            return withFilter ? parseFilterExpr(e) : e;
        } finally {
            nesting--;
        }
    }

    Expr parsePrimary() {
        Token t = ts.current();
        switch (t.type()) {
            case NAME -> {
                ts.next();
                return switch (t.text()) {
                    case "true", "True" -> new Ast.Const(Boolean.TRUE, t.line());
                    case "false", "False" -> new Ast.Const(Boolean.FALSE, t.line());
                    case "none", "None" -> new Ast.Const(null, t.line());
                    default -> {
                        if (!macroNames.isEmpty()) macroNames.peekLast().add(t.text());
                        yield new Ast.Name(t.text(), t.line());
                    }
                };
            }
            case STRING -> {
                StringBuilder b = new StringBuilder();
                while (ts.current().type() == Type.STRING) b.append((String) ts.next().value());
                return new Ast.Const(b.toString(), t.line());
            }
            case INTEGER, FLOAT -> {
                ts.next();
                return new Ast.Const(t.value(), t.line());
            }
            case OP -> {
                if (t.isOp("(")) {
                    ts.next();
                    enter();
                    try {
                        Expr e = ts.current().isOp(")") ? new Ast.TupleExpr(List.of(), t.line()) : parseTuple(true, null);
                        ts.expectOp(")");
                        return e;
                    } finally {
                        nesting--;
                    }
                }
                if (t.isOp("[")) return parseList();
                if (t.isOp("{")) return parseDict();
            }
            default -> { }
        }
        throw TokenStream.fail(t.type() == Type.EOF ? "unexpected end of template" : "unexpected '" + t.describe() + "'", t);
    }

    private Expr parseList() {
        int line = ts.expectOp("[").line();
        List<Expr> items = new ArrayList<>();
        while (!ts.current().isOp("]")) {
            if (!items.isEmpty()) ts.expectOp(",");
            if (ts.current().isOp("]")) break;
            items.add(parseExpression());
        }
        ts.expectOp("]");
        return new Ast.ListExpr(items, line);
    }

    private Expr parseDict() {
        int line = ts.expectOp("{").line();
        List<Expr> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!ts.current().isOp("}")) {
            if (!keys.isEmpty()) ts.expectOp(",");
            if (ts.current().isOp("}")) break;
            keys.add(parseExpression());
            ts.expectOp(":");
            values.add(parseExpression());
        }
        ts.expectOp("}");
        return new Ast.DictExpr(keys, values, line);
    }

    private Expr parsePostfix(Expr e) {
        while (true) {
            Token t = ts.current();
            if (t.isOp(".") || t.isOp("[")) e = parseSubscript(e);
            else if (t.isOp("(")) e = new Ast.Call(e, parseArgs(), t.line());
            else return e;
        }
    }

    private Expr parseFilterExpr(Expr e) {
        while (true) {
            Token t = ts.current();
            if (t.isOp("|")) e = parseFilters(e, false);
            else if (t.isName("is")) e = parseTest(e);
            else if (t.isOp("(")) e = new Ast.Call(e, parseArgs(), t.line());
            else return e;
        }
    }

    /** {@code |f|g(args)}; with {@code inline} the first filter name comes without a pipe (filter blocks). */
    Expr parseFilters(Expr e, boolean inline) {
        while (ts.current().isOp("|") || inline) {
            if (!inline) ts.next();
            inline = false;
            Token name = ts.expect(Type.NAME);
            String n = dottedName(name.text());
            Args args = ts.current().isOp("(") ? parseArgs() : Args.NONE;
            e = new Ast.Filter(e, n, args, name.line());
        }
        return e;
    }

    private String dottedName(String first) {
        StringBuilder n = new StringBuilder(first);
        while (ts.current().isOp(".")) {
            ts.next();
            n.append('.').append(ts.expect(Type.NAME).text());
        }
        return n.toString();
    }

    private Expr parseTest(Expr e) {
        int line = ts.next().line();
        boolean negated = ts.skipName("not");
        String name = dottedName(ts.expect(Type.NAME).text());
        Args args = Args.NONE;
        Token t = ts.current();
        if (t.isOp("(")) {
            args = parseArgs();
        } else if ((t.type() == Type.NAME || t.type() == Type.STRING || t.type() == Type.INTEGER || t.type() == Type.FLOAT
                || t.isOp("[") || t.isOp("{")) && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
            if (t.isName("is")) throw TokenStream.fail("You cannot chain multiple tests with is", t);
            args = new Args(List.of(parsePostfix(parsePrimary())), List.of(), List.of(), null, null);
        }
        Expr test = new Ast.Test(e, name, args, line);
        return negated ? new Ast.Unary("not", test, line) : test;
    }

    private Expr parseSubscript(Expr e) {
        Token t = ts.next();
        if (t.isOp(".")) {
            Token attr = ts.next();
            if (attr.type() == Type.NAME) return new Ast.GetAttr(e, attr.text(), t.line());
            if (attr.type() != Type.INTEGER) throw TokenStream.fail("expected name or number", attr);
            return new Ast.GetItem(e, new Ast.Const(attr.value(), attr.line()), t.line());
        }
        List<Expr> keys = new ArrayList<>();
        while (!ts.current().isOp("]")) {
            if (!keys.isEmpty()) ts.expectOp(",");
            keys.add(parseSubscribed());
        }
        ts.expectOp("]");
        Expr key = keys.size() == 1 ? keys.getFirst() : new Ast.TupleExpr(keys, t.line());
        return new Ast.GetItem(e, key, t.line());
    }

    private Expr parseSubscribed() {
        int line = ts.current().line();
        Expr start = null;
        if (!ts.current().isOp(":")) {
            Expr e = parseExpression();
            if (!ts.current().isOp(":")) return e;
            start = e;
        }
        ts.next();
        Expr stop = sliceEnd() ? null : parseExpression();
        Expr step = null;
        if (ts.skipOp(":")) step = sliceEnd() ? null : parseExpression();
        return new Ast.Slice(start, stop, step, line);
    }

    private boolean sliceEnd() {
        Token t = ts.current();
        return t.isOp("]") || t.isOp(",") || t.isOp(":");
    }

    /** {@code (a, b, key=value, *args, **kwargs)}. */
    Args parseArgs() {
        Token open = ts.expectOp("(");
        List<Expr> positional = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        Expr star = null, starStar = null;
        boolean needComma = false;
        while (!ts.current().isOp(")")) {
            if (needComma) {
                ts.expectOp(",");
                if (ts.current().isOp(")")) break;
            }
            if (ts.skipOp("*")) {
                check(star == null && starStar == null, open);
                star = parseExpression();
            } else if (ts.skipOp("**")) {
                check(starStar == null, open);
                starStar = parseExpression();
            } else if (ts.current().type() == Type.NAME && ts.look().isOp("=")) {
                check(starStar == null, open);
                names.add(ts.next().text());
                ts.next();
                values.add(parseExpression());
            } else {
                check(star == null && starStar == null && names.isEmpty(), open);
                positional.add(parseExpression());
            }
            needComma = true;
        }
        ts.expectOp(")");
        return new Args(positional, names, values, star, starStar);
    }

    private static void check(boolean ok, Token at) {
        if (!ok) throw TokenStream.fail("invalid syntax for function call expression", at);
    }

    private void enter() {
        if (++nesting > MAX_NESTING) {
            nesting = 0;
            throw TokenStream.fail("expression nested too deeply", ts.current());
        }
    }
}

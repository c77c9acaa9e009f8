package dev.gannet.runtime.template;

import dev.gannet.runtime.template.Ast.Expr;
import dev.gannet.runtime.template.Ast.Node;
import dev.gannet.runtime.template.Ast.Target;
import dev.gannet.runtime.template.Token.Type;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Jinja statements: {@code for} (with {@code else}, a filter and {@code recursive}), {@code if}/{@code elif},
 * {@code set} (plain, namespace attribute, block), {@code macro}, {@code call}, {@code filter},
 * {@code with}, {@code break}/{@code continue} and Hugging Face's {@code generation}. Template loading
 * ({@code include}, {@code import}, {@code extends}) is refused: a chat template is one file.
 */
final class Parser extends ExprParser {
    private static final int MAX_BLOCK_NESTING = 100;
    private static final Set<String> LOADER_TAGS = Set.of("include", "import", "from", "extends", "block");
    private final java.util.Deque<String> openTags = new java.util.ArrayDeque<>();
    private int loopDepth;

    private Parser(List<Token> tokens) {
        super(new TokenStream(tokens));
    }

    static List<Node> parse(String source) {
        Parser p = new Parser(Lexer.tokenize(source));
        return p.subparse(null);
    }

    /** Nodes up to EOF, or up to a block tag named in {@code endTags} (left as the current token). */
    private List<Node> subparse(List<String> endTags) {
        List<Node> body = new ArrayList<>();
        while (true) {
            Token t = ts.current();
            switch (t.type()) {
                case DATA -> body.add(new Ast.Text((String) ts.next().value(), t.line()));
                case VAR_BEGIN -> {
                    ts.next();
                    body.add(new Ast.Output(parseTuple(true, null), t.line()));
                    ts.expect(Type.VAR_END);
                }
                case BLOCK_BEGIN -> {
                    ts.next();
                    if (endTags != null && ts.current().type() == Type.NAME && endTags.contains(ts.current().text())) {
                        return body;
                    }
                    body.add(statement());
                    ts.expect(Type.BLOCK_END);
                }
                case EOF -> {
                    if (endTags != null) {
                        throw TokenStream.fail("Unexpected end of template. Jinja was looking for the following tags: "
                                + String.join(" or ", endTags.stream().map(s -> "'" + s + "'").toList()) + "."
                                + (openTags.isEmpty() ? "" : " The innermost block that needs to be closed is '" + openTags.peek() + "'."), t);
                    }
                    return body;
                }
                default -> throw TokenStream.fail("unexpected '" + t.describe() + "'", t);
            }
        }
    }

    /** The body after a tag's header, up to one of {@code endTags}; with {@code drop} the end tag's name is consumed. */
    private List<Node> statements(List<String> endTags, boolean drop) {
        ts.skipOp(":");
        ts.expect(Type.BLOCK_END);
        List<Node> body = subparse(endTags);
        if (drop) ts.next();
        return body;
    }

    private Node statement() {
        Token t = ts.current();
        if (t.type() != Type.NAME) throw TokenStream.fail("tag name expected", t);
        if (openTags.size() >= MAX_BLOCK_NESTING) throw TokenStream.fail("blocks nested more than " + MAX_BLOCK_NESTING + " deep", t);
        openTags.push(t.text());
        try {
            return tagStatement(t);
        } finally {
            openTags.pop();
        }
    }

    private Node tagStatement(Token t) {
        return switch (t.text()) {
            case "for" -> parseFor();
            case "if" -> parseIf();
            case "set" -> parseSet();
            case "macro" -> parseMacro();
            case "call" -> parseCallBlock();
            case "filter" -> parseFilterBlock();
            case "with" -> parseWith();
            case "generation" -> {
                ts.next();
                yield new Ast.Scoped(statements(List.of("endgeneration"), true), t.line());
            }
            case "break", "continue" -> {
                ts.next();
                if (loopDepth == 0) throw TokenStream.fail("'" + t.text() + "' outside loop", t);
                yield t.text().equals("break") ? new Ast.Break(t.line()) : new Ast.Continue(t.line());
            }
            default -> {
                if (LOADER_TAGS.contains(t.text())) {
                    throw TokenStream.fail("'" + t.text() + "' needs other template files, which a chat template does not have", t);
                }
                throw TokenStream.fail("Encountered unknown tag '" + t.text() + "'.", t);
            }
        };
    }

    private Node parseFor() {
        int line = ts.next().line();
        Target target = target(parsePrimaryTuple(Set.of("in")), line);
        ts.expectName("in");
        Expr iterable = parseTuple(false, Set.of("recursive"));
        Expr filter = ts.skipName("if") ? parseExpression() : null;
        boolean recursive = ts.skipName("recursive");
        loopDepth++;
        List<Node> body;
        try {
            body = statements(List.of("endfor", "else"), false);
        } finally {
            loopDepth--;
        }
        List<Node> orElse = ts.next().text().equals("else") ? statements(List.of("endfor"), true) : List.of();
        return new Ast.For(target, iterable, filter, body, orElse, recursive, line);
    }

    private Node parseIf() {
        int line = ts.next().line();
        List<Expr> tests = new ArrayList<>();
        List<List<Node>> bodies = new ArrayList<>();
        List<Node> orElse = List.of();
        while (true) {
            tests.add(parseTuple(false, null));
            bodies.add(statements(List.of("elif", "else", "endif"), false));
            String tag = ts.next().text();
            if (tag.equals("elif")) continue;
            if (tag.equals("else")) orElse = statements(List.of("endif"), true);
            break;
        }
        return new Ast.If(tests, bodies, orElse, line);
    }

    private Node parseSet() {
        int line = ts.next().line();
        Target target;
        if (ts.current().type() == Type.NAME && ts.look().isOp(".")) {
            String ns = ts.next().text();
            ts.next();
            target = new Ast.NsTarget(ns, ts.expect(Type.NAME).text());
        } else {
            target = target(parsePrimaryTuple(null), line);
        }
        if (ts.skipOp("=")) return new Ast.Set(target, parseTuple(true, null), line);
        List<Ast.Filter> filters = blockFilters(false);
        return new Ast.SetBlock(target, filters, statements(List.of("endset"), true), line);
    }

    /** The filters of a filter block or block set, innermost first; a chain applies left to right. */
    private List<Ast.Filter> blockFilters(boolean inline) {
        List<Ast.Filter> filters = new ArrayList<>();
        Expr e = parseFilters(null, inline);
        while (e instanceof Ast.Filter f) {
            filters.addFirst(f);
            e = f.value();
        }
        return filters;
    }

    private Target target(Expr e, int line) {
        if (e instanceof Ast.Name n) return new Ast.NameTarget(n.name());
        if (e instanceof Ast.TupleExpr t) {
            List<Target> items = new ArrayList<>();
            for (Expr item : t.items()) items.add(target(item, line));
            return new Ast.TupleTarget(items);
        }
        throw TemplateException.syntax("can't assign to '" + e.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + "'", line);
    }

    private Node parseMacro() {
        int line = ts.next().line();
        String name = ts.expect(Type.NAME).text();
        return macro(name, line, List.of("endmacro"));
    }

    /** A macro's signature and body; also the {@code caller} of a call block. */
    private Ast.MacroDef macro(String name, int line, List<String> end) {
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        if (ts.current().isOp("(")) {
            signature(params, defaults);
        } else if (!name.equals("caller")) {
            ts.expectOp("(");
        }
        macroNames.addLast(new HashSet<>());
        int savedDepth = loopDepth;
        loopDepth = 0;
        List<Node> body;
        Set<String> used;
        try {
            body = statements(end, true);
        } finally {
            loopDepth = savedDepth;
            used = macroNames.removeLast();
        }
        return new Ast.MacroDef(name, params, defaults, body, used.contains("varargs"), used.contains("kwargs"),
                used.contains("caller"), line);
    }

    /** A parenthesised parameter list with defaults (macros and call blocks alike, as jinja2's parse_signature). */
    private void signature(List<String> params, List<Expr> defaults) {
        ts.expectOp("(");
        while (!ts.current().isOp(")")) {
            if (!params.isEmpty()) ts.expectOp(",");
            params.add(ts.expect(Type.NAME).text());
            if (ts.skipOp("=")) defaults.add(parseExpression());
            else if (!defaults.isEmpty()) throw TokenStream.fail("non-default argument follows default argument", ts.current());
        }
        ts.expectOp(")");
    }

    private Node parseCallBlock() {
        int line = ts.next().line();
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        if (ts.current().isOp("(")) {
            signature(params, defaults);
        }
        Expr call = parseExpression();
        if (!(call instanceof Ast.Call c)) throw TemplateException.syntax("expected call", line);
        Ast.MacroDef body = macro("caller", line, List.of("endcall"));
        Ast.MacroDef caller = new Ast.MacroDef("caller", params, defaults, body.body(), body.catchVarargs(),
                body.catchKwargs(), body.usesCaller(), line);
        return new Ast.CallBlock(c, caller, line);
    }

    private Node parseFilterBlock() {
        int line = ts.next().line();
        List<Ast.Filter> filters = blockFilters(true);
        return new Ast.FilterBlock(filters, statements(List.of("endfilter"), true), line);
    }

    private Node parseWith() {
        int line = ts.next().line();
        List<Target> targets = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (ts.current().type() != Type.BLOCK_END) {
            if (!targets.isEmpty()) ts.expectOp(",");
            targets.add(target(parsePrimary(), line));
            ts.expectOp("=");
            values.add(parseExpression());
        }
        return new Ast.With(targets, values, statements(List.of("endwith"), true), line);
    }
}

package dev.gannet.runtime.template;

import dev.gannet.runtime.template.Ast.Args;
import dev.gannet.runtime.template.Ast.Expr;
import dev.gannet.runtime.template.Ast.Node;
import java.util.List;

/**
 * jinja2's compile-time check: a filter or test that does not exist fails when the template is loaded
 * ({@code TemplateAssertionError}), unless it sits directly under an {@code if} or inline if, where jinja2
 * defers the failure to the moment it runs (so {@code {% if x is filter %}} guards work).
 */
final class Validator {
    private Validator() {}

    static void check(List<Node> body) {
        nodes(body, false);
    }

    private static void nodes(List<Node> body, boolean soft) {
        for (Node n : body) node(n, soft);
    }

    private static void node(Node n, boolean soft) {
        switch (n) {
            case Ast.Text t -> { }
            case Ast.Output o -> expr(o.value(), soft, o.line());
            case Ast.If i -> {
                for (Expr e : i.tests()) expr(e, true, i.line());
                for (List<Node> b : i.bodies()) nodes(b, true);
                nodes(i.orElse(), true);
            }
            case Ast.For f -> {
                expr(f.iterable(), soft, f.line());
                if (f.filter() != null) expr(f.filter(), false, f.line());
                nodes(f.body(), false);
                nodes(f.orElse(), false);
            }
            case Ast.Set s -> expr(s.value(), soft, s.line());
            case Ast.SetBlock s -> {
                for (Ast.Filter f : s.filters()) expr(f, soft, s.line());
                nodes(s.body(), false);
            }
            case Ast.MacroDef m -> {
                for (Expr e : m.defaults()) expr(e, false, m.line());
                nodes(m.body(), false);
            }
            case Ast.CallBlock c -> {
                expr(c.call(), soft, c.line());
                node(c.caller(), false);
            }
            case Ast.FilterBlock f -> {
                for (Ast.Filter x : f.filters()) expr(x, soft, f.line());
                nodes(f.body(), false);
            }
            case Ast.With w -> {
                for (Expr e : w.values()) expr(e, soft, w.line());
                nodes(w.body(), false);
            }
            case Ast.Scoped s -> nodes(s.body(), false);
            case Ast.Break b -> { }
            case Ast.Continue c -> { }
        }
    }

    private static void expr(Expr e, boolean soft, int line) {
        if (e == null) return;
        switch (e) {
            case Ast.Const c -> { }
            case Ast.Name n -> { }
            case Ast.ListExpr l -> l.items().forEach(x -> expr(x, soft, line));
            case Ast.TupleExpr t -> t.items().forEach(x -> expr(x, soft, line));
            case Ast.DictExpr d -> {
                d.keys().forEach(x -> expr(x, soft, line));
                d.values().forEach(x -> expr(x, soft, line));
            }
            case Ast.GetAttr g -> expr(g.target(), soft, line);
            case Ast.GetItem g -> {
                expr(g.target(), soft, line);
                expr(g.key(), soft, line);
            }
            case Ast.Slice s -> {
                expr(s.start(), soft, line);
                expr(s.stop(), soft, line);
                expr(s.step(), soft, line);
            }
            case Ast.Call c -> {
                expr(c.target(), soft, line);
                args(c.args(), soft, line);
            }
            case Ast.Filter f -> {
                if (!soft && !Filters.exists(f.name())) {
                    throw new TemplateException("TemplateAssertionError", "No filter named '" + f.name() + "'.", f.line());
                }
                expr(f.value(), soft, line);
                args(f.args(), soft, line);
            }
            case Ast.Test t -> {
                if (!soft && !Tests.exists(t.name())) {
                    throw new TemplateException("TemplateAssertionError", "No test named '" + t.name() + "'.", t.line());
                }
                expr(t.value(), soft, line);
                args(t.args(), soft, line);
            }
            case Ast.Unary u -> expr(u.operand(), soft, line);
            case Ast.Binary b -> {
                expr(b.left(), soft, line);
                expr(b.right(), soft, line);
            }
            case Ast.Compare c -> {
                expr(c.first(), soft, line);
                c.rest().forEach(x -> expr(x, soft, line));
            }
            case Ast.CondExpr c -> {
                expr(c.test(), true, line);
                expr(c.then(), true, line);
                expr(c.orElse(), true, line);
            }
        }
    }

    private static void args(Args a, boolean soft, int line) {
        a.positional().forEach(x -> expr(x, soft, line));
        a.values().forEach(x -> expr(x, soft, line));
        expr(a.star(), soft, line);
        expr(a.starStar(), soft, line);
    }
}

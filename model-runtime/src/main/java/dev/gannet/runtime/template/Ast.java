package dev.gannet.runtime.template;

import java.util.List;

/** The parsed template: statements ({@link Node}) and expressions ({@link Expr}), each with its line. */
final class Ast {
    private Ast() {}

    /** Positional and keyword arguments of a call, filter or test; {@code *args}/{@code **kwargs} may be null. */
    record Args(List<Expr> positional, List<String> names, List<Expr> values, Expr star, Expr starStar) {
        static final Args NONE = new Args(List.of(), List.of(), List.of(), null, null);
    }

    sealed interface Expr {
        int line();
    }

    record Const(Object value, int line) implements Expr { }

    record Name(String name, int line) implements Expr { }

    record ListExpr(List<Expr> items, int line) implements Expr { }

    record TupleExpr(List<Expr> items, int line) implements Expr { }

    record DictExpr(List<Expr> keys, List<Expr> values, int line) implements Expr { }

    record GetAttr(Expr target, String attr, int line) implements Expr { }

    record GetItem(Expr target, Expr key, int line) implements Expr { }

    /** {@code a:b:c} inside brackets; absent parts are null. */
    record Slice(Expr start, Expr stop, Expr step, int line) implements Expr { }

    record Call(Expr target, Args args, int line) implements Expr { }

    /** {@code value|name(args)}; {@code value} is null inside a {@code filter} block or block set. */
    record Filter(Expr value, String name, Args args, int line) implements Expr { }

    record Test(Expr value, String name, Args args, int line) implements Expr { }

    /** {@code not}, unary {@code -} and {@code +}. */
    record Unary(String op, Expr operand, int line) implements Expr { }

    /** Arithmetic, {@code ~}, {@code and}, {@code or}. */
    record Binary(String op, Expr left, Expr right, int line) implements Expr { }

    /** A comparison chain: {@code a < b <= c} is {@code a < b and b <= c}. */
    record Compare(Expr first, List<String> ops, List<Expr> rest, int line) implements Expr { }

    /** {@code then if test else orElse}; without else the result is undefined. */
    record CondExpr(Expr test, Expr then, Expr orElse, int line) implements Expr { }

    sealed interface Target {
    }

    record NameTarget(String name) implements Target { }

    record TupleTarget(List<Target> items) implements Target { }

    /** {@code ns.attr} in a set statement. */
    record NsTarget(String namespace, String attr) implements Target { }

    sealed interface Node {
        int line();
    }

    record Text(String text, int line) implements Node { }

    record Output(Expr value, int line) implements Node { }

    record If(List<Expr> tests, List<List<Node>> bodies, List<Node> orElse, int line) implements Node { }

    record For(Target target, Expr iterable, Expr filter, List<Node> body, List<Node> orElse, boolean recursive,
               int line) implements Node { }

    record Set(Target target, Expr value, int line) implements Node { }

    /** {@code {% set x %}...{% endset %}}, optionally through filters ({@code set x | trim}). */
    record SetBlock(Target target, List<Filter> filters, List<Node> body, int line) implements Node { }

    record MacroDef(String name, List<String> params, List<Expr> defaults, List<Node> body, boolean catchVarargs,
                    boolean catchKwargs, boolean usesCaller, int line) implements Node { }

    /** {@code {% call(params) macro(args) %}body{% endcall %}}: the body becomes the macro's {@code caller}. */
    record CallBlock(Call call, MacroDef caller, int line) implements Node { }

    record FilterBlock(List<Filter> filters, List<Node> body, int line) implements Node { }

    record With(List<Target> targets, List<Expr> values, List<Node> body, int line) implements Node { }

    /** A body with its own scope: {@code {% generation %}} (Hugging Face's assistant-mask tag). */
    record Scoped(List<Node> body, int line) implements Node { }

    record Break(int line) implements Node { }

    record Continue(int line) implements Node { }
}

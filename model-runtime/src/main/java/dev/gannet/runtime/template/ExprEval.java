package dev.gannet.runtime.template;

import dev.gannet.runtime.template.Ast.Args;
import dev.gannet.runtime.template.Ast.Expr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Evaluates expressions with Python's semantics (see {@link Py}, {@link PyNumbers}, {@link Access}). */
final class ExprEval {
    private final Interpreter in;

    ExprEval(Interpreter in) {
        this.in = in;
    }

    Object eval(Expr e, Scope scope) {
        return switch (e) {
            case Ast.Const c -> c.value();
            case Ast.Name n -> {
                Object v = scope.lookup(n.name());
                yield v == Scope.MISSING ? Undefined.variable(n.name()) : v;
            }
            case Ast.ListExpr l -> {
                List<Object> out = new ArrayList<>(l.items().size());
                for (Expr item : l.items()) out.add(eval(item, scope));
                yield in.counted(out);
            }
            case Ast.TupleExpr t -> {
                List<Object> out = new ArrayList<>(t.items().size());
                for (Expr item : t.items()) out.add(eval(item, scope));
                yield new PyTuple(out);
            }
            case Ast.DictExpr d -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    out.put(Access.hashable(eval(d.keys().get(i), scope)), eval(d.values().get(i), scope));
                }
                in.tick(out.size());
                yield out;
            }
            case Ast.GetAttr g -> Access.getattr(eval(g.target(), scope), g.attr());
            case Ast.GetItem g -> {
                Object target = eval(g.target(), scope);
                if (g.key() instanceof Ast.Slice s) {
                    yield Access.slice(target, opt(s.start(), scope), opt(s.stop(), scope), opt(s.step(), scope));
                }
                yield Access.getitem(target, eval(g.key(), scope));
            }
            case Ast.Slice s -> throw TemplateException.typeError("unhashable type: 'slice'");
            case Ast.Call c -> call(c, scope, Map.of());
            case Ast.Filter f -> filter(f, eval(f.value(), scope), scope);
            case Ast.Test t -> {
                Object v = eval(t.value(), scope);
                List<Object> args = new ArrayList<>();
                Map<String, Object> kwargs = new LinkedHashMap<>();
                args(t.args(), scope, args, kwargs);
                yield Tests.apply(in, t.name(), v, args, kwargs);
            }
            case Ast.Unary u -> u.op().equals("not") ? (Object) !Py.truthy(eval(u.operand(), scope))
                    : PyNumbers.unary(u.op(), eval(u.operand(), scope));
            case Ast.Binary b -> binary(b, scope);
            case Ast.Compare c -> compare(c, scope);
            case Ast.CondExpr c -> {
                if (Py.truthy(eval(c.test(), scope))) yield eval(c.then(), scope);
                yield c.orElse() != null ? eval(c.orElse(), scope) : Undefined.hinted("the inline if-expression on line "
                        + c.line() + " evaluated to false and no else section was defined.");
            }
        };
    }

    private Object opt(Expr e, Scope scope) {
        return e == null ? null : eval(e, scope);
    }

    /** Calls {@code c}'s target; {@code extra} keyword arguments are added (a call block's {@code caller}). */
    Object call(Ast.Call c, Scope scope, Map<String, Object> extra) {
        Object fn = eval(c.target(), scope);
        List<Object> args = new ArrayList<>();
        Map<String, Object> kwargs = new LinkedHashMap<>();
        args(c.args(), scope, args, kwargs);
        kwargs.putAll(extra);
        return in.call(fn, args, kwargs);
    }

    Object filter(Ast.Filter f, Object value, Scope scope) {
        List<Object> args = new ArrayList<>();
        Map<String, Object> kwargs = new LinkedHashMap<>();
        args(f.args(), scope, args, kwargs);
        in.tick();
        return Filters.apply(in, f.name(), value, args, kwargs);
    }

    private void args(Args a, Scope scope, List<Object> args, Map<String, Object> kwargs) {
        for (Expr e : a.positional()) args.add(eval(e, scope));
        for (int i = 0; i < a.names().size(); i++) kwargs.put(a.names().get(i), eval(a.values().get(i), scope));
        if (a.star() != null) args.addAll(in.counted(Py.toList(eval(a.star(), scope))));
        if (a.starStar() != null) {
            Object m = eval(a.starStar(), scope);
            if (!(m instanceof Map<?, ?> map)) throw TemplateException.typeError("argument after ** must be a mapping, not " + Py.typeName(m));
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String k)) throw TemplateException.typeError("keywords must be strings");
                kwargs.put(k, e.getValue());
            }
        }
    }

    private Object binary(Ast.Binary b, Scope scope) {
        Object left = eval(b.left(), scope);
        return switch (b.op()) {
            case "and" -> Py.truthy(left) ? eval(b.right(), scope) : left;
            case "or" -> Py.truthy(left) ? left : eval(b.right(), scope);
            case "~" -> in.checkSize(Py.str(left) + Py.str(eval(b.right(), scope)));
            default -> PyNumbers.binary(in, b.op(), left, eval(b.right(), scope));
        };
    }

    private Object compare(Ast.Compare c, Scope scope) {
        Object left = eval(c.first(), scope);
        for (int i = 0; i < c.ops().size(); i++) {
            Object right = eval(c.rest().get(i), scope);
            String op = c.ops().get(i);
            boolean ok = switch (op) {
                case "==" -> Py.eq(left, right);
                case "!=" -> !Py.eq(left, right);
                case "<" -> Py.compare(left, right, op) < 0;
                case "<=" -> Py.compare(left, right, op) <= 0;
                case ">" -> Py.compare(left, right, op) > 0;
                case ">=" -> Py.compare(left, right, op) >= 0;
                case "in" -> PyNumbers.contains(right, left);
                default -> !PyNumbers.contains(right, left);
            };
            if (!ok) return false;
            left = right;
        }
        return true;
    }
}

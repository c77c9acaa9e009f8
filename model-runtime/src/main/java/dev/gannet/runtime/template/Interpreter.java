package dev.gannet.runtime.template;

import dev.gannet.runtime.template.Ast.Node;
import dev.gannet.runtime.template.Ast.Target;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs a parsed template: statements here, expressions in {@link ExprEval}. One interpreter serves one
 * render (it counts that render's steps, depth and time against its {@link RenderLimits}).
 */
final class Interpreter {
    enum Flow { NORMAL, BREAK, CONTINUE }

    private final RenderLimits limits;
    private final long deadline;
    private final Supplier<ZonedDateTime> now;
    private final ExprEval ev = new ExprEval(this);
    private long steps;
    private int depth;

    Interpreter(RenderLimits limits, Supplier<ZonedDateTime> now) {
        this.limits = limits;
        this.deadline = System.nanoTime() + limits.maxTime().toNanos();
        this.now = now;
    }

    String render(List<Node> body, Map<String, Object> context) {
        Scope globals = new Scope(null);
        Globals.install(globals, now);
        Scope root = new Scope(globals);
        context.forEach(root::set);
        StringBuilder out = new StringBuilder();
        exec(body, root, out);
        return out.toString();
    }

    Flow exec(List<Node> body, Scope scope, StringBuilder out) {
        for (Node n : body) {
            Flow f;
            try {
                f = execOne(n, scope, out);
            } catch (TemplateException e) {
                throw e.at(n.line());
            }
            if (f != Flow.NORMAL) return f;
        }
        return Flow.NORMAL;
    }

    private Flow execOne(Node node, Scope scope, StringBuilder out) {
        switch (node) {
            case Ast.Text t -> checkSize(out.append(t.text()));
            case Ast.Output o -> checkSize(out.append(Py.str(ev.eval(o.value(), scope))));
            case Ast.If i -> {
                for (int k = 0; k < i.tests().size(); k++) {
                    if (Py.truthy(ev.eval(i.tests().get(k), scope))) return exec(i.bodies().get(k), scope, out);
                }
                return exec(i.orElse(), scope, out);
            }
            case Ast.For f -> loop(f, ev.eval(f.iterable(), scope), scope, out, 0);
            case Ast.Set s -> assign(s.target(), ev.eval(s.value(), scope), scope);
            case Ast.SetBlock s -> assign(s.target(), captured(s.body(), s.filters(), scope), scope);
            case Ast.MacroDef m -> scope.set(m.name(), new Macro(m, scope));
            case Ast.CallBlock c -> {
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("caller", new Macro(c.caller(), scope));
                checkSize(out.append(Py.str(ev.call(c.call(), scope, extra))));
            }
            case Ast.FilterBlock f -> checkSize(out.append(Py.str(captured(f.body(), f.filters(), scope))));
            case Ast.With w -> {
                List<Object> values = new ArrayList<>();
                for (Ast.Expr e : w.values()) values.add(ev.eval(e, scope));
                Scope inner = new Scope(scope);
                for (int k = 0; k < values.size(); k++) assign(w.targets().get(k), values.get(k), inner);
                return exec(w.body(), inner, out);
            }
            case Ast.Scoped s -> {
                return exec(s.body(), new Scope(scope), out);
            }
            case Ast.Break b -> {
                return Flow.BREAK;
            }
            case Ast.Continue c -> {
                return Flow.CONTINUE;
            }
        }
        return Flow.NORMAL;
    }

    /** A body rendered in its own scope, then passed through filters (block set, filter block). */
    private Object captured(List<Node> body, List<Ast.Filter> filters, Scope scope) {
        StringBuilder b = new StringBuilder();
        Scope inner = new Scope(scope);
        exec(body, inner, b);
        Object value = b.toString();
        for (Ast.Filter f : filters) value = ev.filter(f, value, scope);
        return value;
    }

    private void loop(Ast.For f, Object iterable, Scope scope, StringBuilder out, int depth0) {
        List<Object> items = counted(Py.toList(iterable));
        if (f.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                tick();
                Scope s = new Scope(scope);
                assign(f.target(), item, s);
                if (Py.truthy(ev.eval(f.filter(), s))) kept.add(item);
            }
            items = kept;
        }
        LoopContext loop = new LoopContext(items, depth0, !f.recursive() ? null : next -> {
            StringBuilder b = new StringBuilder();
            enter();
            try {
                loop(f, next, scope, b, depth0 + 1);
            } finally {
                depth--;
            }
            return b.toString();
        });
        for (int i = 0; i < items.size(); i++) {
            tick();
            Scope s = new Scope(scope);
            loop.moveTo(i);
            assign(f.target(), items.get(i), s);
            s.set("loop", loop);
            if (exec(f.body(), s, out) == Flow.BREAK) break;
        }
        if (items.isEmpty()) exec(f.orElse(), new Scope(scope), out);
    }

    private void assign(Target target, Object value, Scope scope) {
        switch (target) {
            case Ast.NameTarget n -> scope.set(n.name(), value);
            case Ast.TupleTarget t -> {
                if (!Py.isIterable(value) || value instanceof Undefined) {
                    if (value instanceof Undefined u) throw u.error();
                    throw TemplateException.typeError("cannot unpack non-iterable " + Py.typeName(value) + " object");
                }
                List<Object> items = Py.toList(value);
                int n = t.items().size();
                if (items.size() < n) {
                    throw new TemplateException("ValueError", "not enough values to unpack (expected " + n + ", got " + items.size() + ")");
                }
                if (items.size() > n) throw new TemplateException("ValueError", "too many values to unpack (expected " + n + ")");
                for (int i = 0; i < n; i++) assign(t.items().get(i), items.get(i), scope);
            }
            case Ast.NsTarget ns -> {
                if (!(scope.lookup(ns.namespace()) instanceof Namespace n)) {
                    throw new TemplateException("TemplateRuntimeError", "cannot assign attribute on non-namespace object");
                }
                n.attrs.put(ns.attr(), value);
            }
        }
    }

    /** Calls a macro: parameters from positional, then keyword arguments, then defaults (evaluated now). */
    Object invoke(Macro m, List<Object> args, Map<String, Object> kwargs) {
        Ast.MacroDef d = m.def();
        enter();
        try {
            Scope s = new Scope(m.closure());
            Map<String, Object> kw = new LinkedHashMap<>(kwargs);
            int np = d.params().size();
            int firstDefault = np - d.defaults().size();
            for (int i = 0; i < np; i++) {
                String name = d.params().get(i);
                Object value;
                if (i < args.size()) value = args.get(i);
                else if (kw.containsKey(name)) value = kw.remove(name);
                else if (i >= firstDefault) value = ev.eval(d.defaults().get(i - firstDefault), s);
                else value = Undefined.hinted("parameter '" + name + "' was not provided");
                s.set(name, value);
            }
            if (d.usesCaller()) s.set("caller", kw.containsKey("caller") ? kw.remove("caller") : Undefined.hinted("No caller defined"));
            if (d.catchKwargs()) s.set("kwargs", new LinkedHashMap<Object, Object>(kw));
            else if (!kw.isEmpty()) {
                throw TemplateException.typeError("macro '" + d.name() + "' takes no keyword argument '" + kw.keySet().iterator().next() + "'");
            }
            if (d.catchVarargs()) s.set("varargs", new PyTuple(args.size() > np ? args.subList(np, args.size()) : List.of()));
            else if (args.size() > np) {
                throw TemplateException.typeError("macro '" + d.name() + "' takes not more than " + np + " argument(s)");
            }
            StringBuilder b = new StringBuilder();
            exec(d.body(), s, b);
            return b.toString();
        } finally {
            depth--;
        }
    }

    Object call(Object fn, List<Object> args, Map<String, Object> kwargs) {
        tick();
        if (fn instanceof Undefined u) throw u.error();
        if (fn instanceof PyCallable c) return c.call(this, args, kwargs);
        throw TemplateException.typeError("'" + Py.typeName(fn) + "' object is not callable");
    }

    void tick() {
        tick(1);
    }

    void tick(long n) {
        steps += n;
        if (steps > limits.maxSteps()) {
            throw TemplateException.limit("the template took more than " + limits.maxSteps() + " steps (loop iterations, calls and list items)");
        }
        if ((steps & 255) < n || n > 255) {
            if (System.nanoTime() > deadline) {
                throw TemplateException.limit("the template ran longer than " + limits.maxTime().toMillis() + " ms");
            }
        }
    }

    <T extends Collection<?>> T counted(T items) {
        tick(items.size());
        return items;
    }

    private void enter() {
        if (++depth > limits.maxCallDepth()) {
            depth--;
            throw TemplateException.limit("macro calls nested more than " + limits.maxCallDepth() + " deep");
        }
        tick();
    }

    long maxChars() {
        return limits.maxOutputChars();
    }

    String checkSize(String s) {
        checkLength(s.length());
        return s;
    }

    void checkSize(StringBuilder b) {
        checkLength(b.length());
    }

    void checkLength(long chars) {
        if (chars > limits.maxOutputChars()) {
            throw TemplateException.limit("the template made a text or list longer than " + limits.maxOutputChars());
        }
    }
}

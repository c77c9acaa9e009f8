package dev.gannet.runtime.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Jinja template parsed once and rendered many times, with the semantics of Python's jinja2 as Hugging
 * Face's {@code apply_chat_template} configures it: an immutable sandbox, {@code trim_blocks},
 * {@code lstrip_blocks}, {@code break}/{@code continue}, {@code tojson} without ASCII escaping,
 * {@code raise_exception} and {@code strftime_now}. Only values go in (strings, numbers, booleans, null,
 * lists and maps of them): a template reaches no Java object, field or method, only the Python-like
 * methods {@link Methods} lists. Immutable and safe to share between threads.
 */
public final class JinjaTemplate {
    private final List<Ast.Node> body;

    private JinjaTemplate(List<Ast.Node> body) {
        this.body = body;
    }

    /**
     * Parses a template.
     *
     * @throws TemplateException a {@code TemplateSyntaxError} naming the line
     */
    public static JinjaTemplate parse(String source) {
        Objects.requireNonNull(source, "source");
        try {
            List<Ast.Node> body = Parser.parse(source);
            Validator.check(body);
            return new JinjaTemplate(List.copyOf(body));
        } catch (StackOverflowError e) {
            throw TemplateException.syntax("the template nests too deeply to parse", 0);
        }
    }

    /**
     * Renders with {@code context} as the template's variables.
     *
     * @param context values: String, Boolean, Number, null, List and Map (string keys) of these
     * @param clock   what {@code strftime_now} reads
     * @throws TemplateException when the template fails, raises, or runs past {@code limits}
     */
    public String render(Map<String, ?> context, RenderLimits limits, Clock clock) {
        Map<String, Object> vars = new LinkedHashMap<>();
        context.forEach((k, v) -> vars.put(k, value(v)));
        Interpreter in = new Interpreter(limits, () -> ZonedDateTime.now(clock));
        try {
            return in.render(body, vars);
        } catch (StackOverflowError e) {
            throw TemplateException.limit("the template recursed too deeply");
        } catch (TemplateException e) {
            throw e;
        } catch (RuntimeException e) {
            // a renderer bug must still be this template's error, not a failed server
            throw new TemplateException("InternalError", "the renderer failed on this template: " + e);
        }
    }

    /** A Java value as a template value; anything that is not plain data is refused. */
    static Object value(Object v) {
        return switch (v) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Long l -> l;
            case Integer i -> (long) i;
            case Short s -> (long) s;
            case Byte b -> (long) b;
            case BigInteger b -> b.bitLength() < 64 ? (Object) b.longValue() : (Object) b.doubleValue();
            case Double d -> d;
            case Float f -> (double) f;
            case BigDecimal d -> d.doubleValue();
            case List<?> l -> {
                List<Object> out = new ArrayList<>(l.size());
                for (Object item : l) out.add(value(item));
                yield out;
            }
            case Map<?, ?> m -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                m.forEach((k, x) -> out.put(Access.hashable(value(k)), value(x)));
                yield out;
            }
            default -> throw new IllegalArgumentException("a template cannot be given a " + v.getClass().getName());
        };
    }
}

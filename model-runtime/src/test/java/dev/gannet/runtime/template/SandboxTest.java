package dev.gannet.runtime.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Templates come from model files, so they are untrusted: they reach no Java object or method, and a
 * runaway one fails with a {@code TemplateLimitError} instead of holding the thread or the heap.
 */
class SandboxTest {
    private static final Clock CLOCK = Clock.systemUTC();

    private static TemplateException fails(String template, RenderLimits limits) {
        return assertThrows(TemplateException.class,
                () -> JinjaTemplate.parse(template).render(Map.of(), limits, CLOCK));
    }

    private static String render(String template, Map<String, ?> ctx) {
        return JinjaTemplate.parse(template).render(ctx, RenderLimits.defaults(), CLOCK);
    }

    @Test
    void loopsAndCallsAreCountedAgainstTheStepLimit() {
        RenderLimits limits = new RenderLimits(1 << 20, 10_000, Duration.ofSeconds(5), 50);
        TemplateException e = fails("{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}", limits);
        assertEquals("TemplateLimitError", e.kind());
        assertTrue(e.detail().contains("10000 steps"), e.detail());
        assertEquals("ok", JinjaTemplate.parse("{% for i in range(100) %}{% endfor %}ok").render(Map.of(), limits, CLOCK));
    }

    @Test
    void timeIsBounded() {
        RenderLimits limits = new RenderLimits(1 << 20, Long.MAX_VALUE, Duration.ofMillis(50), 50);
        long t0 = System.nanoTime();
        TemplateException e = fails("{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}{% endfor %}{% endfor %}",
                new RenderLimits(Long.MAX_VALUE, Long.MAX_VALUE, Duration.ofMillis(50), 50));
        assertEquals("TemplateLimitError", e.kind());
        assertTrue(e.detail().contains("longer than 50 ms"), e.detail());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "stopped soon after the limit");
        assertEquals("ok", JinjaTemplate.parse("ok").render(Map.of(), limits, CLOCK));
    }

    @Test
    void recursionIsBounded() {
        TemplateException e = fails("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", RenderLimits.defaults());
        assertEquals("TemplateLimitError", e.kind());
        assertTrue(e.detail().contains("nested more than 100"), e.detail());
        assertEquals("TemplateLimitError", fails("{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}", RenderLimits.defaults()).kind());
    }

    @Test
    void textAndListsAreBoundedBeforeTheyAreBuilt() {
        RenderLimits limits = new RenderLimits(1000, 1_000_000, Duration.ofSeconds(5), 50);
        for (String t : List.of("{{ 'x' * 100000000000 }}", "{{ [1] * 10000000000 }}", "{{ 'x'.center(1000000000000) }}",
                "{{ 'ab'.replace('', 'xxxxxxxxxx' * 100) }}", "{{ 'x\ny'|indent(100000) }}",
                "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
                "{% for i in range(2000) %}x{% endfor %}")) {
            assertEquals("TemplateLimitError", fails(t, limits).kind(), t);
        }
        assertEquals("TemplateLimitError", fails("{{ '%10000000000d' % 1 }}", limits).kind());
        assertEquals("OverflowError", fails("{{ range(1000000000)|list }}", limits).kind());
    }

    @Test
    void deepNestingIsASyntaxErrorNotAStackOverflow() {
        TemplateException e = assertThrows(TemplateException.class,
                () -> JinjaTemplate.parse("{{ " + "(".repeat(5000) + "1" + ")".repeat(5000) + " }}"));
        assertEquals("TemplateSyntaxError", e.kind());
        e = assertThrows(TemplateException.class,
                () -> JinjaTemplate.parse("{% if true %}".repeat(3000) + "{% endif %}".repeat(3000)));
        assertEquals("TemplateSyntaxError", e.kind());
    }

    @Test
    void noJavaObjectOrMethodIsReachable() {
        Map<String, Object> ctx = Map.of("m", Map.of("a", 1), "s", "text", "l", List.of(1));
        assertEquals("||||||", render("{{ s.getClass }}|{{ s.class }}|{{ m.getClass() if false }}|{{ l.iterator }}"
                + "|{{ s.toString }}|{{ m.entrySet }}|{{ range.__globals__ }}", ctx));
        assertEquals("SecurityError", assertThrows(TemplateException.class, () -> render("{{ s.__class__.__mro__ }}", ctx)).kind());
        assertEquals("UndefinedError", assertThrows(TemplateException.class, () -> render("{{ s.getClass() }}", ctx)).kind());
        assertEquals("SecurityError", assertThrows(TemplateException.class, () -> render("{{ l.append(2) }}", ctx)).kind());
        assertEquals("SecurityError", assertThrows(TemplateException.class, () -> render("{{ m.update({'a': 2}) }}", ctx)).kind());
        assertEquals("[1]|{'a': 1}", render("{{ l }}|{{ m }}", ctx), "the context is not changed");
    }

    @Test
    void onlyPlainDataGoesIntoATemplate() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> render("{{ x }}", Map.of("x", new Object())));
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> render("{{ x }}", Map.of("x", List.of(Thread.currentThread()))));
        Map<String, Object> plain = new java.util.HashMap<>(Map.of("a", 1, "b", 2.5f, "c", true));
        plain.put("d", null);
        assertEquals("1 2.5 True None", render("{{ a }} {{ b }} {{ c }} {{ d }}", plain));
    }

    @Test
    void limitsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new RenderLimits(0, 1, Duration.ofSeconds(1), 1));
        assertThrows(IllegalArgumentException.class, () -> new RenderLimits(1, 1, Duration.ZERO, 1));
    }
}

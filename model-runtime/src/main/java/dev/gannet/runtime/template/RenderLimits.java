package dev.gannet.runtime.template;

import java.time.Duration;
import java.util.Objects;

/**
 * What one render may use. Templates come from model files, so a template that loops, recurses or grows
 * text without end must fail with a {@link TemplateException} ({@code TemplateLimitError}) instead of
 * holding a worker thread or its memory.
 *
 * @param maxOutputChars the longest text any value or the output may reach
 * @param maxSteps       loop iterations, calls and generated list items, all together
 * @param maxTime        wall-clock time of one render
 * @param maxCallDepth   macro calls (and recursive loops) nested inside each other
 */
public record RenderLimits(long maxOutputChars, long maxSteps, Duration maxTime, int maxCallDepth) {
    public RenderLimits {
        Objects.requireNonNull(maxTime, "maxTime");
        if (maxOutputChars <= 0 || maxSteps <= 0 || maxCallDepth <= 0 || maxTime.isNegative() || maxTime.isZero()) {
            throw new IllegalArgumentException("render limits must be positive: " + maxOutputChars + " chars, "
                    + maxSteps + " steps, " + maxTime + ", depth " + maxCallDepth);
        }
    }

    /**
     * 16 Mi characters, 5 million steps, 2 seconds, 100 nested calls: the 17 templates of the shared corpus
     * render conversations with tools in under 500 steps, so only a runaway template meets these.
     */
    public static RenderLimits defaults() {
        return new RenderLimits(16L << 20, 5_000_000, Duration.ofSeconds(2), 100);
    }
}

package dev.gannet.loadtest;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A one-line live status ("done/total, tokens/s, errors") redrawn with {@code \r} twice a second.
 * Silent when disabled (not a terminal), so logs and CI output stay clean.
 */
public final class ProgressLine implements AutoCloseable {

    private static final long PERIOD_MS = 500;

    private final PrintWriter out;
    private final boolean enabled;
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger errors = new AtomicInteger();
    private final LongAdder tokens = new LongAdder();
    private final ScheduledExecutorService ticker;
    private volatile String label = "";
    private volatile int total;
    private long lastTokens;
    private long lastNanos;
    private double tokensPerSecond;
    private ScheduledFuture<?> task;

    public ProgressLine(PrintWriter out, boolean enabled) {
        this.out = out;
        this.enabled = enabled;
        this.ticker = enabled ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loadtest-progress");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    /** Whether stdout is an interactive terminal (Java 22+ returns a Console even when redirected). */
    public static boolean stdoutIsTerminal() {
        return System.console() != null && System.console().isTerminal();
    }

    public synchronized void begin(String pointLabel, int plannedTotal) {
        label = pointLabel;
        total = plannedTotal;
        done.set(0);
        errors.set(0);
        lastTokens = tokens.sum();
        lastNanos = System.nanoTime();
        tokensPerSecond = 0;
        if (enabled) {
            task = ticker.scheduleAtFixedRate(this::draw, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Incremented by request threads per content chunk, so tokens/s moves during long requests. */
    public LongAdder liveTokens() {
        return tokens;
    }

    /** Called from request threads as each request ends. */
    public void record(RequestResult r) {
        done.incrementAndGet();
        if (!r.ok()) {
            errors.incrementAndGet();
        }
    }

    public synchronized void end() {
        if (enabled) {
            task.cancel(false);
            draw();
            out.print('\n');
            out.flush();
        }
    }

    private synchronized void draw() {
        long now = System.nanoTime();
        long t = tokens.sum();
        if (now > lastNanos) {
            tokensPerSecond = (t - lastTokens) * 1e9 / (now - lastNanos);
        }
        lastTokens = t;
        lastNanos = now;
        out.print(String.format(Locale.ROOT, "\r%s  %d/%d done  %.1f tok/s  %d errors   ",
                label, done.get(), total, tokensPerSecond, errors.get()));
        out.flush();
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }
}

package dev.gannet.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gannet.server.config.LogFormat;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * One line per HTTP request, when its response ends or its connection closes: request id,
 * method, path, status, prompt/completion tokens, time to first token and duration. As text
 * or as a JSON object per line ({@link LogFormat}). Hand-rolled over Jackson
 * rather than a logging framework: the project has none yet, and one line per request needs
 * no appenders; the sink is injectable so the lead can route it into whatever logging is chosen.
 */
final class RequestLog {
    static final String REQUEST_ID = "gannet.request_id";
    static final String PROMPT_TOKENS = "gannet.prompt_tokens";
    static final String COMPLETION_TOKENS = "gannet.completion_tokens";
    static final String TTFT_NANOS = "gannet.ttft_nanos";
    /** Why a request ended unusually (stopped at the context, stalled reader), for the log line. */
    static final String NOTE = "gannet.note";
    private static final String START_NANOS = "gannet.start_nanos";

    private final LogFormat format;
    private final Consumer<String> sink;

    RequestLog(LogFormat format, Consumer<String> sink) {
        this.format = format;
        this.sink = sink;
    }

    /** First route handler: stamps the start and logs at the end. */
    void begin(RoutingContext ctx) {
        ctx.put(START_NANOS, System.nanoTime());
        ctx.addEndHandler(ar -> sink.accept(line(ctx)));
        ctx.next();
    }

    static long startNanos(RoutingContext ctx) {
        Long start = ctx.get(START_NANOS);
        return start == null ? System.nanoTime() : start;
    }

    private String line(RoutingContext ctx) {
        String id = ctx.get(REQUEST_ID);
        int status = ctx.response().getStatusCode();
        boolean completed = ctx.response().ended();
        int prompt = intOr(ctx.get(PROMPT_TOKENS));
        int completion = intOr(ctx.get(COMPLETION_TOKENS));
        Long ttft = ctx.get(TTFT_NANOS);
        String note = ctx.get(NOTE);
        double ttftMs = ttft == null ? -1 : ttft / 1e6;
        double durationMs = (System.nanoTime() - startNanos(ctx)) / 1e6;
        String method = ctx.request().method().name();
        String path = ctx.request().path();
        if (format == LogFormat.JSON) {
            ObjectNode o = OpenAiJson.MAPPER.createObjectNode();
            o.put("ts", Instant.now().toString());
            o.put("request_id", id);
            o.put("method", method);
            o.put("path", path);
            o.put("status", status);
            o.put("client_closed", !completed);
            o.put("prompt_tokens", prompt);
            o.put("completion_tokens", completion);
            if (ttft != null) {
                o.put("ttft_ms", round(ttftMs));
            }
            o.put("duration_ms", round(durationMs));
            if (note != null) {
                o.put("note", note);
            }
            return OpenAiJson.write(o);
        }
        return String.format(Locale.ROOT, "%s %s %s %s %d%s prompt_tokens=%d completion_tokens=%d ttft_ms=%s duration_ms=%.2f%s",
                Instant.now(), id == null ? "-" : id, method, path, status, completed ? "" : " (client closed)",
                prompt, completion, ttft == null ? "-" : String.format(Locale.ROOT, "%.2f", ttftMs), durationMs,
                note == null ? "" : " note=\"" + note + "\"");
    }

    private static int intOr(Integer v) {
        return v == null ? 0 : v;
    }

    private static double round(double ms) {
        return Math.round(ms * 100) / 100.0;
    }
}

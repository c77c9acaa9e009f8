package dev.gannet.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gannet.runtime.engine.FinishInfo;
import dev.gannet.runtime.engine.FinishReason;
import dev.gannet.runtime.engine.Request;
import dev.gannet.runtime.engine.RequestEvent;
import dev.gannet.runtime.engine.RequestListener;
import dev.gannet.runtime.sampler.ParameterException;
import dev.gannet.runtime.sampler.SamplingParams;
import dev.gannet.runtime.sampler.TokenLogprobs;
import dev.gannet.server.api.BackendOverloadedException;
import dev.gannet.server.api.GenerationHandle;
import dev.gannet.server.api.ServingBackend;
import dev.gannet.server.common.Inflight;
import dev.gannet.server.metrics.ServerMetrics;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One /v1/completions or /v1/chat/completions request in flight: its choices (prompts x n
 * sequences), streamed as SSE chunks or gathered into one JSON response.
 *
 * <p>Thread rule: all state is confined to the request's Vert.x context. Engine events
 * ({@link Choice}) only hop onto that context with {@code runOnContext}.
 */
final class GenerationExchange implements Inflight.Abortable {
    private final RoutingContext ctx;
    private final HttpServerResponse response;
    private final Context context;
    private final ServingBackend backend;
    private final GenerationSpec spec;
    private final String id;
    private final String model;
    private final long created = System.currentTimeMillis() / 1000;
    private final ServerMetrics metrics;
    private final Inflight inflight;
    private final long startNanos;
    private final Choice[] choices;
    private final int promptTokens;
    private final boolean wantLogprobs;
    private int finished;
    private int completionTokens;
    private int generatedTokens;
    private boolean clientGone;
    private final ArrayDeque<String> unsent = new ArrayDeque<>(); // SSE chunks held while the socket's queue is full
    private final Duration stallTimeout;
    private long stallTimerId = -1;
    private boolean endAfterUnsent;
    private boolean discarded;
    private long timerId = -1;

    /** One sequence; the listener half runs on the engine thread and only forwards. */
    final class Choice implements RequestListener {
        final int index;
        final PreparedPrompt prompt;
        final StringBuilder text = new StringBuilder();
        final List<TokenLogprobs.Snapshot> logprobs = new ArrayList<>();
        final ToolCallOutput toolOutput; // streaming with tool calls parsed: text becomes content and call deltas
        GenerationHandle handle;
        FinishInfo result;
        int tokens;
        int textOffset;
        long lastTokenNanos;

        Choice(int index, PreparedPrompt prompt) {
            this.index = index;
            this.prompt = prompt;
            this.toolOutput = spec.stream() && parsesTools() ? new ToolCallOutput(spec.tools()) : null;
        }

        @Override
        public void onEvent(RequestEvent e) {
            context.runOnContext(v -> event(this, e));
        }
    }

    GenerationExchange(RoutingContext ctx, ServingBackend backend, GenerationSpec spec, List<PreparedPrompt> prompts,
                       String id, String model, ServerMetrics metrics, Inflight inflight, long startNanos,
                       Duration stallTimeout) {
        this.ctx = ctx;
        this.stallTimeout = stallTimeout;
        this.response = ctx.response();
        this.context = ctx.vertx().getOrCreateContext();
        this.backend = backend;
        this.spec = spec;
        this.id = id;
        this.model = model;
        this.metrics = metrics;
        this.inflight = inflight;
        this.startNanos = startNanos;
        this.wantLogprobs = spec.sampling().logprobs() >= 0;
        this.choices = new Choice[prompts.size() * spec.n()];
        int tokens = 0;
        for (int p = 0; p < prompts.size(); p++) {
            tokens += prompts.get(p).ids().length;
            for (int i = 0; i < spec.n(); i++) {
                choices[p * spec.n() + i] = new Choice(p * spec.n() + i, prompts.get(p));
            }
        }
        this.promptTokens = tokens;
        ctx.put(RequestLog.PROMPT_TOKENS, tokens);
    }

    /**
     * Registers the request as in flight and submits every choice (each of n gets seed + its index, so they differ).
     * This is the one place that registers; {@link #complete()} is the one that removes, and any failure here (a full
     * queue: 429; a request the engine refuses: 400) withdraws what was submitted and the registration before it
     * propagates, so a refused request leaves nothing behind.
     */
    void start(Duration timeout) {
        if (!inflight.tryAdd(this)) {
            throw ApiException.unavailable("the server is shutting down", "draining");
        }
        SamplingParams base = spec.sampling();
        try {
            for (Choice c : choices) {
                int i = c.index % spec.n();
                SamplingParams params = base.seed() == null || i == 0 ? base : base.withSeed(base.seed() + i);
                c.handle = backend.submit(new Request(c.prompt.ids(), params, spec.priority(), spec.cacheKey(),
                        spec.constraint()), c);
            }
        } catch (RuntimeException e) {
            discardSubmitted();
            inflight.remove(this);
            throw switch (e) {
                case BackendOverloadedException o -> ApiException.overloaded(o.getMessage(), o.retryAfterSeconds());
                case ParameterException p -> ApiException.badRequest(p.param(), p.getMessage());
                case IllegalArgumentException a -> ApiException.badRequest(null, a.getMessage());
                default -> e;
            };
        }
        response.putHeader("X-Request-Id", id);
        // through the routing context, not response.closeHandler: that would replace Vert.x Web's own, and the
        // request log line (an end handler) would never be written for a connection closed under the request
        ctx.addEndHandler(ar -> {
            if (!response.ended()) {
                onClientGone();
            }
        });
        if (response.closed()) {
            // the client left while the prompt was being prepared
            onClientGone();
        }
        timerId = ctx.vertx().setTimer(Math.max(1, timeout.toMillis()), t -> abort());
        if (spec.stream()) {
            response.setChunked(true);
            response.putHeader("Content-Type", "text/event-stream");
            response.putHeader("Cache-Control", "no-cache");
            for (Choice c : choices) {
                if (spec.chat()) {
                    // with tool calls parsed, content starts as null (OpenAI's shape) until text arrives
                    writeChunk(OpenAiJson.chatDelta(c.index, true, c.toolOutput == null ? "" : null, null, null));
                } else if (spec.echo()) {
                    c.textOffset = c.prompt.text().length();
                    writeChunk(OpenAiJson.textChoice(c.index, c.prompt.text(), null, null));
                }
            }
        }
    }

    private void discardSubmitted() {
        discarded = true;
        for (Choice c : choices) {
            if (c.handle != null) {
                c.handle.abort();
            }
        }
    }

    /** Deadline, drain timeout: the sequences end with finish_reason "abort". */
    @Override
    public void abort() {
        context.runOnContext(v -> {
            for (Choice c : choices) {
                if (c.result == null && c.handle != null) {
                    c.handle.abort();
                }
            }
        });
    }

    private void onClientGone() {
        if (finished < choices.length) {
            clientGone = true;
            abort();
        }
    }

    private void event(Choice c, RequestEvent e) {
        if (discarded || c.result != null) {
            return;
        }
        if (e.hasToken()) {
            noteToken(c);
        }
        TokenLogprobs.Snapshot lp = wantLogprobs ? e.logprobs() : null;
        if (!clientGone) {
            if (!spec.stream()) {
                c.text.append(e.text());
                if (lp != null) c.logprobs.add(lp);
            } else if (c.toolOutput != null) {
                writeDeltas(c, c.toolOutput.feed(e.text()), lp);
            } else if (!e.text().isEmpty() || lp != null) {
                List<TokenLogprobs.Snapshot> lps = lp == null ? List.of() : List.of(lp);
                ObjectNode lpNode = wantLogprobs ? logprobsNode(lps, c.textOffset) : null;
                c.textOffset += e.text().length();
                writeChunk(spec.chat() ? OpenAiJson.chatDelta(c.index, false, e.text(), lpNode, null)
                        : OpenAiJson.textChoice(c.index, e.text(), lpNode, null));
            }
        }
        if (e.finished()) {
            finish(c, e.finish());
        }
    }

    private void noteToken(Choice c) {
        long now = System.nanoTime();
        if (c.tokens == 0) {
            metrics.recordTimeToFirstToken(now - startNanos);
            if (ctx.get(RequestLog.TTFT_NANOS) == null) {
                ctx.put(RequestLog.TTFT_NANOS, now - startNanos);
            }
        } else {
            metrics.recordInterTokenLatency(now - c.lastTokenNanos);
        }
        c.tokens++;
        c.lastTokenNanos = now;
        generatedTokens++;
        // as tokens arrive, so a request whose client left mid-stream is logged with what it got
        ctx.put(RequestLog.COMPLETION_TOKENS, generatedTokens);
    }

    private void finish(Choice c, FinishInfo r) {
        c.result = r;
        finished++;
        completionTokens += r.generatedTokens();
        metrics.recordFinished(r.reason(), r.promptTokens(), r.generatedTokens(), System.nanoTime() - startNanos,
                r.queueNanos(), r.prefillNanos(), r.decodeNanos());
        ctx.put(RequestLog.COMPLETION_TOKENS, completionTokens);
        if (r.reason() == FinishReason.LENGTH && r.generatedTokens() < spec.sampling().maxTokens()) {
            ctx.put(RequestLog.NOTE, "stopped at the context length (" + (r.promptTokens() + r.generatedTokens())
                    + " tokens) before max_tokens");
        }
        if (spec.stream() && !discarded && !clientGone) {
            if (r.reason() == FinishReason.ERROR) {
                writeSse(OpenAiJson.write(OpenAiJson.error(ApiException.internal(r.error()))));
            } else {
                if (c.toolOutput != null) {
                    writeDeltas(c, c.toolOutput.finish(), null);
                }
                String reason = finishReason(r.reason(), c.toolOutput != null && c.toolOutput.calls() > 0);
                writeChunk(spec.chat() ? OpenAiJson.chatDelta(c.index, false, null, null, reason)
                        : OpenAiJson.textChoice(c.index, "", null, r.reason().wireName()));
            }
        }
        if (finished == choices.length) {
            complete();
        }
    }

    private void complete() {
        ctx.vertx().cancelTimer(timerId);
        inflight.remove(this);
        if (discarded || clientGone || response.ended()) {
            return;
        }
        if (spec.stream()) {
            if (spec.includeUsage()) {
                ObjectNode last = OpenAiJson.envelope(id, chunkObject(), created, model);
                last.set("usage", OpenAiJson.usage(promptTokens, completionTokens));
                writeSse(OpenAiJson.write(last));
            }
            endStream();
            return;
        }
        for (Choice c : choices) {
            if (c.result.reason() == FinishReason.ERROR) {
                ctx.fail(ApiException.internal("generation failed: " + c.result.error()));
                return;
            }
        }
        response.putHeader("Content-Type", "application/json").end(OpenAiJson.write(fullResponse()));
    }

    private ObjectNode fullResponse() {
        ObjectNode root = OpenAiJson.envelope(id, spec.chat() ? "chat.completion" : "text_completion", created, model);
        ArrayNode out = (ArrayNode) root.get("choices");
        for (Choice c : choices) {
            String reason = c.result.reason().wireName();
            if (spec.chat() && parsesTools()) {
                ObjectNode message = ToolCallOutput.message(spec.tools(), c.text.toString());
                out.add(OpenAiJson.chatChoice(c.index, message, wantLogprobs ? OpenAiJson.chatLogprobs(c.logprobs, backend)
                        : null, finishReason(c.result.reason(), message.has("tool_calls"))));
            } else if (spec.chat()) {
                out.add(OpenAiJson.chatChoice(c.index, c.text.toString(),
                        wantLogprobs ? OpenAiJson.chatLogprobs(c.logprobs, backend) : null, reason));
            } else {
                String prefix = spec.echo() ? c.prompt.text() : "";
                out.add(OpenAiJson.textChoice(c.index, prefix + c.text,
                        wantLogprobs ? OpenAiJson.completionLogprobs(c.logprobs, prefix.length(), backend) : null, reason));
            }
        }
        root.set("usage", OpenAiJson.usage(promptTokens, completionTokens));
        return root;
    }

    private boolean parsesTools() {
        return spec.tools() != null && spec.tools().parses();
    }

    /** OpenAI's {@code tool_calls} when the output made calls and ended by itself. */
    private static String finishReason(FinishReason reason, boolean madeCalls) {
        return madeCalls && reason == FinishReason.STOP ? "tool_calls" : reason.wireName();
    }

    /**
     * Tool-call deltas as chunks, the step's logprobs on the first (on an empty delta when the text released nothing,
     * so every token's logprobs reach the client).
     */
    private void writeDeltas(Choice c, List<ObjectNode> deltas, TokenLogprobs.Snapshot lp) {
        ObjectNode lpNode = lp == null ? null : OpenAiJson.chatLogprobs(List.of(lp), backend);
        if (deltas.isEmpty()) {
            if (lpNode != null) writeChunk(OpenAiJson.chatDelta(c.index, OpenAiJson.MAPPER.createObjectNode(), lpNode));
            return;
        }
        for (int i = 0; i < deltas.size(); i++) {
            writeChunk(OpenAiJson.chatDelta(c.index, deltas.get(i), i == 0 ? lpNode : null));
        }
    }

    private ObjectNode logprobsNode(List<TokenLogprobs.Snapshot> lps, int offset) {
        return spec.chat() ? OpenAiJson.chatLogprobs(lps, backend) : OpenAiJson.completionLogprobs(lps, offset, backend);
    }

    private String chunkObject() {
        return spec.chat() ? "chat.completion.chunk" : "text_completion";
    }

    private void writeChunk(ObjectNode choice) {
        ObjectNode root = OpenAiJson.envelope(id, chunkObject(), created, model);
        ((ArrayNode) root.get("choices")).add(choice);
        if (spec.includeUsage()) {
            root.putNull("usage");
        }
        writeSse(OpenAiJson.write(root));
    }

    /**
     * Writes one SSE event, respecting the socket's write queue: while it is full (a client that stopped reading),
     * events are held here rather than piling up in the connection's buffers; when the client reads again they go
     * out in order. A client that reads nothing for the stall timeout loses its request: it is aborted (its KV blocks
     * freed) and the connection reset, so a stalled reader cannot hold memory or KV indefinitely.
     */
    private void writeSse(String json) {
        if (response.ended() || response.closed()) {
            return;
        }
        String event = "data: " + json + "\n\n";
        if (unsent.isEmpty() && !response.writeQueueFull()) {
            response.write(event);
            return;
        }
        unsent.add(event);
        if (stallTimerId < 0) {
            response.drainHandler(v -> flushUnsent());
            stallTimerId = ctx.vertx().setTimer(Math.max(1, stallTimeout.toMillis()), t -> stalled());
        }
    }

    private void flushUnsent() {
        while (!unsent.isEmpty() && !response.writeQueueFull() && !response.closed()) {
            response.write(unsent.poll());
        }
        if (unsent.isEmpty()) {
            ctx.vertx().cancelTimer(stallTimerId);
            stallTimerId = -1;
            if (endAfterUnsent) {
                endStream();
            }
        }
    }

    private void stalled() {
        stallTimerId = -1;
        if (unsent.isEmpty() || response.ended() || response.closed()) {
            return;
        }
        ctx.put(RequestLog.NOTE, "client stopped reading for " + stallTimeout.toSeconds() + " s; request aborted");
        unsent.clear();
        clientGone = true;
        abort();
        if (ctx.request().version() == io.vertx.core.http.HttpVersion.HTTP_2) {
            response.reset(); // this stream only: RST_STREAM, the connection's other streams go on
        } else if (ctx.request().connection() instanceof io.vertx.core.net.impl.ConnectionBase cb) {
            // at once, below Vert.x's handler, whose graceful close would wait for the unread bytes to be sent
            cb.channel().pipeline().firstContext().close();
        } else {
            response.reset();
        }
    }

    /** The [DONE] marker, after anything still held back. */
    private void endStream() {
        if (!unsent.isEmpty()) {
            endAfterUnsent = true;
            return;
        }
        if (!response.ended() && !response.closed()) {
            response.end("data: [DONE]\n\n");
        }
    }
}

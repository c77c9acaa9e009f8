package dev.gannet.loadtest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends one streaming request and times every SSE chunk. Runs on its own (virtual) thread and
 * blocks on the stream; a shared watchdog closes the stream when {@code timeout} runs out.
 */
public final class StreamingClient {

    private final HttpClient http;
    private final ServerApi api;
    private final ObjectMapper json;
    private final Endpoint endpoint;
    private final String model;
    private final boolean ignoreEos;
    private final Duration timeout;
    private final ScheduledExecutorService watchdog;
    private final LongAdder liveTokens;
    private final ObjectNode extraBody; // merged into every body, or null

    /** {@code liveTokens} counts content chunks as they arrive, for the progress line. */
    public StreamingClient(HttpClient http, ServerApi api, Endpoint endpoint, String model, boolean ignoreEos,
                           Duration timeout, ScheduledExecutorService watchdog, LongAdder liveTokens) {
        this(http, api, endpoint, model, ignoreEos, timeout, watchdog, liveTokens, null);
    }

    /** As above, with {@code extraBody} (the text of a JSON object, or null) merged into every request body. */
    public StreamingClient(HttpClient http, ServerApi api, Endpoint endpoint, String model, boolean ignoreEos,
                           Duration timeout, ScheduledExecutorService watchdog, LongAdder liveTokens, String extraBody) {
        this.http = http;
        this.api = api;
        this.json = api.json();
        this.endpoint = endpoint;
        this.model = model;
        this.ignoreEos = ignoreEos;
        this.timeout = timeout;
        this.watchdog = watchdog;
        this.liveTokens = liveTokens;
        try {
            this.extraBody = extraBody == null ? null : (ObjectNode) json.readTree(extraBody);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalArgumentException("extra body must be a JSON object: " + extraBody, e);
        }
    }

    /** Mutable per-request tally, owned by the calling thread (the watchdog only sets {@code timedOut}). */
    private static final class Tally {
        long[] tokens = new long[64];
        int chunks;
        int usageOutput = -1;
        int usagePrompt = -1;
        String error;
        long retryAfterMs = -1;
        volatile boolean timedOut;

        void token(long atNanos) {
            if (chunks == tokens.length) {
                tokens = Arrays.copyOf(tokens, chunks * 2);
            }
            tokens[chunks++] = atNanos;
        }
    }

    /** Runs {@code req}; never throws for server or network trouble, which becomes {@link RequestResult#error()}. */
    public RequestResult execute(PlannedRequest req, long originNanos) {
        HttpRequest httpReq = api.request(endpoint.path())
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(req)))
                .build();
        Tally tally = new Tally();
        long t0 = System.nanoTime();
        try {
            HttpResponse<InputStream> resp = http.send(httpReq, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = resp.body()) {
                if (resp.statusCode() != 200) {
                    in.readNBytes(4096); // drain a little so the connection can be reused
                    tally.error = ErrorKinds.http(resp.statusCode());
                    tally.retryAfterMs = retryAfterMs(resp.headers().firstValue("Retry-After").orElse(null));
                } else {
                    long left = timeout.toNanos() - (System.nanoTime() - t0);
                    ScheduledFuture<?> guard = watchdog.schedule(() -> {
                        tally.timedOut = true;
                        closeQuietly(in);
                    }, Math.max(0, left), TimeUnit.NANOSECONDS);
                    try {
                        readStream(in, tally, t0);
                    } finally {
                        guard.cancel(false);
                    }
                }
            }
        } catch (HttpTimeoutException e) {
            tally.error = ErrorKinds.TIMEOUT;
        } catch (ConnectException e) {
            tally.error = ErrorKinds.CONNECT;
        } catch (IOException e) {
            tally.error = tally.timedOut ? ErrorKinds.TIMEOUT : ErrorKinds.DISCONNECT;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tally.error = ErrorKinds.DISCONNECT;
        }
        long t1 = System.nanoTime();
        if (tally.timedOut && tally.error == null) {
            tally.error = ErrorKinds.TIMEOUT;
        }
        boolean usage = tally.usageOutput >= 0;
        return new RequestResult(req.conversation(), req.turn(), t0 - originNanos, t1 - originNanos,
                Arrays.copyOf(tally.tokens, tally.chunks), usage ? tally.usageOutput : tally.chunks, usage,
                tally.usagePrompt >= 0 ? tally.usagePrompt : req.promptTokens(), tally.error, tally.retryAfterMs);
    }

    /** Reads SSE lines until {@code data: [DONE]}; the first problem ends the request with an error kind. */
    private void readStream(InputStream in, Tally tally, long t0) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            long now = System.nanoTime();
            if (line.isEmpty() || line.startsWith(":") || line.startsWith("event:") || line.startsWith("id:")
                    || line.startsWith("retry:")) {
                continue; // event boundary, comment (keep-alive) or a field we do not need
            }
            if (!line.startsWith("data:")) {
                tally.error = ErrorKinds.MALFORMED_SSE;
                return;
            }
            String payload = line.substring(5).strip();
            if (payload.equals("[DONE]")) {
                if (tally.chunks == 0 && tally.usageOutput <= 0) {
                    tally.error = ErrorKinds.NO_OUTPUT;
                }
                return;
            }
            if (!handleChunk(payload, tally, now - t0)) {
                return;
            }
        }
        if (tally.error == null) {
            tally.error = tally.timedOut ? ErrorKinds.TIMEOUT : ErrorKinds.DISCONNECT;
        }
    }

    /** Returns false when the chunk ends the request with an error. */
    private boolean handleChunk(String payload, Tally tally, long atNanos) {
        JsonNode chunk;
        try {
            chunk = json.readTree(payload);
        } catch (JsonProcessingException e) {
            tally.error = ErrorKinds.MALFORMED_SSE;
            return false;
        }
        if (chunk == null || !chunk.isObject()) {
            tally.error = ErrorKinds.MALFORMED_SSE;
            return false;
        }
        if (chunk.hasNonNull("error")) {
            tally.error = ErrorKinds.STREAM_ERROR;
            return false;
        }
        if (hasContent(chunk.path("choices"))) {
            tally.token(atNanos);
            liveTokens.increment();
        }
        JsonNode usage = chunk.path("usage");
        if (usage.isObject()) {
            if (usage.path("completion_tokens").canConvertToInt()) {
                tally.usageOutput = usage.get("completion_tokens").asInt();
            }
            if (usage.path("prompt_tokens").canConvertToInt()) {
                tally.usagePrompt = usage.get("prompt_tokens").asInt();
            }
        }
        return true;
    }

    private static boolean hasContent(JsonNode choices) {
        for (JsonNode c : choices) {
            if (nonEmpty(c.path("text")) || nonEmpty(c.path("delta").path("content"))
                    || nonEmpty(c.path("delta").path("reasoning_content"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean nonEmpty(JsonNode n) {
        return n.isTextual() && !n.asText().isEmpty();
    }

    /** The JSON body of {@code req} for this endpoint. */
    byte[] body(PlannedRequest req) {
        ObjectNode b = json.createObjectNode();
        b.put("model", model);
        if (req.prompt() != null) {
            b.put("prompt", req.prompt());
        } else {
            ArrayNode msgs = b.putArray("messages");
            for (ChatMessage m : req.messages()) {
                msgs.addObject().put("role", m.role()).put("content", m.content());
            }
        }
        b.put("max_tokens", req.maxTokens());
        b.put("stream", true);
        b.putObject("stream_options").put("include_usage", true);
        if (ignoreEos) {
            b.put("ignore_eos", true);
        }
        if (extraBody != null) {
            b.setAll(extraBody);
        }
        try {
            return json.writeValueAsBytes(b);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise request body", e);
        }
    }

    /** Retry-After in seconds (the HTTP-date form is rare from inference servers and reads as unknown). */
    static long retryAfterMs(String value) {
        if (value == null) {
            return -1;
        }
        try {
            return Math.round(Double.parseDouble(value.strip()) * 1000);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // Closing only unblocks the reader; a failure here changes nothing.
        }
    }
}

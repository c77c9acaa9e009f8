package dev.gannet.server.http;

import dev.gannet.runtime.toolcall.ToolCallFormat;
import dev.gannet.server.common.Admission;
import dev.gannet.server.config.LogFormat;
import dev.gannet.server.config.ServerConfig;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the {@code serve} command passes to {@link GannetServer}.
 *
 * @param host              bind address, e.g. "0.0.0.0"
 * @param port              TCP port; 0 picks a free one ({@link GannetServer#start()} returns it)
 * @param servedModelName   the name clients must send as {@code model}
 * @param apiKeys           accepted bearer keys; empty = no authentication
 * @param maxBodyBytes      request body limit (413 above it)
 * @param admission         what may wait: sequences, their tokens, n and prompts per request
 * @param requestTimeout    per-request deadline; then its sequences are aborted (finish_reason "abort")
 * @param shutdownTimeout   how long {@link GannetServer#drain()} lets in-flight requests finish
 * @param logFormat         request log lines as text or JSON
 * @param chatTemplate      Jinja chat template text overriding the model's (from --chat-template FILE), or null
 * @param toolCallParser    the format tool calls are parsed (and constrained) in; null = read it from the chat template
 * @param cors              browser access: allowed origins, methods, headers, credentials
 * @param timeouts          connection timeouts: request head, keep-alive idle, stalled stream reader
 */
public record ServerOptions(String host, int port, String servedModelName, List<String> apiKeys,
                            long maxBodyBytes, Admission admission, Duration requestTimeout,
                            Duration shutdownTimeout, LogFormat logFormat, String chatTemplate,
                            ToolCallFormat toolCallParser, ServerConfig.Cors cors, Timeouts timeouts) {

    /**
     * @param header      a connection must send a complete request head (and a request its whole body) within this
     *                    long, or it is closed: slow or non-HTTP clients (a TLS handshake sent to the plain port)
     *                    cannot hold connections open
     * @param keepAlive   an idle keep-alive connection is closed after this long without a request
     * @param streamStall a streaming client that reads nothing for this long has its request aborted
     */
    public record Timeouts(Duration header, Duration keepAlive, Duration streamStall) {
        public static final Timeouts DEFAULTS = new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(75), Duration.ofSeconds(30));

        public Timeouts {
            for (Duration d : new Duration[] {header, keepAlive, streamStall}) {
                if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException("timeouts must be > 0: " + d);
            }
        }
    }

    public static final long DEFAULT_MAX_BODY_BYTES = 4L << 20;
    /** vLLM's defaults: any origin, method and header; no credentials. */
    public static final ServerConfig.Cors DEFAULT_CORS = new ServerConfig.Cors(List.of("*"), List.of("*"), List.of("*"), false);

    public ServerOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(servedModelName, "servedModelName");
        apiKeys = List.copyOf(Objects.requireNonNull(apiKeys, "apiKeys"));
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        Objects.requireNonNull(logFormat, "logFormat");
        Objects.requireNonNull(cors, "cors");
        Objects.requireNonNull(timeouts, "timeouts");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in [0,65535], got " + port);
        }
        if (servedModelName.isBlank()) {
            throw new IllegalArgumentException("servedModelName is blank");
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("maxBodyBytes must be >= 1024, got " + maxBodyBytes);
        }
        Objects.requireNonNull(admission, "admission");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be > 0, got " + requestTimeout);
        }
        if (shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("shutdownTimeout must be >= 0, got " + shutdownTimeout);
        }
        for (String key : apiKeys) {
            if (key.isBlank()) {
                throw new IllegalArgumentException("apiKeys contains a blank key");
            }
        }
    }

    /** Defaults for everything but the model name: localhost, port 0, no keys, 4 MiB, default admission, 10 min, 30 s. */
    public static ServerOptions defaults(String servedModelName) {
        return new ServerOptions("127.0.0.1", 0, servedModelName, List.of(), DEFAULT_MAX_BODY_BYTES, Admission.defaults(),
                Duration.ofMinutes(10), Duration.ofSeconds(30), LogFormat.TEXT, null, null, DEFAULT_CORS, Timeouts.DEFAULTS);
    }

    public ServerOptions withApiKeys(List<String> keys) {
        return new ServerOptions(host, port, servedModelName, keys, maxBodyBytes, admission, requestTimeout,
                shutdownTimeout, logFormat, chatTemplate, toolCallParser, cors, timeouts);
    }

    public ServerOptions withLimits(long bodyBytes, int waiting, Duration timeout, Duration shutdown) {
        Admission a = new Admission(waiting, admission.maxWaitingTokens(), admission.maxN(), admission.maxPrompts());
        return new ServerOptions(host, port, servedModelName, apiKeys, bodyBytes, a, timeout, shutdown,
                logFormat, chatTemplate, toolCallParser, cors, timeouts);
    }

    public ServerOptions withAdmission(Admission a) {
        return new ServerOptions(host, port, servedModelName, apiKeys, maxBodyBytes, a, requestTimeout, shutdownTimeout,
                logFormat, chatTemplate, toolCallParser, cors, timeouts);
    }

    /** Sequences that may wait before new requests get a 429. */
    public int maxWaiting() {
        return admission.maxWaiting();
    }

    public ServerOptions withChatTemplate(String template) {
        return new ServerOptions(host, port, servedModelName, apiKeys, maxBodyBytes, admission, requestTimeout,
                shutdownTimeout, logFormat, template, toolCallParser, cors, timeouts);
    }

    public ServerOptions withToolCallParser(ToolCallFormat format) {
        return new ServerOptions(host, port, servedModelName, apiKeys, maxBodyBytes, admission, requestTimeout,
                shutdownTimeout, logFormat, chatTemplate, format, cors, timeouts);
    }

    public ServerOptions withLogFormat(LogFormat format) {
        return new ServerOptions(host, port, servedModelName, apiKeys, maxBodyBytes, admission, requestTimeout,
                shutdownTimeout, format, chatTemplate, toolCallParser, cors, timeouts);
    }

    public ServerOptions withTimeouts(Timeouts t) {
        return new ServerOptions(host, port, servedModelName, apiKeys, maxBodyBytes, admission, requestTimeout,
                shutdownTimeout, logFormat, chatTemplate, toolCallParser, cors, t);
    }

    public ServerOptions withCors(ServerConfig.Cors newCors) {
        return new ServerOptions(host, port, servedModelName, apiKeys, maxBodyBytes, admission, requestTimeout,
                shutdownTimeout, logFormat, chatTemplate, toolCallParser, newCors, timeouts);
    }
}

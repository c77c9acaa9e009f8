package dev.gannet.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gannet.server.api.FakeBackend;
import io.vertx.core.Vertx;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@link GannetServer} over a {@link FakeBackend} on a free port, plus a JDK HTTP client. */
public final class ServerHarness implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();
    public final Vertx vertx = Vertx.vertx();
    public final FakeBackend backend;
    public final GannetServer server;
    public final List<String> logLines = Collections.synchronizedList(new ArrayList<>());
    public final int port;
    public final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public ServerHarness(FakeBackend backend, ServerOptions options) throws Exception {
        this(backend, options, java.time.Clock.systemDefaultZone());
    }

    /** With the clock chat templates' {@code strftime_now} reads. */
    public ServerHarness(FakeBackend backend, ServerOptions options, java.time.Clock clock) throws Exception {
        this.backend = backend;
        this.server = new GannetServer(vertx, options, backend, logLines::add, clock);
        this.port = server.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public ServerHarness() throws Exception {
        this(new FakeBackend(256), ServerOptions.defaults("fake"));
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    /** The JSON objects of an SSE body's data lines, without the final [DONE]. */
    public static List<JsonNode> sseEvents(String body) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                out.add(JSON.readTree(line.substring(6)));
            }
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        backend.shutdown();
        http.close();
    }
}

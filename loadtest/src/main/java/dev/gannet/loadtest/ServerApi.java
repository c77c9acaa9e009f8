package dev.gannet.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** The non-streaming calls to one server: {@code GET /v1/models} and {@code POST /tokenize}. */
public final class ServerApi {

    private final HttpClient http;
    private final ObjectMapper json;
    private final String baseUrl;
    private final String apiKey;
    private final Duration timeout;

    public ServerApi(HttpClient http, ObjectMapper json, String url, String apiKey, Duration timeout) {
        this.http = http;
        this.json = json;
        this.baseUrl = normaliseBaseUrl(url);
        this.apiKey = apiKey;
        this.timeout = timeout;
    }

    /** {@code http://h:p/}, {@code http://h:p/v1} and {@code http://h:p} all name the same server. */
    public static String normaliseBaseUrl(String url) {
        String u = url.strip();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u.endsWith("/v1") ? u.substring(0, u.length() - 3) : u;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** A request to {@code path} on this server, with the bearer key when one was given. */
    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout);
        if (apiKey != null && !apiKey.isEmpty()) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b;
    }

    /** The server's {@code GET /v1/models} answer. */
    public JsonNode models() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request("/v1/models").GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
            throw new IOException("GET " + baseUrl + "/v1/models answered HTTP " + r.statusCode() + ": "
                    + abbreviate(r.body()));
        }
        return json.readTree(r.body());
    }

    /** The first model id listed by {@code GET /v1/models}. */
    public static String firstModelId(JsonNode models, String baseUrl) {
        JsonNode data = models.path("data");
        if (!data.isArray() || data.isEmpty() || !data.get(0).path("id").isTextual()) {
            throw new IllegalArgumentException(baseUrl + "/v1/models lists no model id; pass --model");
        }
        return data.get(0).path("id").asText();
    }

    /**
     * Probes {@code POST /tokenize}: vLLM style ({@code {"model","prompt"}}) first, then llama.cpp style
     * ({@code {"content"}}). Empty when neither answers with a token list.
     */
    public Optional<TokenCounter> tokenizer(String model) {
        for (boolean vllmStyle : new boolean[] {true, false}) {
            try {
                ServerTokenCounter c = new ServerTokenCounter(this, model, vllmStyle);
                if (c.count("Hello world") > 0) {
                    return Optional.of(c);
                }
            } catch (UncheckedIOException | IllegalStateException e) {
                // Not this dialect (or no /tokenize at all): try the next one, then fall back to an estimate.
            }
        }
        return Optional.empty();
    }

    /** Posts {@code body} and returns the parsed JSON answer; non-200 is an {@link IOException}. */
    JsonNode postJson(String path, ObjectNode body) throws IOException, InterruptedException {
        HttpRequest req = request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
            throw new IOException("POST " + baseUrl + path + " answered HTTP " + r.statusCode() + ": "
                    + abbreviate(r.body()));
        }
        return json.readTree(r.body());
    }

    ObjectMapper json() {
        return json;
    }

    static String abbreviate(String s) {
        String t = s == null ? "" : s.strip();
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }
}

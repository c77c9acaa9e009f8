package dev.gannet.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny OpenAI-compatible server on the JDK HTTP server that paces SSE chunks exactly
 * (sleep, write, flush), for timing tests and end-to-end runs. Its tokenizer counts words plus a BOS.
 */
final class FakeOpenAiServer implements AutoCloseable {

    static {
        // Without TCP_NODELAY, Nagle + delayed ACK hold small SSE chunks back by ~40 ms.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    private final ObjectMapper json = new ObjectMapper();
    private final long firstTokenDelayMs;
    private final long interTokenDelayMs;
    final AtomicInteger streamed = new AtomicInteger();
    final AtomicInteger tokenizeCalls = new AtomicInteger();

    FakeOpenAiServer(String modelId, long firstTokenDelayMs, long interTokenDelayMs, boolean tokenizer)
            throws IOException {
        this.firstTokenDelayMs = firstTokenDelayMs;
        this.interTokenDelayMs = interTokenDelayMs;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(pool);
        server.createContext("/v1/models", ex -> send(ex, 200,
                "{\"object\":\"list\",\"data\":[{\"id\":\"" + modelId + "\",\"object\":\"model\"}]}"));
        if (tokenizer) {
            server.createContext("/tokenize", this::tokenize);
        }
        server.createContext("/v1/completions", ex -> stream(ex, false));
        server.createContext("/v1/chat/completions", ex -> stream(ex, true));
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void tokenize(HttpExchange ex) throws IOException {
        tokenizeCalls.incrementAndGet();
        JsonNode body = json.readTree(ex.getRequestBody());
        String prompt = body.path("prompt").asText("");
        int n = 1 + TokenCounter.wordEstimate().count(prompt); // BOS + one token per word
        send(ex, 200, "{\"count\":" + n + ",\"max_model_len\":4096,\"tokens\":[]}");
    }

    private void stream(HttpExchange ex, boolean chat) throws IOException {
        JsonNode body = json.readTree(ex.getRequestBody());
        int maxTokens = body.path("max_tokens").asInt(16);
        int promptTokens = chat ? body.path("messages").size() * 10 : 1 + TokenCounter.wordEstimate()
                .count(body.path("prompt").asText(""));
        streamed.incrementAndGet();
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            if (chat) {
                write(out, "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}");
            }
            sleep(firstTokenDelayMs);
            for (int i = 0; i < maxTokens; i++) {
                if (i > 0) {
                    sleep(interTokenDelayMs);
                }
                write(out, chat ? "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\" tok\"}}]}"
                        : "{\"choices\":[{\"index\":0,\"text\":\" tok\"}]}");
            }
            write(out, "{\"choices\":[],\"usage\":{\"prompt_tokens\":" + promptTokens
                    + ",\"completion_tokens\":" + maxTokens + "}}");
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    private static void write(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}

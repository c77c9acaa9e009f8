package dev.gannet.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code gannet serve} as a real process: start-up on a real model with vLLM's {@code --api-key}, then SIGTERM drains
 * in-flight streams and exits 0.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ServeProcessTest {
    private static final Pattern SERVING = Pattern.compile("serving \\S+ on http://127\\.0\\.0\\.1:(\\d+)");

    @Test
    void sigtermDrainsInFlightStreamsThenExitsZero() throws Exception {
        Path model = Path.of(System.getProperty("gannet.models.dir", "../../shared/models"), "tiny-llama-f32.gguf");
        assertTrue(Files.exists(model), "missing shared model " + model.toAbsolutePath());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), GannetMain.class.getName(), "serve",
                "--model", model.toString(), "--port", "0", "--threads", "1", "--shutdown-timeout", "60s", "--api-key", "k-1")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        LinkedBlockingQueue<String> stderr = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) stderr.add(line);
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        try (HttpClient http = HttpClient.newHttpClient()) {
            int port = awaitPort(stderr, p);
            String base = "http://127.0.0.1:" + port;
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/ready")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            HttpRequest noKey = HttpRequest.newBuilder(URI.create(base + "/v1/completions")).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\",\"max_tokens\":1}")).build();
            assertEquals(401, http.send(noKey, HttpResponse.BodyHandlers.ofString()).statusCode(), "--api-key protects the API");
            List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String body = "{\"prompt\":\"stream " + i + "\",\"max_tokens\":400,\"ignore_eos\":true,\"stream\":true}";
                streams.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                        .header("content-type", "application/json").header("Authorization", "Bearer k-1").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            awaitRunning(http, base); // SIGTERM must find streams in flight
            long termAt = System.nanoTime();
            p.destroy(); // SIGTERM
            int ready = 200;
            for (int i = 0; i < 100 && ready == 200; i++) { // the signal reaches the drain within moments
                try {
                    ready = http.send(HttpRequest.newBuilder(URI.create(base + "/ready")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode();
                } catch (java.io.IOException alreadyClosed) {
                    ready = -1; // the streams finished and the server closed before we asked again
                }
                if (ready == 200) Thread.sleep(20);
            }
            for (CompletableFuture<HttpResponse<String>> s : streams) {
                HttpResponse<String> r = s.get(180, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().contains("\"finish_reason\":\"length\""), "stream was cut short:\n" + r.body());
                assertTrue(r.body().strip().endsWith("data: [DONE]"), r.body());
            }
            long doneAt = System.nanoTime();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "serve did not exit after SIGTERM");
            reader.join(10_000); // everything the process wrote has been read
            assertEquals(0, p.exitValue(), String.join("\n", stderr));
            assertTrue(ready == -1 || ready == 503, "/ready during drain answered " + ready);
            assertTrue(doneAt > termAt);
        } finally {
            p.destroyForcibly();
        }
    }

    private static final Pattern RUNNING = Pattern.compile("(?m)^gannet:num_requests_running\\{[^}]*} ([0-9.]+)");

    private static void awaitRunning(HttpClient http, String base) throws Exception {
        for (int i = 0; i < 200; i++) {
            String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = RUNNING.matcher(metrics);
            if (m.find() && Double.parseDouble(m.group(1)) >= 1) return;
            Thread.sleep(25);
        }
        throw new AssertionError("no request became running");
    }

    private static int awaitPort(LinkedBlockingQueue<String> stderr, Process p) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            String line = stderr.poll(1, TimeUnit.SECONDS);
            if (line == null) {
                if (!p.isAlive()) break;
                continue;
            }
            seen.add(line);
            Matcher m = SERVING.matcher(line);
            if (m.find()) return Integer.parseInt(m.group(1));
        }
        throw new AssertionError("serve did not start:\n" + String.join("\n", seen));
    }
}

package dev.gannet.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.model.ModelLoader;
import dev.gannet.runtime.serving.LlmService;
import dev.gannet.runtime.serving.ServingOptions;
import dev.gannet.runtime.synth.DemoModel;
import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tokenizer.Tokenizers;
import dev.gannet.server.api.BackendStats;
import dev.gannet.server.backend.EngineBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The server over the real engine: the openai npm client on stories260K, and 200 concurrent streams on the demo model. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RealModelServerTest {
    private static final String CHAT_TEMPLATE =
            "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}";

    private static Path models() {
        Path d = Path.of(System.getProperty("gannet.models.dir", "../../shared/models"));
        assertTrue(Files.isDirectory(d), "shared test models not found at " + d.toAbsolutePath());
        return d;
    }

    /** A served model: engine, backend and HTTP server on a free port. */
    private record Served(LlmService service, EngineBackend backend, GannetServer server, int port) implements AutoCloseable {
        static Served start(Path model, String name, String template, ServingOptions o) throws Exception {
            LlmService s = new LlmService(ModelLoader.load(model), Tokenizers.load(model), o);
            EngineBackend b = new EngineBackend(s, name, null);
            ServerOptions opts = ServerOptions.defaults(name).withLimits(ServerOptions.DEFAULT_MAX_BODY_BYTES, 1024,
                    Duration.ofMinutes(5), Duration.ofSeconds(5));
            if (template != null) opts = opts.withChatTemplate(template);
            GannetServer server = new GannetServer(opts, b);
            int port = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return new Served(s, b, server, port);
        }

        BackendStats settled() throws InterruptedException {
            BackendStats st = backend.stats();
            for (int i = 0; i < 300 && (st.running() > 0 || st.waiting() > 0 || st.kvCacheUsage() > 0); i++) {
                Thread.sleep(10);
                st = backend.stats();
            }
            return st;
        }

        @Override
        public void close() throws Exception {
            server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            service.close();
            service.model().close();
        }
    }

    @Test
    void officialNodeClientAgainstTheRealModel() throws Exception {
        OpenAiNodeClientTest.installOpenAi();
        Path script = OpenAiNodeClientTest.DIR.resolve("openai-real-model.mjs");
        Files.copy(Path.of("src", "test", "node", "openai-real-model.mjs"), script, StandardCopyOption.REPLACE_EXISTING);
        try (Served s = Served.start(models().resolve("stories260K.gguf"), "stories260K", CHAT_TEMPLATE, ServingOptions.defaults())) {
            ProcessBuilder pb = new ProcessBuilder("node", script.getFileName().toString())
                    .directory(OpenAiNodeClientTest.DIR.toFile()).redirectErrorStream(true);
            pb.environment().put("GANNET_BASE_URL", "http://127.0.0.1:" + s.port() + "/v1");
            OpenAiNodeClientTest.Result r = OpenAiNodeClientTest.run(pb, 120);
            assertEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().strip().endsWith("ALL OK"), r.output());
            BackendStats st = s.settled();
            assertEquals(0, st.running(), st.toString());
            assertEquals(0.0, st.kvCacheUsage(), st.toString());
        }
    }

    @Test
    void loadtestAgainstGannetOnStories260K(@TempDir Path out) throws Exception {
        try (Served s = Served.start(models().resolve("stories260K.gguf"), "stories260K", null, ServingOptions.defaults())) {
            int rc = new picocli.CommandLine(new dev.gannet.loadtest.LoadtestCommand()).execute(
                    "--url", "http://127.0.0.1:" + s.port(), "--prompt-tokens", "32", "--max-tokens", "16",
                    "--concurrency", "1,4", "--requests", "8", "--duration", "60", "--out", out.toString());
            assertEquals(0, rc);
            var results = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(out.resolve("results.json").toFile());
            assertEquals("server", results.path("tokenCounting").asText().split(" ")[0], results.path("tokenCounting").toString());
            assertEquals(2, results.path("points").size());
            for (var point : results.path("points")) {
                assertEquals(8, point.path("succeeded").asInt(), point.toString());
                assertEquals(0.0, point.path("errorRate").asDouble(), point.toString());
                assertEquals(8 * 16, point.path("outputTokens").asInt(), "ignore_eos makes every output exactly 16 tokens");
                assertTrue(point.path("itlMs").path("p50").asDouble() > 0, point.toString());
            }
            assertTrue(Files.size(out.resolve("report.html")) > 1000);
            assertEquals(0.0, s.settled().kvCacheUsage());
        }
    }

    @Test
    void twoHundredConcurrentStreamsOnTheDemoModel(@TempDir Path tmp) throws Exception {
        Path demo = DemoModel.ensure(tmp.resolve(DemoModel.fileName(GgmlType.Q8_0)), GgmlType.Q8_0);
        try (Served s = Served.start(demo, DemoModel.NAME, null, new ServingOptions(2, 64L << 20, 16, 256, 64, 0, true));
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String body = "{\"model\":\"gannet-demo\",\"prompt\":\"request " + i + " says hello\",\"max_tokens\":8,"
                        + "\"temperature\":0.7,\"seed\":" + i + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
                calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v1/completions"))
                        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> c : calls) {
                HttpResponse<String> r = c.get(240, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().contains("\"completion_tokens\":8"), r.body());
                assertTrue(r.body().strip().endsWith("data: [DONE]"), r.body());
            }
            BackendStats st = s.settled();
            assertEquals(0, st.running(), st.toString());
            assertEquals(0, st.waiting(), st.toString());
            assertEquals(0.0, st.kvCacheUsage(), "no KV block may stay in use: " + st);
        }
    }

    /** {@code gannet generate} goes through the same engine as {@code serve}: the same greedy text for the same prompt. */
    @Test
    void generateGivesTheSameGreedyTextAsServe() throws Exception {
        for (String file : new String[] {"stories260K.gguf", "tiny-llama-q8_0.gguf"}) {
            Path model = models().resolve(file);
            String prompt = "Once upon a time <s> there";
            java.io.StringWriter out = new java.io.StringWriter();
            picocli.CommandLine cl = dev.gannet.runtime.cli.GenerateCommand.commandLine();
            cl.setOut(new java.io.PrintWriter(out));
            cl.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
            assertEquals(0, cl.execute("--model", model.toString(), "--prompt", prompt, "--max-tokens", "40", "--threads", "2",
                    "--stop", "xyzzy"));
            try (Served s = Served.start(model, "m", null, ServingOptions.defaults());
                 HttpClient http = HttpClient.newHttpClient()) {
                String body = "{\"prompt\":" + ServerHarness.JSON.writeValueAsString(prompt)
                        + ",\"max_tokens\":40,\"temperature\":0,\"stop\":\"xyzzy\"}";
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v1/completions"))
                        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                String served = ServerHarness.json(r.body()).get("choices").get(0).get("text").asText();
                assertEquals(served, out.toString(), file);
                assertTrue(served.length() > 10, file + ": " + served);
            }
        }
    }

    /** Before: num_requests_waiting added running requests to waiting ones (8 running showed as 8 waiting). */
    @Test
    void waitingCountsOnlySequencesNotYetRunning() throws Exception {
        try (Served s = Served.start(models().resolve("stories260K.gguf"), "m", null,
                new ServingOptions(1, 64L << 20, 16, 64, 1, 0, true));
             HttpClient http = HttpClient.newHttpClient()) {
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String body = "{\"prompt\":\"Once upon a time " + i + "\",\"max_tokens\":120,\"ignore_eos\":true,\"stream\":true}";
                calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v1/completions"))
                        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            BackendStats seen = null;
            for (int i = 0; i < 500; i++) {
                BackendStats st = s.backend().stats();
                if (st.running() == 1 && st.waiting() == 2) {
                    seen = st;
                    break;
                }
                assertTrue(st.running() + st.waiting() <= 3, "a sequence counted twice: " + st);
                Thread.sleep(2);
            }
            assertTrue(seen != null, "never saw 1 running + 2 waiting with max_running 1");
            assertTrue(seen.waitingTokens() > 0, seen.toString());
            for (var c : calls) assertEquals(200, c.get(60, TimeUnit.SECONDS).statusCode());
            assertEquals(0, s.settled().waiting());
        }
    }

    /** Before: a 3.9 MB prompt cost 2.6 s of tokenization (and hundreds of MB) before its 400. */
    @Test
    void aHugePromptIsRefusedWithoutTokenizingItWhileOthersAreServed() throws Exception {
        try (Served s = Served.start(models().resolve("stories260K.gguf"), "m", null, ServingOptions.defaults());
             HttpClient http = HttpClient.newHttpClient()) {
            String huge = "{\"prompt\":\"" + "Once upon a time ".repeat(230_000) + "\",\"max_tokens\":4}";
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v1/completions"))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(huge)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, r.statusCode(), r.body());
            assertEquals("prompt", ServerHarness.json(r.body()).get("error").get("param").asText());
            assertTrue(r.body().contains("maximum context length is 128"), r.body());
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v1/completions"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Once\",\"max_tokens\":4}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode(), ok.body());
        }
    }

    /** Before: a request for more tokens than the KV cache holds came back cut short with finish_reason length. */
    @Test
    void aRequestTheKvCacheCanNeverHoldIsA400() throws Exception {
        // stories260K stores 1,280 bytes of KV per token: 100 kB hold 4 blocks of 16, 3 usable (block 0 is the null block)
        try (Served s = Served.start(models().resolve("stories260K.gguf"), "m", null,
                new ServingOptions(1, 100_000, 16, 64, 4, 0, true));
             HttpClient http = HttpClient.newHttpClient()) {
            assertEquals(48, s.backend().modelInfo().contextLength(), "the context is capped at what the KV cache holds");
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v1/completions"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Once upon a time\",\"max_tokens\":100}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, r.statusCode(), r.body());
            assertEquals("max_tokens", ServerHarness.json(r.body()).get("error").get("param").asText());
        }
    }
}

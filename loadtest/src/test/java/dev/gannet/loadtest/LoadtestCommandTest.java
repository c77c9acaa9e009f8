package dev.gannet.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole command against stub servers: files written, figures present, HTML self-contained. */
class LoadtestCommandTest {

    private record Outcome(int exit, String out, String err) {
    }

    private static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new LoadtestCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Outcome(exit, out.toString(), err.toString());
    }

    @Test
    void comparesTwoServersAndWritesTheReport(@TempDir Path dir) throws Exception {
        try (FakeOpenAiServer a = new FakeOpenAiServer("model-a", 20, 3, true);
             FakeOpenAiServer b = new FakeOpenAiServer("model-b", 10, 2, false)) {
            Path out = dir.resolve("run");
            Outcome o = run("--url", a.url(), "--compare", b.url(), "--api-key", "sekrit", "--concurrency", "1,2",
                    "--requests", "4", "--prompt-tokens", "uniform:8-24", "--max-tokens", "5", "--seed", "9",
                    "--slo-ttft-ms", "5000", "--slo-itl-ms", "5000", "--out", out.toString());
            assertEquals(0, o.exit(), o.err() + o.out());
            assertTrue(o.out().contains("TTFT p50") && o.out().contains("B/A"), o.out());
            assertEquals(8, b.streamed.get(), "B got the same 4 requests at both points");
            assertEquals(0, b.tokenizeCalls.get());
            assertTrue(a.tokenizeCalls.get() > 0, "prompts were fitted with A's /tokenize");

            JsonNode r = new ObjectMapper().readTree(out.resolve("results.json").toFile());
            List<String> order = new ArrayList<>();
            for (JsonNode p : r.get("points")) {
                order.add(p.get("target").asText() + p.get("load").asInt());
                assertEquals(4, p.get("succeeded").asInt());
                assertEquals(20, p.get("outputTokens").asInt());
                assertTrue(p.get("outputTokensPerS").asDouble() > 0);
                assertTrue(p.get("ttftMs").get("p99").asDouble() >= p.get("ttftMs").get("p50").asDouble());
                assertTrue(p.get("itlMs").has("p95") && p.get("tpotMs").has("p90") && p.get("e2eMs").has("p50"));
                assertEquals(1.0, p.get("goodput").get("share").asDouble());
                assertTrue(p.get("itlDistribution").get("counts").size() > 0);
            }
            assertEquals(List.of("A1", "B1", "A2", "B2"), order, "points interleave A and B");
            assertEquals(2, r.get("comparison").get("points").size());
            assertTrue(r.get("comparison").get("ratio").asText().startsWith("B/A"));
            assertTrue(r.get("machine").get("cores").asInt() >= 1);
            assertEquals("model-a", r.get("targets").get(0).get("models").get("data").get(0).get("id").asText());
            assertEquals("model-b", r.get("targets").get(1).get("model").asText());
            assertTrue(r.get("tokenCounting").asText().contains("/tokenize"));
            assertEquals(r.get("promptsFitted").asInt(), r.get("promptsExact").asInt());
            String cmd = r.get("commandLine").asText();
            assertTrue(cmd.startsWith("gannet loadtest --url " + a.url()) && cmd.contains("--concurrency 1,2"), cmd);
            assertFalse(Files.readString(out.resolve("results.json")).contains("sekrit"), "API key kept out");

            String html = Files.readString(out.resolve("report.html"));
            assertTrue(html.contains("<svg") && html.contains("ITL distribution"));
            String stripped = html.replace(a.url(), "").replace(b.url(), "");
            assertFalse(stripped.contains("http://") || stripped.contains("https://"),
                    "the report references no external resource");
            assertFalse(html.contains("<script") || html.contains("<link"), "no scripts or linked resources");
            for (String png : new String[] {"throughput.png", "ttft.png", "itl.png", "itl-hist-A-c2.png"}) {
                byte[] bytes = Files.readAllBytes(out.resolve(png));
                assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(bytes, 4), png);
            }
        }
    }

    @Test
    void openLoopChatRunFallsBackToTheWordEstimate(@TempDir Path dir) throws Exception {
        try (FakeOpenAiServer a = new FakeOpenAiServer("m", 5, 2, false)) {
            Path out = dir.resolve("open");
            Outcome o = run("--url", a.url() + "/v1", "--endpoint", "chat", "--rate", "50", "--requests", "6",
                    "--turns", "2", "--shared-prefix-tokens", "32", "--max-tokens", "3", "--warmup", "2", "--out", out.toString());
            assertEquals(0, o.exit(), o.err() + o.out());
            JsonNode r = new ObjectMapper().readTree(out.resolve("results.json").toFile());
            assertTrue(r.get("tokenCounting").asText().startsWith("estimate"));
            JsonNode p = r.get("points").get(0);
            assertEquals("rate", p.get("mode").asText());
            assertEquals(6, p.get("succeeded").asInt());
            assertTrue(p.get("goodput").isNull());
            assertEquals(8, a.streamed.get(), "2 unrecorded warm-up requests, then the 6 measured ones");
        }
    }

    @Test
    void refusesAPublicServerBeforeSendingAnything(@TempDir Path dir) {
        Outcome o = run("--url", "http://8.8.8.8:8080", "--out", dir.toString());
        assertEquals(2, o.exit());
        assertTrue(o.err().contains("--allow-remote"), o.err());
        assertFalse(Files.exists(dir.resolve("results.json")));
    }

    @Test
    void rejectsBadOptionsWithClearMessages(@TempDir Path dir) {
        Outcome both = run("--url", "http://127.0.0.1:1", "--concurrency", "2", "--rate", "1", "--out", dir.toString());
        assertEquals(2, both.exit());
        assertTrue(both.err().contains("either --concurrency"), both.err());
        Outcome badLength = run("--url", "http://127.0.0.1:1", "--prompt-tokens", "uniform:5");
        assertEquals(2, badLength.exit());
        assertTrue(badLength.err().contains("--prompt-tokens"), badLength.err());
        Outcome badEndpoint = run("--url", "http://127.0.0.1:1", "--endpoint", "embeddings");
        assertTrue(badEndpoint.err().contains("valid: completions, chat"), badEndpoint.err());
    }

    @Test
    void redactsApiKeys() {
        assertEquals(List.of("--api-key", "***", "--compare-api-key=***", "--url", "u"),
                LoadtestCommand.redacted(List.of("--api-key", "k1", "--compare-api-key=k2", "--url", "u")));
    }
}

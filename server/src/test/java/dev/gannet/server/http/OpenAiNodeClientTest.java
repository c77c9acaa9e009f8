package dev.gannet.server.http;

import dev.gannet.server.api.FakeBackend;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official {@code openai} npm client (v4) against the server: installs it once into
 * {@code target/node-openai} (npm registry) and runs {@code src/test/node/openai-client.mjs}.
 */
class OpenAiNodeClientTest {
    static final Path DIR = Path.of("target", "node-openai");

    @Test
    void officialNodeClientPassesEveryCheck() throws Exception {
        installOpenAi();
        Path script = DIR.resolve("openai-client.mjs");
        Files.copy(Path.of("src", "test", "node", "openai-client.mjs"), script, StandardCopyOption.REPLACE_EXISTING);
        try (ServerHarness h = new ServerHarness(new FakeBackend(256),
                ServerOptions.defaults("fake").withApiKeys(List.of("sk-test")))) {
            ProcessBuilder pb = new ProcessBuilder("node", script.getFileName().toString()).directory(DIR.toFile())
                    .redirectErrorStream(true);
            pb.environment().put("GANNET_BASE_URL", "http://127.0.0.1:" + h.port + "/v1");
            pb.environment().put("GANNET_API_KEY", "sk-test");
            Result r = run(pb, 60);
            assertEquals(0, r.exitCode, r.output);
            assertTrue(r.output.contains("PASS chat stream") && r.output.strip().endsWith("ALL OK"), r.output);
        }
    }

    /** Tools in, tool_calls out (streaming through the client's own stream helper), the call and its result back in. */
    @Test
    void officialNodeClientRoundTripsToolCalls() throws Exception {
        installOpenAi();
        Path script = DIR.resolve("openai-tools.mjs");
        Files.copy(Path.of("src", "test", "node", "openai-tools.mjs"), script, StandardCopyOption.REPLACE_EXISTING);
        FakeBackend backend = new FakeBackend(4096).chatTemplate(ToolCallsTest.template("Qwen-Qwen2.5-7B-Instruct.jinja"))
                .specialTokens("", "<|im_end|>")
                .script("Checking.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>");
        try (ServerHarness h = new ServerHarness(backend, ServerOptions.defaults("fake").withApiKeys(List.of("sk-test")))) {
            ProcessBuilder pb = new ProcessBuilder("node", script.getFileName().toString()).directory(DIR.toFile())
                    .redirectErrorStream(true);
            pb.environment().put("GANNET_BASE_URL", "http://127.0.0.1:" + h.port + "/v1");
            pb.environment().put("GANNET_API_KEY", "sk-test");
            Result r = run(pb, 60);
            assertEquals(0, r.exitCode, r.output);
            assertTrue(r.output.contains("PASS tools stream") && r.output.strip().endsWith("ALL OK"), r.output);
        }
    }

    static void installOpenAi() throws Exception {
        if (Files.exists(DIR.resolve("node_modules/openai/package.json"))) {
            return;
        }
        Files.createDirectories(DIR);
        Files.writeString(DIR.resolve("package.json"), "{\"name\":\"gannet-openai-check\",\"private\":true}\n");
        Result r = run(new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "openai@4")
                .directory(DIR.toFile()).redirectErrorStream(true), 240);
        assertEquals(0, r.exitCode, "npm install openai@4 failed:\n" + r.output);
    }

    record Result(int exitCode, String output) {
    }

    /** Output goes to a file so that a hung child cannot block the read; the timeout holds. */
    static Result run(ProcessBuilder pb, int timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile(DIR.toAbsolutePath(), "run", ".log");
        Process p = pb.redirectOutput(log.toFile()).start();
        boolean exited = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        return exited ? new Result(p.exitValue(), out) : new Result(-1, "timed out after " + timeoutSeconds + " s:\n" + out);
    }
}

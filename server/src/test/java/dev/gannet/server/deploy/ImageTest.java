package dev.gannet.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/image/build.sh builds the image here (no Docker daemon), and the image is what the manifests
 * assume: exec-form entrypoint, non-root user, port 8080, /models. Then it runs with podman (run.sh):
 * /ready, a completion on stories260K mounted at /models, and SIGTERM drains and exits 0.
 * Slow (about two minutes) and needs root, Debian's packages and the shared model: {@code -Pslow}.
 */
@Tag("slow")
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class ImageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static String run(Path log, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), String.join(" ", cmd) + " timed out");
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }

    @Test
    void theImageBuildsWithTheProjectsOwnFilesAndServesFromPodman(@TempDir Path tmp) throws Exception {
        run(tmp.resolve("build.log"), "deploy/image/build.sh");
        Path archive = ROOT.resolve("target/image/gannet-0.1.0.oci.tar");
        JsonNode config = imageConfig(archive, tmp.resolve("oci"));
        assertEquals("10001:10001", config.path("User").asText());
        assertEquals("/opt/java/bin/java", config.path("Entrypoint").path(0).asText(), "exec form: the JVM is PID 1");
        assertEquals("serve", config.path("Cmd").path(0).asText());
        assertTrue(config.path("ExposedPorts").has("8080/tcp"));
        assertTrue(config.path("Volumes").has("/models"));
        assertTrue(config.path("Env").toString().contains("GANNET_HOST=0.0.0.0"));

        Path models = Path.of(System.getProperty("gannet.models.dir", "../../shared/models")).toAbsolutePath();
        assertTrue(Files.exists(models.resolve("stories260K.gguf")), "missing shared model in " + models);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String name = "gannet-image-test-" + ProcessHandle.current().pid();
        run(tmp.resolve("run.log"), "deploy/image/run.sh", "-d", "--name", name, "--network", "host",
                "-v", models + ":/models:ro", "-e", "GANNET_MODEL=/models/stories260K.gguf", "-e", "GANNET_PORT=" + port);
        try (HttpClient http = HttpClient.newHttpClient()) {
            String base = "http://127.0.0.1:" + port;
            int ready = -1;
            for (int i = 0; i < 240 && ready != 200; i++) {
                try {
                    ready = http.send(HttpRequest.newBuilder(URI.create(base + "/ready")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode();
                } catch (IOException notYet) {
                    Thread.sleep(500);
                }
            }
            assertEquals(200, ready, "the container never became ready");
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"prompt\":\"Once upon a time\",\"max_tokens\":16,\"temperature\":0}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("there was a little girl named Lily"), r.body());
            List<String> podman = podman();
            run(tmp.resolve("stop.log"), concat(podman, "stop", "-t", "60", name));
            String exit = run(tmp.resolve("exit.log"), concat(podman, "inspect", name, "--format", "{{.State.ExitCode}}"));
            String logs = run(tmp.resolve("logs.log"), concat(podman, "logs", name));
            assertEquals("0", exit.strip(), logs);
            assertTrue(logs.contains("gannet serve: draining") && logs.contains("gannet serve: stopped"), logs);
        } finally {
            new ProcessBuilder(concat(podman(), "rm", "-f", name)).directory(ROOT.toFile())
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("rm.log").toFile()).start().waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** The same podman settings run.sh uses, for stop/inspect/logs. */
    private static List<String> podman() {
        Path out = ROOT.resolve("target/image");
        return List.of("env", "CONTAINERS_CONF=" + out.resolve("containers.conf"), "podman", "--root", out.resolve("storage").toString(),
                "--runroot", out.resolve("run").toString(), "--storage-driver", "vfs", "--runtime", "runc",
                "--cgroup-manager", "cgroupfs");
    }

    private static String[] concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }

    /** The image config of the archive's one manifest (OCI layout: index.json -> manifest -> config). */
    private static JsonNode imageConfig(Path archive, Path dir) throws Exception {
        Files.createDirectories(dir);
        run(dir.resolveSibling("untar.log"), "tar", "-xf", archive.toString(), "-C", dir.toString(), "index.json", "blobs");
        JsonNode index = JSON.readTree(dir.resolve("index.json").toFile());
        JsonNode manifest = JSON.readTree(blob(dir, index.path("manifests").path(0).path("digest").asText()).toFile());
        return JSON.readTree(blob(dir, manifest.path("config").path("digest").asText()).toFile()).path("config");
    }

    private static Path blob(Path dir, String digest) {
        return dir.resolve("blobs").resolve(digest.replace(':', '/'));
    }
}

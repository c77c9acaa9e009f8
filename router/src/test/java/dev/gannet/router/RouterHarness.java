package dev.gannet.router;

import dev.gannet.router.policy.Policies;
import dev.gannet.router.policy.PolicyKind;
import dev.gannet.router.proxy.ProxySettings;
import dev.gannet.router.replica.Discovery;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** Starts a {@link RouterServer} on a free port with test-sized timings, and talks to it. */
final class RouterHarness implements AutoCloseable {
    final RouterServer server;
    final String base;
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** Settings a test may change before the router starts. */
    static final class Options {
        List<URI> replicas = new ArrayList<>();
        Path file;
        URI dns;
        Discovery.Resolver resolver = InetAddress::getAllByName;
        PolicyKind policy = PolicyKind.ROUND_ROBIN;
        int maxAttempts = 3;
        Duration firstByteTimeout = Duration.ofSeconds(10);
        Duration requestTimeout = Duration.ofSeconds(30);
        Duration healthInterval = Duration.ofMillis(200);
        Duration ejectFor = Duration.ofSeconds(30);
        int ejectAfter = 2;
        List<String> apiKeys = List.of();
        String replicaApiKey;
        String sessionHeader;
        int prefixChars = 64;
        Duration shutdownTimeout = Duration.ofSeconds(10);
    }

    RouterHarness(UnaryOperator<Options> setup) throws Exception {
        Options o = setup.apply(new Options());
        RouterConfig cfg = new RouterConfig("127.0.0.1", 0, o.replicas, o.file, o.dns, Duration.ofMillis(200), o.policy,
                new Policies.Settings(1.25, 1000, Duration.ofMinutes(5)),
                new ProxySettings(o.maxAttempts, o.firstByteTimeout, o.requestTimeout, o.replicaApiKey, o.sessionHeader,
                        o.prefixChars),
                o.apiKeys, o.healthInterval, Duration.ofMillis(500), o.ejectAfter, o.ejectFor, Duration.ofSeconds(1),
                1 << 20, o.shutdownTimeout);
        server = new RouterServer(cfg, o.resolver, log::add);
        int port = server.start().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + port;
    }

    HttpResponse<String> post(String path, String json, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (headers.length > 0) b.headers(headers);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    String metrics() throws IOException, InterruptedException {
        return get("/metrics").body();
    }

    /** Waits until the router sees {@code n} available replicas (health checks run every 200 ms here). */
    void awaitAvailable(int n) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (server.replicas().available(System.nanoTime()).size() == n) return;
            Thread.sleep(50);
        }
        throw new AssertionError("expected " + n + " available replicas, have "
                + server.replicas().available(System.nanoTime()).size() + "; log: " + log);
    }

    @Override
    public void close() throws Exception {
        http.close();
        server.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
}

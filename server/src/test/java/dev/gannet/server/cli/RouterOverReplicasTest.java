package dev.gannet.server.cli;

import dev.gannet.router.RouterConfig;
import dev.gannet.router.RouterServer;
import dev.gannet.router.policy.Policies;
import dev.gannet.router.policy.PolicyKind;
import dev.gannet.router.proxy.ProxySettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code gannet router} in front of two real {@code gannet serve} processes on stories260K: a shared-prefix
 * workload hits the replicas' prefix caches more under {@code prefix} than under {@code round-robin}, and
 * killing one replica mid-run fails no request that had not started streaming.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RouterOverReplicasTest {
    private static final String[] WORDS = {"little", "girl", "dog", "park", "ball", "happy", "sun", "tree", "cat", "red",
        "big", "friend", "play", "toy", "mom", "said", "saw", "went", "home", "day", "bird", "fish", "boat", "cake"};
    private static ServeProcess a;
    private static ServeProcess b;
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void startReplicas() throws Exception {
        Path model = Path.of(System.getProperty("gannet.models.dir", "../../shared/models"), "stories260K.gguf");
        assertTrue(Files.exists(model), "missing shared model " + model.toAbsolutePath());
        a = new ServeProcess(model, "--threads", "1", "--max-running", "2");
        b = new ServeProcess(model, "--threads", "1", "--max-running", "2");
        a.awaitServing();
        b.awaitServing();
    }

    @AfterAll
    static void stopReplicas() throws Exception {
        if (a != null) a.close();
        if (b != null) b.close();
    }

    private static RouterServer router(PolicyKind policy) throws Exception {
        RouterConfig cfg = new RouterConfig("127.0.0.1", 0, List.of(URI.create(a.base()), URI.create(b.base())), null, null,
                Duration.ofSeconds(5), policy, new Policies.Settings(1.5, 10_000, Duration.ofMinutes(10)),
                new ProxySettings(3, Duration.ofSeconds(30), Duration.ofSeconds(60), null, null, 48),
                List.of(), Duration.ofMillis(250), Duration.ofMillis(500), 1, Duration.ofSeconds(30), Duration.ofSeconds(1),
                1 << 20, Duration.ofSeconds(5));
        return new RouterServer(cfg, line -> { });
    }

    /** Story openings of ~50 tokens each, distinct from the first word on, one per group. */
    private static String groupPrefix(String run, int group) {
        StringBuilder s = new StringBuilder("Story " + run + " " + group + ". Once upon a time");
        for (int w = 0; w < 28; w++) s.append(' ').append(WORDS[(group * 7 + w * 5 + run.length()) % WORDS.length]);
        return s.append(".").toString();
    }

    /**
     * Sends groups x perGroup requests, round by round (request k of every group, then k + 1), 4 at a time.
     * An odd number of groups, or round-robin would send each group to one replica by accident.
     */
    private static double prefixHitRate(String base, String run, int groups, int perGroup) throws Exception {
        double hits0 = hits(), queries0 = queries();
        Semaphore slots = new Semaphore(4);
        List<Future<HttpResponse<String>>> all = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int k = 0; k < perGroup; k++) {
                for (int g = 0; g < groups; g++) {
                    String prompt = groupPrefix(run, g) + " Then " + WORDS[(k * 3 + g) % WORDS.length] + " " + k + " said";
                    String body = "{\"prompt\":\"" + prompt + "\",\"max_tokens\":8,\"temperature\":0}";
                    slots.acquire();
                    all.add(pool.submit(() -> {
                        try {
                            return http.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                        } finally {
                            slots.release();
                        }
                    }));
                }
            }
            for (Future<HttpResponse<String>> f : all) assertEquals(200, f.get().statusCode(), f.get().body());
        }
        return (hits() - hits0) / (queries() - queries0);
    }

    private static double hits() throws Exception {
        return ServeProcess.metric(http, a.base(), "gannet:prefix_cache_hits_total")
                + ServeProcess.metric(http, b.base(), "gannet:prefix_cache_hits_total");
    }

    private static double queries() throws Exception {
        return ServeProcess.metric(http, a.base(), "gannet:prefix_cache_queries_total")
                + ServeProcess.metric(http, b.base(), "gannet:prefix_cache_queries_total");
    }

    @Test
    @Order(1)
    void prefixRoutingHitsThePrefixCacheMoreThanRoundRobin() throws Exception {
        double[] rates = new double[2];
        PolicyKind[] policies = {PolicyKind.ROUND_ROBIN, PolicyKind.PREFIX};
        for (int i = 0; i < 2; i++) {
            RouterServer r = router(policies[i]);
            try {
                int port = r.start().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
                rates[i] = prefixHitRate("http://127.0.0.1:" + port, policies[i].wireName(), 11, 4);
            } finally {
                r.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
            }
        }
        System.out.printf("prefix-cache hit rate over two replicas: round-robin %.3f, prefix %.3f%n", rates[0], rates[1]);
        assertTrue(rates[1] > rates[0] + 0.05, "prefix " + rates[1] + " vs round-robin " + rates[0]);
    }

    /** What one streamed request saw. */
    private record Outcome(int status, boolean streamed, boolean complete, String body) {}

    private static Outcome stream(String base, int i) {
        String body = "{\"prompt\":\"" + groupPrefix("kill", i % 4) + " " + i + "\",\"max_tokens\":48,\"ignore_eos\":true,"
                + "\"temperature\":0,\"stream\":true}";
        try {
            HttpResponse<java.io.InputStream> resp = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            StringBuilder all = new StringBuilder();
            boolean streamed = false;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("data: {\"id\"") && line.contains("\"text\"")) streamed = true;
                    all.append(line).append('\n');
                }
            } catch (java.io.IOException e) {
                all.append("<io error: ").append(e.getMessage()).append('>');
            }
            String text = all.toString();
            boolean complete = resp.statusCode() == 200 && text.contains("\"finish_reason\":\"length\"")
                    && !text.contains("\"error\"") && text.strip().endsWith("data: [DONE]");
            return new Outcome(resp.statusCode(), streamed, complete, text);
        } catch (Exception e) {
            return new Outcome(-1, false, false, e.toString());
        }
    }

    @Test
    @Order(2)
    void killingAReplicaMidRunFailsNoRequestThatHadNotStartedStreaming() throws Exception {
        RouterServer r = router(PolicyKind.PREFIX);
        try {
            int port = r.start().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
            String base = "http://127.0.0.1:" + port;
            AtomicInteger done = new AtomicInteger();
            List<CompletableFuture<Outcome>> outcomes = new ArrayList<>();
            Semaphore slots = new Semaphore(8);
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 40; i++) {
                    if (done.get() >= 8 && b.process.isAlive()) b.process.destroyForcibly();  // SIGKILL mid-run
                    slots.acquire();
                    int id = i;
                    outcomes.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return stream(base, id);
                        } finally {
                            done.incrementAndGet();
                            slots.release();
                        }
                    }, pool));
                }
                CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).get(180, TimeUnit.SECONDS);
            }
            assertTrue(!b.process.isAlive(), "the replica was not killed during the run");
            int failedMidStream = 0;
            for (CompletableFuture<Outcome> f : outcomes) {
                Outcome o = f.get();
                if (o.complete()) continue;
                assertTrue(o.streamed(), "a request failed before it had streamed anything: " + o);
                failedMidStream++;
            }
            String metrics = r.metrics().scrape();
            System.out.printf("kill one of two replicas mid-run: %d of 40 streams complete, %d cut mid-stream, retries: %s%n",
                    40 - failedMidStream, failedMidStream, metrics.lines().filter(l -> l.startsWith("gannet_router_retries_total"))
                            .toList());
            assertTrue(metrics.contains("gannet_router_retries_total"), "nothing was retried: the kill tested nothing\n" + metrics);
            assertTrue(failedMidStream <= 2, failedMidStream + " streams cut; the killed replica ran at most 2 at once");
        } finally {
            r.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }
}

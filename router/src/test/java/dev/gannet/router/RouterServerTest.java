package dev.gannet.router;

import com.github.tomakehurst.wiremock.http.Fault;
import dev.gannet.router.policy.PolicyKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The router in front of WireMock replicas that misbehave: slow, 503, reset, wrong content. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RouterServerTest {
    private static final String STREAM = "{\"prompt\":\"Once\",\"max_tokens\":4,\"stream\":true}";
    private static final String PLAIN = "{\"prompt\":\"Once\",\"max_tokens\":4}";

    @Test
    void streamsArriveChunkByChunkNotBufferedWhole() throws Exception {
        try (FakeReplica a = new FakeReplica("a");
             RouterHarness r = new RouterHarness(o -> { o.replicas.add(a.uri()); return o; })) {
            a.always(a.sse().withChunkedDribbleDelay(5, 2000));
            long t0 = System.nanoTime();
            HttpResponse<InputStream> resp = r.http.send(HttpRequest.newBuilder(URI.create(r.base + "/v1/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(STREAM)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, resp.statusCode());
            assertEquals(a.uri().toString(), resp.headers().firstValue("X-Gannet-Replica").orElseThrow());
            try (BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
                String first = in.readLine();
                long firstMs = (System.nanoTime() - t0) / 1_000_000;
                StringBuilder all = new StringBuilder(first).append('\n');
                for (String line; (line = in.readLine()) != null; ) all.append(line).append('\n');
                long totalMs = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(first.startsWith("data: "), first);
                assertTrue(firstMs < totalMs - 800, "first line after " + firstMs + " ms, whole stream " + totalMs + " ms");
                assertEquals(FakeReplica.SSE, all.toString());
            }
        }
    }

    @Test
    void a503ReplicaIsPassedOverAndGetsNothingNew() throws Exception {
        try (FakeReplica a = new FakeReplica("a"); FakeReplica b = new FakeReplica("b");
             RouterHarness r = new RouterHarness(o -> { o.replicas.addAll(List.of(a.uri(), b.uri()));
                 o.healthInterval = java.time.Duration.ofSeconds(30); return o; })) {
            a.always(aResponse().withStatus(503).withHeader("Content-Type", "application/json")
                    .withBody("{\"error\":{\"message\":\"the server is draining\",\"code\":\"draining\"}}"));
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> resp = r.post("/v1/completions", PLAIN);
                assertEquals(200, resp.statusCode(), resp.body());
                assertEquals(b.uri().toString(), resp.headers().firstValue("X-Gannet-Replica").orElseThrow());
            }
            assertTrue(a.completions() <= 1, "a draining replica got " + a.completions() + " requests");
            assertTrue(r.metrics().contains("gannet_router_retries_total{reason=\"503\"}"), r.metrics());
        }
    }

    @Test
    void resetsAndBrokenAnswersBeforeTheFirstByteAreRetried() throws Exception {
        for (Fault fault : new Fault[] {Fault.CONNECTION_RESET_BY_PEER, Fault.MALFORMED_RESPONSE_CHUNK, Fault.EMPTY_RESPONSE}) {
            try (FakeReplica a = new FakeReplica("a"); FakeReplica b = new FakeReplica("b");
                 RouterHarness r = new RouterHarness(o -> { o.replicas.addAll(List.of(a.uri(), b.uri())); return o; })) {
                a.always(FakeReplica.fault(fault));
                for (int i = 0; i < 4; i++) {
                    HttpResponse<String> resp = r.post("/v1/completions", i % 2 == 0 ? STREAM : PLAIN);
                    assertEquals(200, resp.statusCode(), fault + ": " + resp.body());
                    assertEquals(b.uri().toString(), resp.headers().firstValue("X-Gannet-Replica").orElseThrow(), fault.name());
                }
                assertTrue(r.metrics().contains("gannet_router_retries_total"), fault + ": " + r.metrics());
            }
        }
    }

    @Test
    void wrongContentIsAFailureRetriedElsewhereAndEjectsTheReplica() throws Exception {
        try (FakeReplica a = new FakeReplica("a"); FakeReplica b = new FakeReplica("b");
             RouterHarness r = new RouterHarness(o -> { o.replicas.addAll(List.of(a.uri(), b.uri())); return o; })) {
            a.always(aResponse().withHeader("Content-Type", "text/html").withBody("<html>proxy error page</html>"));
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> resp = r.post("/v1/completions", PLAIN);
                assertEquals(200, resp.statusCode(), resp.body());
                assertEquals(FakeReplica.JSON, resp.body());
            }
            assertEquals(2, a.completions(), "ejected after two failures (eject-after 2), so no third request");
            String m = r.metrics();
            assertTrue(m.contains("gannet_router_ejections_total{replica=\"" + a.uri() + "\"} 1.0"), m);
            assertTrue(m.contains("outcome=\"wrong_content\""), m);
        }
    }

    @Test
    void aSlowFirstByteIsRetriedOnAnotherReplica() throws Exception {
        try (FakeReplica a = new FakeReplica("a"); FakeReplica b = new FakeReplica("b");
             RouterHarness r = new RouterHarness(o -> { o.replicas.addAll(List.of(a.uri(), b.uri()));
                 o.firstByteTimeout = java.time.Duration.ofMillis(300); return o; })) {
            a.always(a.sse().withFixedDelay(5000));
            for (int i = 0; i < 2; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> resp = r.post("/v1/completions", STREAM);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(200, resp.statusCode());
                assertEquals(FakeReplica.SSE, resp.body());
                assertTrue(ms < 3000, "took " + ms + " ms");
            }
            assertTrue(r.metrics().contains("gannet_router_retries_total{reason=\"first_byte_timeout\"}"), r.metrics());
        }
    }

    @Test
    void leastLoadSendsAroundAReplicaBusyWithASlowRequest() throws Exception {
        try (FakeReplica a = new FakeReplica("a"); FakeReplica b = new FakeReplica("b");
             RouterHarness r = new RouterHarness(o -> { o.replicas.addAll(List.of(a.uri(), b.uri()));
                 o.policy = PolicyKind.LEAST_LOAD; return o; })) {
            for (FakeReplica x : List.of(a, b)) {
                x.when("slow", aResponse().withHeader("Content-Type", "application/json").withBody(FakeReplica.JSON)
                        .withFixedDelay(1500));
            }
            var first = r.http.sendAsync(HttpRequest.newBuilder(URI.create(r.base + "/v1/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"slow\",\"max_tokens\":4}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            while (r.server.replicas().all().stream().mapToInt(x -> x.outstanding()).sum() == 0) Thread.sleep(5);
            String busy = r.server.replicas().all().stream().filter(x -> x.outstanding() == 1).findFirst().orElseThrow().id();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> resp = r.post("/v1/completions", PLAIN);
                assertTrue(!busy.equals(resp.headers().firstValue("X-Gannet-Replica").orElseThrow()),
                        "request " + i + " went to the busy replica");
            }
            assertEquals(200, first.get(10, TimeUnit.SECONDS).statusCode());
        }
    }

    @Test
    void aResetMidStreamEndsTheClientsStreamWithAnErrorAndIsNotRetried() throws Exception {
        try (StreamingStub a = new StreamingStub(2, 50, true); FakeReplica b = new FakeReplica("b");
             RouterHarness r = new RouterHarness(o -> { o.replicas.add(a.uri()); return o; })) {
            r.server.replicas().update("late", List.of(b.uri()));  // b joins after a: a is first
            r.awaitAvailable(2);
            HttpResponse<String> resp = null;
            for (int i = 0; i < 4 && (resp == null || !resp.body().contains("t0")); i++) {
                resp = r.post("/v1/completions", STREAM);  // round-robin: one of two lands on a
            }
            assertEquals(200, resp.statusCode());
            assertTrue(resp.body().startsWith("data: {\"choices\":[{\"index\":0,\"text\":\"t0\"}]}\n\n"), resp.body());
            assertTrue(resp.body().contains("\"code\":\"upstream_failed\""), resp.body());
            assertTrue(resp.body().endsWith("data: [DONE]\n\n"), resp.body());
            assertTrue(r.metrics().contains("outcome=\"reset_mid_stream\""), r.metrics());
            assertTrue(!r.metrics().contains("gannet_router_retries_total{"), "a started stream must not be retried");
        }
    }

    @Test
    void aClientThatLeavesCancelsTheUpstreamRequest() throws Exception {
        try (StreamingStub a = new StreamingStub(Integer.MAX_VALUE, 20, false);
             RouterHarness r = new RouterHarness(o -> { o.replicas.add(a.uri()); return o; })) {
            URI u = URI.create(r.base);
            try (Socket s = new Socket(u.getHost(), u.getPort())) {
                OutputStream out = s.getOutputStream();
                out.write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                        + STREAM.length() + "\r\n\r\n" + STREAM).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                byte[] buf = new byte[256];
                assertTrue(s.getInputStream().read(buf) > 0);
            }
            assertTrue(a.peerLeft.await(5, TimeUnit.SECONDS), "the replica's stream was not cancelled");
            for (int i = 0; i < 100 && r.server.replicas().all().getFirst().outstanding() > 0; i++) Thread.sleep(20);
            assertEquals(0, r.server.replicas().all().getFirst().outstanding());
            assertTrue(r.metrics().contains("outcome=\"cancelled\""), r.metrics());
        }
    }

    @Test
    void noReadyReplicaMeans503InOpenAiFormat() throws Exception {
        try (FakeReplica a = new FakeReplica("a");
             RouterHarness r = new RouterHarness(o -> { o.replicas.add(a.uri()); return o; })) {
            a.ready(503);
            r.awaitAvailable(0);
            assertEquals(503, r.get("/ready").statusCode());
            HttpResponse<String> resp = r.post("/v1/completions", PLAIN);
            assertEquals(503, resp.statusCode());
            assertTrue(resp.body().contains("\"code\":\"no_replica\""), resp.body());
            assertEquals(0, a.completions());
            a.ready(200);
            r.awaitAvailable(1);
            assertEquals(200, r.post("/v1/completions", PLAIN).statusCode());
        }
    }

    @Test
    void failuresEjectAReplicaUntilAHalfOpenTrialSucceeds() throws Exception {
        try (FakeReplica a = new FakeReplica("a"); FakeReplica b = new FakeReplica("b");
             RouterHarness r = new RouterHarness(o -> { o.replicas.addAll(List.of(a.uri(), b.uri()));
                 o.ejectFor = java.time.Duration.ofMillis(700); return o; })) {
            a.always(aResponse().withStatus(500).withBody("{\"error\":{\"message\":\"boom\"}}"));
            for (int i = 0; i < 6; i++) assertEquals(200, r.post("/v1/completions", PLAIN).statusCode());
            assertEquals(2, a.completions());
            a.healthy();
            Thread.sleep(800);
            int seen = 0;
            for (int i = 0; i < 6; i++) {
                if (r.post("/v1/completions", PLAIN).headers().firstValue("X-Gannet-Replica").orElseThrow()
                        .equals(a.uri().toString())) seen++;
            }
            assertTrue(seen >= 2, "a recovered replica should take requests again, took " + seen);
        }
    }

    @Test
    void apiKeysGuardTheRouterAndTheReplicaKeyIsSentOn() throws Exception {
        try (FakeReplica a = new FakeReplica("a");
             RouterHarness r = new RouterHarness(o -> { o.replicas.add(a.uri()); o.apiKeys = List.of("client-key");
                 o.replicaApiKey = "replica-key"; return o; })) {
            HttpResponse<String> denied = r.post("/v1/completions", PLAIN);
            assertEquals(401, denied.statusCode());
            assertTrue(denied.body().contains("invalid_api_key"), denied.body());
            assertEquals(401, r.post("/v1/completions", PLAIN, "Authorization", "Bearer wrong").statusCode());
            assertEquals(200, r.post("/v1/completions", PLAIN, "Authorization", "Bearer client-key").statusCode());
            a.wm.verify(1, postRequestedFor(urlEqualTo("/v1/completions")).withHeader("Authorization", equalTo("Bearer replica-key")));
            assertEquals(200, r.get("/health").statusCode());
        }
    }

    @Test
    void drainFinishesStreamsInFlightAndRefusesNewOnes() throws Exception {
        try (FakeReplica a = new FakeReplica("a");
             RouterHarness r = new RouterHarness(o -> { o.replicas.add(a.uri()); return o; })) {
            a.always(a.sse().withChunkedDribbleDelay(5, 1500));
            var inFlight = r.http.sendAsync(HttpRequest.newBuilder(URI.create(r.base + "/v1/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(STREAM)).build(),
                    HttpResponse.BodyHandlers.ofString());
            while (r.server.forwarder().inflight() == 0) Thread.sleep(5);
            var drained = r.server.drain();
            assertEquals(503, r.get("/ready").statusCode());
            HttpResponse<String> refused = r.post("/v1/completions", PLAIN);
            assertEquals(503, refused.statusCode());
            assertTrue(refused.body().contains("draining"), refused.body());
            HttpResponse<String> done = inFlight.get(10, TimeUnit.SECONDS);
            assertEquals(200, done.statusCode());
            assertEquals(FakeReplica.SSE, done.body());
            drained.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void badBodiesAndUnknownPathsAreOpenAiErrors() throws Exception {
        try (FakeReplica a = new FakeReplica("a");
             RouterHarness r = new RouterHarness(o -> { o.replicas.add(a.uri()); return o; })) {
            HttpResponse<String> bad = r.post("/v1/completions", "not json");
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().startsWith("{\"error\":{"), bad.body());
            HttpResponse<String> missing = r.get("/v2/nothing");
            assertEquals(404, missing.statusCode());
            assertTrue(missing.body().contains("not_found"), missing.body());
            HttpResponse<String> big = r.post("/v1/completions", "{\"prompt\":\"" + "x".repeat(2 << 20) + "\"}");
            assertEquals(413, big.statusCode());
            assertEquals(0, a.completions());
        }
    }

    @Test
    void metricsNameRequestsRetriesEjectionsAndUpstreamLatency() throws Exception {
        try (FakeReplica a = new FakeReplica("a"); FakeReplica b = new FakeReplica("b");
             RouterHarness r = new RouterHarness(o -> { o.replicas.addAll(List.of(a.uri(), b.uri())); return o; })) {
            a.always(FakeReplica.fault(Fault.CONNECTION_RESET_BY_PEER));
            for (int i = 0; i < 4; i++) r.post("/v1/completions", STREAM);
            String m = r.metrics();
            for (String s : new String[] {"gannet_router_requests_total{route=\"completions\",status=\"200\"} 4.0",
                "gannet_router_retries_total{reason=\"reset\"} 2.0",
                "gannet_router_ejections_total{replica=\"" + a.uri() + "\"} 1.0",
                "gannet_router_upstream_latency_seconds_bucket{replica=\"" + b.uri() + "\"",
                "gannet_router_upstream_requests_total{outcome=\"200\",replica=\"" + b.uri() + "\"} 4.0",
                "gannet_router_replica_available{replica=\"" + a.uri() + "\"} 0.0",
                "gannet_router_replica_outstanding_requests{replica=\"" + b.uri() + "\"} 0.0"}) {
                assertTrue(m.contains(s), s + " missing from\n" + m);
            }
        }
    }
}

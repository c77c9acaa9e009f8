package dev.gannet.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.LongAdder;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Each kind of server trouble is counted under its own name, and the run goes on. */
class ErrorKindsTest {

    private static final String OK_STREAM = """
            data: {"choices":[{"index":0,"text":"a"}]}

            data: {"choices":[{"index":0,"text":"b"}]}

            data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}

            data: [DONE]

            """;

    private static WireMockServer wm;
    private static HttpClient http;
    private static ScheduledExecutorService watchdog;
    private static StreamingClient client;

    @BeforeAll
    static void start() {
        wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        wm.start();
        stub("case-ok", aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream").withBody(OK_STREAM));
        stub("case-slow", aResponse().withStatus(200).withFixedDelay(4000).withBody(OK_STREAM));
        stub("case-broken-chunk", aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK));
        stub("case-reset", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
        stub("case-truncated", aResponse().withStatus(200).withBody("data: {\"choices\":[{\"text\":\"a\"}]}\n\n"));
        stub("case-429", aResponse().withStatus(429).withHeader("Retry-After", "2")
                .withBody("{\"error\":{\"message\":\"slow down\"}}"));
        stub("case-500", aResponse().withStatus(500).withBody("boom"));
        stub("case-not-sse", aResponse().withStatus(200)
                .withBody("data: {\"choices\":[{\"text\":\"a\"}]}\n\nthis line is not SSE\n\ndata: [DONE]\n\n"));
        stub("case-bad-json", aResponse().withStatus(200).withBody("data: {\"choices\":[{\"text\":\n\ndata: [DONE]\n\n"));
        stub("case-stream-error", aResponse().withStatus(200)
                .withBody("data: {\"error\":{\"message\":\"engine died\"}}\n\ndata: [DONE]\n\n"));
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        watchdog = Executors.newSingleThreadScheduledExecutor();
        ServerApi api = new ServerApi(http, new ObjectMapper(), wm.baseUrl(), "k", Duration.ofSeconds(1));
        // A cold WireMock answers its first requests slowly; warm it with a patient client first.
        StreamingClient patient = new StreamingClient(http, api, Endpoint.COMPLETIONS, "m", true,
                Duration.ofSeconds(20), watchdog, new LongAdder());
        for (int i = 0; i < 3; i++) {
            patient.execute(new PlannedRequest(0, 0, "case-ok", null, 1, 2), System.nanoTime());
        }
        client = new StreamingClient(http, api, Endpoint.COMPLETIONS, "m", true, Duration.ofSeconds(2), watchdog,
                new LongAdder());
    }

    private static void stub(String marker, com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder r) {
        wm.stubFor(post(urlEqualTo("/v1/completions")).withRequestBody(containing(marker)).willReturn(r));
    }

    @AfterAll
    static void stop() {
        http.close();
        watchdog.shutdownNow();
        wm.stop();
    }

    private static RequestResult one(String marker) {
        return client.execute(new PlannedRequest(0, 0, marker, null, 1, 2), System.nanoTime());
    }

    @Test
    void eachFailureHasItsKind() {
        RequestResult ok = one("case-ok");
        assertNull(ok.error());
        assertEquals(2, ok.outputTokens());
        assertEquals(ErrorKinds.TIMEOUT, one("case-slow").error(), "slow first byte");
        assertEquals(ErrorKinds.DISCONNECT, one("case-broken-chunk").error(), "connection broken mid-body");
        assertEquals(ErrorKinds.DISCONNECT, one("case-reset").error(), "connection reset");
        assertEquals(ErrorKinds.DISCONNECT, one("case-truncated").error(), "stream ended without [DONE]");
        RequestResult limited = one("case-429");
        assertEquals("http_429", limited.error());
        assertEquals(2000, limited.retryAfterMs());
        assertEquals("http_500", one("case-500").error());
        assertEquals(ErrorKinds.MALFORMED_SSE, one("case-not-sse").error(), "a line that is not SSE");
        assertEquals(ErrorKinds.MALFORMED_SSE, one("case-bad-json").error(), "a data line that is not JSON");
        assertEquals(ErrorKinds.STREAM_ERROR, one("case-stream-error").error());
    }

    @Test
    void errorsNeverStopTheRun() {
        String[] markers = {"case-ok", "case-slow", "case-429", "case-ok", "case-broken-chunk", "case-500",
                "case-not-sse", "case-ok", "case-truncated", "case-429", "case-ok"};
        List<PlannedRequest> reqs = new ArrayList<>();
        for (int i = 0; i < markers.length; i++) {
            reqs.add(new PlannedRequest(i, 0, markers[i], null, 1, 2));
        }
        ProgressLine quiet = new ProgressLine(new PrintWriter(new StringWriter()), false);
        LoadRunner.PointRun run = new LoadRunner(client::execute, quiet).closedLoop(reqs, 2, Duration.ofSeconds(30));
        PointSummary s = PointStats.summarize("A", "concurrency", 2, run, new PointStats.Slo(null, null));
        assertEquals(markers.length, s.requests());
        assertEquals(4, s.succeeded());
        assertEquals(Map.of("timeout", 1, "http_429", 2, "disconnect", 2, "http_500", 1, "malformed_sse", 1),
                s.errors());
        assertEquals(7.0 / 11, s.errorRate(), 1e-9);
        assertEquals(2, s.retryAfterSeen());
        assertEquals(8, s.outputTokens());
    }
}

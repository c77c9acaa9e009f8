package dev.gannet.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Measured TTFT and ITL match what a stub server programmed, within tolerances for a noisy machine. */
class StreamTimingTest {

    private static final long FIRST_MS = 200;
    private static final long GAP_MS = 50;

    private static FakeOpenAiServer server;
    private static HttpClient http;
    private static ScheduledExecutorService watchdog;

    @BeforeAll
    static void start() throws Exception {
        server = new FakeOpenAiServer("stub", FIRST_MS, GAP_MS, true);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        watchdog = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stop() {
        server.close();
        http.close();
        watchdog.shutdownNow();
    }

    private StreamingClient client(Endpoint endpoint) {
        ServerApi api = new ServerApi(http, new ObjectMapper(), server.url(), null, Duration.ofSeconds(10));
        return new StreamingClient(http, api, endpoint, "stub", true, Duration.ofSeconds(10), watchdog,
                new LongAdder());
    }

    @Test
    void completionsStreamTimesMatchTheProgrammedDelays() {
        StreamingClient c = client(Endpoint.COMPLETIONS);
        PlannedRequest r = new PlannedRequest(0, 0, "hello there world", null, 4, 8);
        c.execute(r, System.nanoTime()); // first call pays for connection set-up and class loading
        RequestResult res = c.execute(r, System.nanoTime());
        assertNull(res.error());
        assertTimes(res, 8);
        assertEquals(4, res.promptTokens(), "prompt tokens come from the server's usage");
    }

    @Test
    void chatRoleChunkIsNotAToken() {
        StreamingClient c = client(Endpoint.CHAT);
        PlannedRequest r = new PlannedRequest(0, 0, null, List.of(ChatMessage.user("hi")), 2, 6);
        c.execute(r, System.nanoTime());
        RequestResult res = c.execute(r, System.nanoTime());
        assertNull(res.error());
        assertTimes(res, 6);
    }

    @Test
    void aStreamThatOutlivesTheTimeoutIsATimeout() throws Exception {
        try (FakeOpenAiServer slow = new FakeOpenAiServer("stub", 20, 150, false)) {
            ServerApi api = new ServerApi(http, new ObjectMapper(), slow.url(), null, Duration.ofSeconds(10));
            StreamingClient c = new StreamingClient(http, api, Endpoint.COMPLETIONS, "stub", true,
                    Duration.ofMillis(400), watchdog, new LongAdder());
            RequestResult res = c.execute(new PlannedRequest(0, 0, "hi", null, 2, 20), System.nanoTime());
            assertEquals(ErrorKinds.TIMEOUT, res.error());
            assertTrue(res.tokenNanos().length >= 1 && res.tokenNanos().length < 20, "cut off mid-stream");
            assertTrue(res.e2eNanos() / 1e6 < 1500, "the watchdog ends the request near its timeout");
        }
    }

    private static void assertTimes(RequestResult res, int tokens) {
        assertEquals(tokens, res.outputTokens());
        assertTrue(res.usageReported());
        assertEquals(tokens, res.tokenNanos().length, "one timestamp per content chunk");
        double ttftMs = res.ttftNanos() / 1e6;
        assertTrue(ttftMs >= FIRST_MS - 5 && ttftMs < FIRST_MS + 800, "TTFT " + ttftMs + " ms, programmed " + FIRST_MS);
        long[] gaps = new long[tokens - 1];
        for (int i = 1; i < tokens; i++) {
            gaps[i - 1] = res.tokenNanos()[i] - res.tokenNanos()[i - 1];
        }
        Arrays.sort(gaps);
        double medianMs = gaps[gaps.length / 2] / 1e6;
        assertTrue(medianMs >= GAP_MS - 10 && medianMs < GAP_MS * 3, "median ITL " + medianMs + " ms, programmed " + GAP_MS);
        double e2eMs = res.e2eNanos() / 1e6;
        double programmed = FIRST_MS + (tokens - 1) * GAP_MS;
        assertTrue(e2eMs >= programmed - 10 && e2eMs < programmed + 1500, "E2E " + e2eMs + " ms, programmed " + programmed);
        double tpotMs = res.tpotNanos() / 1e6;
        assertTrue(tpotMs >= GAP_MS - 10 && tpotMs < GAP_MS * 3, "TPOT " + tpotMs + " ms");
    }
}

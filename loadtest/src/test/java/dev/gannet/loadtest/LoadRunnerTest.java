package dev.gannet.loadtest;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The arrival loops, with a fake request executor (no network). */
class LoadRunnerTest {

    private static final ProgressLine QUIET = new ProgressLine(new PrintWriter(new StringWriter()), false);

    private static List<PlannedRequest> requests(int conversations, int turns) {
        List<PlannedRequest> out = new ArrayList<>();
        for (int c = 0; c < conversations; c++) {
            for (int t = 0; t < turns; t++) {
                out.add(new PlannedRequest(c, t, "p", null, 1, 1));
            }
        }
        return out;
    }

    /** Sleeps {@code ms} and tracks in-flight requests and per-conversation end times. */
    private static final class SlowExecutor implements LoadRunner.RequestExecutor {
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final Map<String, long[]> spans = new ConcurrentHashMap<>();
        final long ms;

        SlowExecutor(long ms) {
            this.ms = ms;
        }

        @Override
        public RequestResult execute(PlannedRequest r, long origin) {
            long t0 = System.nanoTime();
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            long t1 = System.nanoTime();
            spans.put(r.conversation() + "/" + r.turn(), new long[] {t0, t1});
            return new RequestResult(r.conversation(), r.turn(), t0 - origin, t1 - origin,
                    new long[] {t1 - t0}, 1, false, 1, null, -1);
        }
    }

    @Test
    void closedLoopKeepsTheConcurrencyAndRunsTurnsInOrder() {
        SlowExecutor ex = new SlowExecutor(20);
        LoadRunner.PointRun run = new LoadRunner(ex, QUIET).closedLoop(requests(8, 3), 4, Duration.ofSeconds(30));
        assertEquals(24, run.results().size());
        assertEquals(4, ex.maxInFlight.get());
        for (int c = 0; c < 8; c++) {
            for (int t = 1; t < 3; t++) {
                assertTrue(ex.spans.get(c + "/" + t)[0] >= ex.spans.get(c + "/" + (t - 1))[1], "turn order");
            }
        }
    }

    @Test
    void closedLoopStopsSendingAtTheDuration() {
        SlowExecutor ex = new SlowExecutor(50);
        LoadRunner.PointRun run = new LoadRunner(ex, QUIET).closedLoop(requests(100, 1), 1, Duration.ofMillis(260));
        assertTrue(run.results().size() >= 2 && run.results().size() <= 7, "sent " + run.results().size());
    }

    @Test
    void openLoopSendsAtTheRequestedRateAndWaitsForEarlierTurns() {
        SlowExecutor ex = new SlowExecutor(30);
        double rate = 200;
        LoadRunner.PointRun run = new LoadRunner(ex, QUIET)
                .openLoop(requests(30, 2), new PoissonArrivals(rate, 3), Duration.ofSeconds(30));
        assertEquals(60, run.results().size());
        // Turn 1 of each conversation was dispatched after every turn 0 but had to wait for its own turn 0.
        for (int c = 0; c < 30; c++) {
            assertTrue(ex.spans.get(c + "/1")[0] >= ex.spans.get(c + "/0")[1], "conversation " + c);
        }
        assertTrue(ex.maxInFlight.get() > 1, "open loop does not wait for answers");
    }

    @Test
    void openLoopStopsAtTheDuration() {
        SlowExecutor ex = new SlowExecutor(1);
        LoadRunner.PointRun run = new LoadRunner(ex, QUIET)
                .openLoop(requests(1000, 1), new PoissonArrivals(100, 5), Duration.ofMillis(300));
        int n = run.results().size();
        assertTrue(n >= 10 && n <= 60, "expected about 30 arrivals in 0.3 s at 100/s, got " + n);
    }
}

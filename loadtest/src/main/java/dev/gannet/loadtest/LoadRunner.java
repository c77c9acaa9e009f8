package dev.gannet.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives one sweep point: closed loop (N workers, each sends its next request when the last ended)
 * or open loop (Poisson arrivals, independent of how fast the server answers). One virtual thread
 * per in-flight request. Both stop sending at {@code maxDuration}; requests in flight then finish
 * (each is bounded by its own timeout).
 */
public final class LoadRunner {

    /** Runs one request; the production one is {@link StreamingClient#execute}. */
    @FunctionalInterface
    public interface RequestExecutor {
        RequestResult execute(PlannedRequest request, long originNanos);
    }

    /** The requests of one point and its wall time (first send to last completion). */
    public record PointRun(List<RequestResult> results, long wallNanos) {
        public PointRun {
            results = List.copyOf(results);
        }
    }

    private final RequestExecutor executor;
    private final ProgressLine progress;

    public LoadRunner(RequestExecutor executor, ProgressLine progress) {
        this.executor = executor;
        this.progress = progress;
    }

    /** {@code concurrency} workers; each takes a whole conversation and runs its turns in order. */
    public PointRun closedLoop(List<PlannedRequest> requests, int concurrency, Duration maxDuration) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1, got " + concurrency);
        }
        List<List<PlannedRequest>> conversations = byConversation(requests);
        AtomicInteger next = new AtomicInteger();
        ConcurrentLinkedQueue<RequestResult> results = new ConcurrentLinkedQueue<>();
        long origin = System.nanoTime();
        long deadline = origin + maxDuration.toNanos();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < concurrency; w++) {
                pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < conversations.size()) {
                        for (PlannedRequest r : conversations.get(i)) {
                            if (System.nanoTime() >= deadline) {
                                return;
                            }
                            finish(executor.execute(r, origin), results);
                        }
                    }
                });
            }
        }
        return new PointRun(sorted(results), System.nanoTime() - origin);
    }

    /**
     * Sends at Poisson arrival times. Turn k of a conversation is dispatched in arrival order but
     * waits for turn k-1 to end, as a chat user would; first turns of all conversations come first.
     */
    public PointRun openLoop(List<PlannedRequest> requests, PoissonArrivals arrivals, Duration maxDuration) {
        List<PlannedRequest> order = new ArrayList<>(requests);
        order.sort(Comparator.comparingInt(PlannedRequest::turn).thenComparingInt(PlannedRequest::conversation));
        ConcurrentLinkedQueue<RequestResult> results = new ConcurrentLinkedQueue<>();
        Map<Integer, CompletableFuture<Void>> lastTurn = new HashMap<>();
        long origin = System.nanoTime();
        long deadline = origin + maxDuration.toNanos();
        long due = origin;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < order.size(); i++) {
                if (i > 0) {
                    due += arrivals.nextGapNanos();
                }
                if (due >= deadline) {
                    break;
                }
                sleepUntil(due);
                PlannedRequest r = order.get(i);
                CompletableFuture<Void> previous = lastTurn.get(r.conversation());
                CompletableFuture<Void> mine = new CompletableFuture<>();
                lastTurn.put(r.conversation(), mine);
                pool.submit(() -> {
                    try {
                        if (previous != null) {
                            previous.join();
                        }
                        finish(executor.execute(r, origin), results);
                    } finally {
                        mine.complete(null);
                    }
                });
            }
        }
        return new PointRun(sorted(results), System.nanoTime() - origin);
    }

    private void finish(RequestResult r, ConcurrentLinkedQueue<RequestResult> results) {
        results.add(r);
        progress.record(r);
    }

    private static void sleepUntil(long dueNanos) {
        long left;
        while ((left = dueNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    /** Groups consecutive requests of the same conversation (the builder emits them together). */
    static List<List<PlannedRequest>> byConversation(List<PlannedRequest> requests) {
        List<List<PlannedRequest>> out = new ArrayList<>();
        int current = -1;
        for (PlannedRequest r : requests) {
            if (out.isEmpty() || r.conversation() != current) {
                out.add(new ArrayList<>());
                current = r.conversation();
            }
            out.getLast().add(r);
        }
        return out;
    }

    private static List<RequestResult> sorted(ConcurrentLinkedQueue<RequestResult> results) {
        List<RequestResult> list = new ArrayList<>(results);
        list.sort(Comparator.comparingLong(RequestResult::startNanos));
        return list;
    }
}

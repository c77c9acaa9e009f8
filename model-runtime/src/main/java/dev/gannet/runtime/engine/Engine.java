package dev.gannet.runtime.engine;

import dev.gannet.kv.KvCacheManager;
import dev.gannet.kv.KvCacheStats;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.concurrent.locks.LockSupport;

/**
 * The in-process inference engine: one platform thread loops {@code step()} = drain submissions
 * and aborts -> schedule -> run -> postprocess, and parks when there is nothing to do.
 *
 * <p>Threading: {@link #submit}, {@link #abort}, {@link #stats} and {@link #close} are safe from
 * any thread and never block on the engine (close waits for the thread to exit). Scheduler,
 * sequences and KV bookkeeping belong to the engine thread alone. Listeners run on the engine
 * thread and must not block. Before {@link #start()} a test may drive the engine by calling
 * {@link #step()} itself, from one thread.
 */
public final class Engine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Engine.class.getName());

    private record Submission(long id, Request request, RequestListener listener, long arrivalNanos) {
    }

    private final EngineConfig config;
    private final ModelRunner runner;
    private final Detokenizer.Factory detokenizers;
    private final LongSupplier stepClock;
    private final Scheduler scheduler;
    private final ConcurrentLinkedQueue<Submission> submissions = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Long> aborts = new ConcurrentLinkedQueue<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong drained = new AtomicLong();  // submissions the engine thread has taken in
    private final AtomicLong queuedTokens = new AtomicLong(); // cost of the submissions not taken in yet
    private volatile EngineStats stats;
    private volatile boolean closing;
    private volatile Thread thread;
    private long steps;
    private long lastStepNanos;
    private int lastStepTokens;

    /** An engine whose events carry token ids and no text (no detokenizer, no stop strings). */
    public Engine(EngineConfig config, ModelRunner runner) {
        this(config, runner, Detokenizer.NONE);
    }

    /** @param detokenizers makes each request's {@link Detokenizer} (its text and stop strings) on arrival */
    public Engine(EngineConfig config, ModelRunner runner, Detokenizer.Factory detokenizers) {
        this(config, runner, detokenizers, System::nanoTime);
    }

    /** @param stepClock times each step for the step-cost model (tests substitute a simulated clock) */
    Engine(EngineConfig config, ModelRunner runner, Detokenizer.Factory detokenizers, LongSupplier stepClock) {
        if (config == null || runner == null || detokenizers == null || stepClock == null) {
            throw new IllegalArgumentException("Engine needs a config, a runner and a detokenizer factory");
        }
        this.config = config;
        this.runner = runner;
        this.detokenizers = detokenizers;
        this.stepClock = stepClock;
        this.scheduler = new Scheduler(config,
                new KvCacheManager(config.numBlocks(), config.blockSize(), config.enablePrefixCaching()), runner);
        publishStats();
    }

    public EngineConfig config() {
        return config;
    }

    /** Starts the engine thread (a platform thread: steps are CPU/accelerator bound). */
    public synchronized void start() {
        if (thread != null || closing) {
            throw new IllegalStateException(closing ? "engine is closed" : "engine already started");
        }
        Thread t = Thread.ofPlatform().name("gannet-engine").daemon(true).unstarted(this::loop);
        thread = t;
        t.start();
    }

    /**
     * Queues a request; events go to {@code listener} on the engine thread. Rejects, on the
     * caller's thread, a prompt that can never fit: prompt + 1 generated token must fit both
     * {@code maxModelLen} and the whole KV pool.
     *
     * @throws IllegalArgumentException the prompt is too long (message names both limits)
     * @throws IllegalStateException    the engine is closed
     */
    public RequestHandle submit(Request request, RequestListener listener) {
        if (request == null || listener == null) {
            throw new IllegalArgumentException("submit needs a request and a listener");
        }
        int limit = config.maxContextTokens();
        if (request.promptLength() + 1 > limit) {
            throw new IllegalArgumentException("prompt of " + request.promptLength() + " tokens cannot fit: prompt + 1 "
                    + "generated token must be <= " + limit + " (maxModelLen " + config.maxModelLen() + ", KV pool "
                    + (config.numBlocks() - 1) + " blocks x " + config.blockSize() + " tokens)");
        }
        if (closing) {
            throw new IllegalStateException("engine is closed");
        }
        long id = nextId.getAndIncrement();
        Submission submission = new Submission(id, request, listener, System.nanoTime());
        submissions.add(submission);
        // close() raced us: if the engine's final drain did not take it, withdraw and refuse it.
        if (closing && submissions.remove(submission)) {
            throw new IllegalStateException("engine is closed");
        }
        queuedTokens.addAndGet(cost(request));
        accepted.incrementAndGet();
        wake();
        return new RequestHandle(id, this);
    }

    /** Aborts a request at the next step (frees its blocks, reports ABORT); idempotent, unknown ids ignored. */
    public void abort(long requestId) {
        aborts.add(requestId);
        wake();
    }

    /**
     * Requests accepted and not yet finished (queued, waiting or running), as of the last step:
     * what a server compares with its queue limit to answer 429. Never blocks.
     */
    public long pendingRequests() {
        return Math.max(0, accepted.get() - stats.finishedRequests());
    }

    /**
     * Requests submitted that the engine thread has not taken in yet: with {@link EngineStats#waiting()} they make
     * vLLM's {@code num_requests_waiting}. Never blocks.
     */
    public long queuedRequests() {
        return Math.max(0, accepted.get() - drained.get());
    }

    /** What the submissions not taken in yet may cost (see {@link EngineStats#waitingTokens()}). */
    public long queuedTokens() {
        return Math.max(0, queuedTokens.get());
    }

    private long cost(Request r) {
        return Math.min(config.maxContextTokens(), (long) r.promptLength() + r.sampling().maxTokens());
    }

    /** True while the engine thread runs: false before {@link #start()}, after {@link #close()}, or if it died. */
    public boolean running() {
        Thread t = thread;
        return t != null && t.isAlive() && !closing;
    }

    /** The latest snapshot; never blocks. */
    public EngineStats stats() {
        return stats;
    }

    /**
     * One engine iteration. Returns false when there was nothing to run. Call only from the
     * engine thread, or from a test before {@link #start()}.
     */
    public boolean step() {
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            throw new IllegalStateException("step() called off the engine thread");
        }
        drainQueues();
        if (!scheduler.hasWork()) {
            publishStats();
            return false;
        }
        long t0 = stepClock.getAsLong();
        SchedulerOutput batch = scheduler.schedule();
        if (batch == null) {
            // Cannot happen with a validated config (a lone sequence always fits); never spin.
            scheduler.finishAll(FinishReason.ERROR, "scheduler could not schedule any sequence");
            publishStats();
            return false;
        }
        StepResult result;
        try {
            result = runner.run(batch);
            if (result == null || result.sampledTokens().length != batch.numSampled()) {
                throw new IllegalStateException("runner returned " + (result == null ? "null"
                        : result.sampledTokens().length + " tokens") + " for " + batch.numSampled() + " sampled rows");
            }
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "step failed; ending its " + batch.numSeqs() + " sequences", e);
            scheduler.failScheduled("step failed: " + e);
            finishStep(t0, batch, false);
            return true;
        }
        scheduler.postprocess(result);
        finishStep(t0, batch, true);
        return true;
    }

    private void finishStep(long t0, SchedulerOutput batch, boolean ran) {
        steps++;
        lastStepNanos = stepClock.getAsLong() - t0;
        if (ran) {
            scheduler.observeStep(batch, lastStepNanos); // a failed step's time says nothing about the next
        }
        lastStepTokens = batch.numTokens();
        publishStats();
    }

    private void drainQueues() {
        Submission s;
        while ((s = submissions.poll()) != null) {
            drained.incrementAndGet();
            queuedTokens.addAndGet(-cost(s.request()));
            scheduler.add(new Sequence(s.id(), s.request(), s.listener(),
                    scheduler.kv().newBlockTable(s.request().cacheKey()), detokenizer(s.request()), s.arrivalNanos()));
        }
        Long id;
        while ((id = aborts.poll()) != null) {
            scheduler.abort(id);
        }
    }

    /** The request's detokenizer; one that cannot be made leaves the request without text rather than lost. */
    private Detokenizer detokenizer(Request r) {
        try {
            return detokenizers.create(r);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot make a detokenizer; the request's events carry no text", e);
            return Detokenizer.NONE.create(r);
        }
    }

    private void loop() {
        while (!closing) {
            try {
                if (!step()) {
                    LockSupport.park(this);
                }
            } catch (RuntimeException | Error e) {
                // A bug in our own bookkeeping: fail what is in flight rather than leave it hanging.
                LOG.log(System.Logger.Level.ERROR, "engine step failed outside the runner; failing all requests", e);
                try {
                    scheduler.finishAll(FinishReason.ERROR, "engine failure: " + e);
                } catch (RuntimeException | Error again) {
                    // State is beyond repair: stop taking work instead of spinning on the same failure.
                    LOG.log(System.Logger.Level.ERROR, "engine state is corrupt; engine stopped", again);
                    closing = true;
                    return;
                }
            }
        }
        drainQueues();
        scheduler.finishAll(FinishReason.ABORT, null);
        publishStats();
    }

    private void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Stops the engine thread after its current step; live and queued requests finish with
     * ABORT. Submissions racing with close may be rejected or aborted, never lost.
     */
    @Override
    public void close() throws InterruptedException {
        Thread t;
        synchronized (this) {
            closing = true;
            t = thread;
        }
        if (t == null) {
            drainQueues();
            scheduler.finishAll(FinishReason.ABORT, null);
            publishStats();
            return;
        }
        LockSupport.unpark(t);
        t.join();
    }

    private void publishStats() {
        KvCacheStats kv = scheduler.kv().stats();
        stats = new EngineStats(scheduler.numRunning(), scheduler.numWaiting(), scheduler.waitingTokens(), kv.usableBlocks(), kv.usedBlocks(),
                kv.freeBlocks(), kv.cachedBlocks(), kv.queryTokens(), kv.hitTokens(), kv.evictions(),
                scheduler.preemptions(), steps, scheduler.finished(), lastStepNanos, lastStepTokens);
    }
}

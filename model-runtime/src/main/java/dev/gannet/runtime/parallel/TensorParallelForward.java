package dev.gannet.runtime.parallel;

import dev.gannet.runtime.model.BatchForward;
import dev.gannet.runtime.model.CpuCompute;
import dev.gannet.runtime.model.ForwardBatch;
import dev.gannet.runtime.model.KvStorage;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelConfig;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The decoder forward pass split over {@code N} tensor-parallel ranks that are thread groups of this
 * process ({@code --tp N}), with {@code ForwardPass}'s contract: the engine sees one model. Rank 0 runs on
 * the caller's thread, ranks 1..N-1 on their own threads; each rank has its weight shards (views of the
 * mapped checkpoint), its KV shard (only its KV heads, the same block ids and slots as the engine's
 * block tables) and its own kernels on {@code max(1, threads / N)} threads. See docs/tensor-parallel.md.
 *
 * <p>A step: the caller validates the batch, releases the ranks through a start barrier, runs rank 0,
 * waits for all ranks at a done barrier, and lays the gathered vocabulary slices out as (numLogits, vocab).
 * If any rank throws, the group is aborted (no rank waits forever), the step throws the first failure,
 * and the group is recovered so that the next step runs normally.
 *
 * <p>Not thread-safe: one thread (the engine's) calls {@link #forward}.
 */
public final class TensorParallelForward implements BatchForward {
    private final Model model;
    private final ModelConfig c;
    private final ShardingPlan plan;
    private final CommGroup group;
    private final RankForward[] ranks;
    private final Thread[] rankThreads;        // [rank] for ranks 1..N-1; [0] unused
    private final SpinParkBarrier start;
    private final SpinParkBarrier done;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final int maxTokens;
    private final int maxLogits;
    private final int numBlocks;
    private final int blockSize;
    private final float[] gathered;         // (N, maxLogits, vocabPerRank) rank-major logits slices
    private final float[] logits;           // (maxLogits, vocab)
    private ForwardBatch current;           // published to the ranks by the start barrier
    private volatile boolean closed;

    /**
     * @param plan        from {@link ShardingPlan#forModel}, for this model
     * @param threads     compute threads in all, shared out evenly among the ranks
     * @param numBlocks   KV blocks (the engine's block ids), each rank storing its KV heads of every block
     * @param kvPrecision element type of each rank's KV cache
     */
    public TensorParallelForward(Model model, ShardingPlan plan, CpuCompute compute, int threads,
                                 int numBlocks, int blockSize, int maxTokens, int maxLogits, KvStorage.Precision kvPrecision) {
        if (!plan.config().equals(model.config())) throw new IllegalArgumentException("sharding plan was made for another model config");
        if (maxTokens <= 0 || maxLogits <= 0 || threads <= 0) {
            throw new IllegalArgumentException("maxTokens " + maxTokens + ", maxLogits " + maxLogits + ", threads " + threads + " must be positive");
        }
        int n = plan.ranks();
        this.model = model;
        this.c = model.config();
        this.plan = plan;
        this.maxTokens = maxTokens;
        this.maxLogits = maxLogits;
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.group = CommBackend.CPU.open(n);
        int spins = n < Runtime.getRuntime().availableProcessors() ? 256 : 0;
        this.start = new SpinParkBarrier(n, spins);
        this.done = new SpinParkBarrier(n, spins);
        this.ranks = new RankForward[n];
        int perRank = Math.max(1, threads / n);
        try {
            for (int r = 0; r < n; r++) {
                ranks[r] = new RankForward(model, plan, group.rank(r), compute, perRank, numBlocks, blockSize, maxTokens, maxLogits,
                        kvPrecision);
            }
        } catch (RuntimeException | Error e) {
            closeRanks();
            group.close();
            throw e;
        }
        this.gathered = new float[n * maxLogits * plan.vocabPerRank()];
        this.logits = new float[maxLogits * c.vocabSize()];
        this.rankThreads = new Thread[n];
        for (int r = 1; r < n; r++) {
            int rank = r;
            Thread t = new Thread(() -> rankLoop(rank), "tp-rank-" + r);
            t.setDaemon(true);
            rankThreads[r] = t;
            t.start();
        }
    }

    public Model model() { return model; }

    public ShardingPlan plan() { return plan; }

    public int maxTokens() { return maxTokens; }

    public int maxLogits() { return maxLogits; }

    /** Time rank 0 (the caller's thread) has spent in all-reduce and gather, waits for other ranks included. */
    public long collectiveNanos() { return ranks[0].collectiveNanos(); }

    /**
     * Runs one step on all ranks: writes every token's K/V (each rank its KV heads) and returns the logits of
     * {@code batch.logitIndices()} as (numLogits, vocab) f32 at the start of a reused buffer, valid until the
     * next call.
     */
    public float[] forward(ForwardBatch batch) {
        if (closed) throw new IllegalStateException("tensor-parallel forward closed");
        check(batch);
        current = batch;
        start.await(0);
        try {
            ranks[0].run(batch, gathered);
        } catch (Throwable e) {
            fail(e);
        }
        done.await(0);
        Throwable f = failure.getAndSet(null);
        if (f != null) {
            group.recover(); // every rank is past its collectives: safe to reset
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error err) throw err;
            throw new IllegalStateException("tensor-parallel rank failed", f);
        }
        assembleLogits(batch.numLogits());
        return logits;
    }

    private void rankLoop(int rank) {
        while (true) {
            start.await(rank);
            if (closed) return;
            try {
                ranks[rank].run(current, null);
            } catch (Throwable e) {
                fail(e);
            }
            done.await(rank);
        }
    }

    /** Records the first real failure and releases the other ranks; later ones are echoes of the abort. */
    private void fail(Throwable e) {
        if (failure.compareAndSet(null, e)) group.abort(e);
    }

    /** gathered[r][t][0, rows_r) -> logits[t][from_r, to_r). */
    private void assembleLogits(int numLogits) {
        int vocab = c.vocabSize();
        int len = numLogits * plan.vocabPerRank();
        for (int r = 0; r < plan.ranks(); r++) {
            Range rows = plan.vocabRows(r);
            int w = rows.length();
            for (int t = 0; t < numLogits; t++) System.arraycopy(gathered, r * len + t * w, logits, t * vocab + rows.from(), w);
        }
    }

    private void check(ForwardBatch batch) {
        batch.checkFits(c, maxTokens, maxLogits, numBlocks, blockSize);
    }

    /** Stops the rank threads and frees every rank's KV shard, kernels and attention. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        start.await(0); // the idle ranks wait here: releasing them lets each see "closed" and exit
        try {
            for (int r = 1; r < rankThreads.length; r++) rankThreads[r].join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeRanks();
            group.close();
        }
    }

    private void closeRanks() {
        for (RankForward r : ranks) {
            if (r != null) r.close();
        }
    }
}

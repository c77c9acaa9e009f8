package dev.gannet.runtime.cuda;

import dev.gannet.runtime.model.BatchForward;
import dev.gannet.runtime.model.ForwardBatch;
import dev.gannet.runtime.model.ForwardPass;
import dev.gannet.runtime.model.LayerWeights;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelConfig;
import dev.gannet.runtime.parallel.DeviceCommunicator;
import dev.gannet.runtime.parallel.NcclCommunicator;
import dev.gannet.runtime.parallel.Range;
import dev.gannet.runtime.parallel.ShardingPlan;
import dev.gannet.runtime.parallel.SpinParkBarrier;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * {@code --device cuda --tp N}: the Megatron plan the CPU ranks use ({@link ShardingPlan}), one {@link CudaBackend} per
 * rank over its slice, on GPU {@code ordinal + r} with an {@link NcclCommunicator} (the unique id made here and passed
 * to every rank in-process), or, with {@link CudaOptions#sameDevice}, every rank on one GPU and one stream with the
 * in-process {@link SameDeviceGroup} (how a one-GPU machine tests the path). Rank 0 runs on the caller's (engine)
 * thread, ranks 1..N-1 on their own threads, released per step by a start barrier and collected by a done barrier,
 * as the CPU's {@code TensorParallelForward}; each rank returns its vocabulary rows of the logits, assembled here.
 * CUDA graphs are off under tensor parallelism (the collectives are not captured).
 */
public final class CudaTensorParallel implements BatchForward {
    private final Model model;
    private final ModelConfig c;
    private final ShardingPlan plan;
    private final int n;
    private final Gpu[] gpus;
    private final DeviceArena[] scratch;   // same-device all-reduce scratch, one per rank
    private final DeviceCommunicator[] comms;
    private final CudaBackend[] ranks;
    private final float[][] rankLogits;
    private final SameDeviceGroup same;    // null with NCCL
    private final Thread[] threads;
    private final SpinParkBarrier start, done;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final IntConsumer stepTask = this::rankStep;
    private volatile IntConsumer task;
    private volatile Gpu firstGpu;
    private volatile boolean closed;
    private ForwardBatch current;          // published to the ranks by the start barrier
    private final float[] logits;          // (maxLogits, vocab)
    private final int maxTokens, maxLogits;
    private int numBlocks;
    private DeviceMemory memory;

    /**
     * Opens every rank's GPU, plans memory, joins the communicators and uploads every slice.
     *
     * @throws IllegalArgumentException one line when the split does not divide, a row-parallel weight cannot be
     *                                  split on block boundaries, or the model does not fit
     */
    public static CudaTensorParallel open(Model model, CudaOptions o) {
        return new CudaTensorParallel(model, ShardingPlan.forModel(model, o.tp()), o);
    }

    private CudaTensorParallel(Model model, ShardingPlan plan, CudaOptions o) {
        this.model = model;
        this.c = model.config();
        this.plan = plan;
        this.n = plan.ranks();
        if (plan.wholeRowParallelWeights(model) > 0) {
            throw new IllegalArgumentException("--tp " + n + " on cuda: " + plan.wholeRowParallelWeights(model) + " row-parallel weights"
                    + " (wo/down) have quant blocks that span ranks; the GPU path splits only on block boundaries: use --tp 1 or --device cpu");
        }
        this.maxTokens = o.maxTokens();
        this.maxLogits = o.maxLogits();
        this.gpus = new Gpu[n];
        this.scratch = new DeviceArena[n];
        this.comms = new DeviceCommunicator[n];
        this.ranks = new CudaBackend[n];
        this.rankLogits = new float[n][];
        this.same = o.sameDevice() ? new SameDeviceGroup(n) : null;
        this.logits = new float[maxLogits * c.vocabSize()];
        this.start = new SpinParkBarrier(n, 0);
        this.done = new SpinParkBarrier(n, 0);
        this.threads = new Thread[n];
        for (int r = 1; r < n; r++) {
            int rank = r;
            threads[r] = new Thread(() -> rankLoop(rank), "cuda-tp-rank-" + r);
            threads[r].setDaemon(true);
            threads[r].start();
        }
        try {
            build(o);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private void build(CudaOptions o) {
        DeviceDtype t = CudaBackend.computeDtype(model, o.tuning());
        KvFormat f = CudaBackend.kvFormat(o.kvDtype(), t, c.headDim());
        List<ForwardPass.Slice> slices = new ArrayList<>();
        for (int r = 0; r < n; r++) slices.add(slice(r));
        runAll(r -> {
            gpus[r] = same != null && r > 0 ? Gpu.sharing(firstGpu(), o.paths()) : Gpu.open(o.ordinalOf(r), o.paths());
            if (r == 0) firstGpu = gpus[0];
        });
        numBlocks = planBlocks(o, slices, t, f);
        MemorySegment id = same == null ? NcclCommunicator.uniqueId(o.paths()) : null;
        long scratchBytes = (long) maxTokens * c.dim() * t.bytes();
        runAll(r -> {
            gpus[r].cuda().makeCurrent();
            if (same != null) {
                scratch[r] = new DeviceArena(gpus[r].cuda());
                comms[r] = same.rank(r, gpus[r].kernels(), gpus[r].cuda(), scratch[r].alloc(scratchBytes), scratchBytes);
            } else {
                comms[r] = NcclCommunicator.init(id, n, r);
            }
        });
        runAll(r -> ranks[r] = new CudaBackend(model, slices.get(r), gpus[r], false, o, comms[r], numBlocks));
        DeviceMemory m = ranks[0].memory();
        for (int r = 1; r < n; r++) m = m.plus(ranks[r].memory(), same != null);
        memory = m;
    }

    /** Rank 0's GPU, which ranks sharing it wait for (rank 0 opens it on the calling thread in the same phase). */
    private Gpu firstGpu() {
        while (firstGpu == null) {
            if (failure.get() != null) throw new IllegalStateException("rank 0 failed to open its GPU", failure.get());
            Thread.onSpinWait();
        }
        return firstGpu;
    }

    private ForwardPass.Slice slice(int r) {
        List<LayerWeights> layers = new ArrayList<>(c.numLayers());
        for (int l = 0; l < c.numLayers(); l++) layers.add(plan.shard(model.layer(l), r));
        return new ForwardPass.Slice(layers, plan.lmHead(model.output(), r), plan.headsPerRank(), plan.kvHeadsPerRank(), plan.ffnPerRank());
    }

    /** KV blocks every rank can hold: per GPU, or for all ranks together when they share one. */
    private int planBlocks(CudaOptions o, List<ForwardPass.Slice> slices, DeviceDtype t, KvFormat f) {
        long weights = 0, activations = 0, blockBytes = 0;
        int blocks = Integer.MAX_VALUE;
        for (int r = 0; r < n; r++) {
            long w = DeviceWeights.plannedBytes(model, slices.get(r), t);
            long a = StepBuffers.plan(CudaBackend.sizes(model, slices.get(r), t, o, gpus[r].smCount()), o.blockSize())
                    + (same != null ? DeviceArena.align((long) maxTokens * c.dim() * t.bytes()) : 0);
            long b = CudaBackend.blockBytes(c, slices.get(r).kvHeads(), o.blockSize(), f, t);
            if (same == null) {
                CudaMemoryPlan p = new CudaMemoryPlan(gpus[r].total(), gpus[r].freeAtStart(), o.memoryUtilization(), w, a,
                        CudaMemoryPlan.DEFAULT_RESERVE, b);
                p.check(gpus[r].name() + " (rank " + r + ")");
                blocks = Math.min(blocks, p.kvBlocks());
            }
            weights += w;
            activations += a;
            blockBytes += b;
        }
        if (same == null) return blocks;
        CudaMemoryPlan p = new CudaMemoryPlan(gpus[0].total(), gpus[0].freeAtStart(), o.memoryUtilization(), weights, activations,
                n * CudaMemoryPlan.DEFAULT_RESERVE, blockBytes);
        p.check(gpus[0].name() + " (" + n + " ranks)");
        return p.kvBlocks();
    }

    /** Runs {@code work} for every rank, rank 0 on this thread; rethrows the first failure after all ranks stopped. */
    private void runAll(IntConsumer work) {
        if (closed) throw new IllegalStateException("CUDA tensor-parallel forward closed");
        task = work;
        start.await(0);
        try {
            work.accept(0);
        } catch (Throwable e) {
            fail(e);
        }
        done.await(0);
        Throwable f = failure.getAndSet(null);
        if (f != null) {
            if (same != null) same.recover();
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error err) throw err;
            throw new IllegalStateException("tensor-parallel rank failed", f);
        }
    }

    private void rankLoop(int rank) {
        while (true) {
            start.await(rank);
            if (closed) return;
            try {
                task.accept(rank);
            } catch (Throwable e) {
                fail(e);
            }
            done.await(rank);
        }
    }

    private void fail(Throwable e) {
        if (failure.compareAndSet(null, e) && same != null) same.abort(e);
    }

    private void rankStep(int r) {
        ranks[r].enqueue(current);
        rankLogits[r] = ranks[r].finish(current.numLogits());
    }

    @Override
    public Model model() { return model; }

    @Override
    public int maxTokens() { return maxTokens; }

    @Override
    public int maxLogits() { return maxLogits; }

    /** KV blocks every rank holds (block 0 included). */
    public int numBlocks() { return numBlocks; }

    public DeviceMemory memory() { return memory; }

    public ShardingPlan plan() { return plan; }

    @Override
    public float[] forward(ForwardBatch batch) {
        batch.checkFits(c, maxTokens, maxLogits, numBlocks, ranks[0].kvBlockSize());
        if (batch.numSeqs() > maxLogits) {
            throw new IllegalArgumentException(batch.numSeqs() + " sequences in one step, this backend holds at most " + maxLogits);
        }
        current = batch;
        runAll(stepTask);
        int numLogits = batch.numLogits(), vocab = c.vocabSize();
        for (int r = 0; r < n; r++) {
            Range rows = plan.vocabRows(r);
            int w = rows.length();
            for (int t = 0; t < numLogits; t++) System.arraycopy(rankLogits[r], t * w, logits, t * vocab + rows.from(), w);
        }
        return logits;
    }

    /** Stops the rank threads, then closes every rank's backend, communicator and GPU. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        start.await(0); // idle ranks wait at the start barrier: releasing them lets each see "closed" and exit
        try {
            for (int r = 1; r < n; r++) threads[r].join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (int r = n - 1; r >= 0; r--) {
            if (gpus[r] != null) gpus[r].cuda().makeCurrent();
            if (ranks[r] != null) ranks[r].close();
            if (comms[r] != null) comms[r].close();
            if (scratch[r] != null) scratch[r].close();
            if (gpus[r] != null) gpus[r].close();
        }
    }
}

package dev.gannet.runtime.cuda;

import dev.gannet.cuda.CudaDriver;
import dev.gannet.cuda.CudaException;
import dev.gannet.runtime.model.BatchForward;
import dev.gannet.runtime.model.ForwardBatch;
import dev.gannet.runtime.model.ForwardPass;
import dev.gannet.runtime.model.KvStorage;
import dev.gannet.runtime.model.LayerWeights;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelConfig;
import dev.gannet.runtime.kernel.RopeTable;
import dev.gannet.runtime.parallel.DeviceCommunicator;
import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The decoder forward pass on one GPU ({@code --device cuda[:N]}), behind the engine's {@link BatchForward} contract:
 * the whole model, or one tensor-parallel rank's slice of it ({@link CudaTensorParallel}). Built once: weights
 * uploaded ({@link DeviceWeights}), step buffers allocated for the largest step ({@link StepBuffers}), the rest of
 * {@code gpu_memory_utilization} as the paged KV cache ({@link CudaMemoryPlan}, {@link DeviceKvCache}). A step copies
 * its inputs in one asynchronous copy from pinned memory, runs {@link StepEncoder}'s kernels (eagerly, or as a CUDA
 * graph replayed per batch bucket for decode steps, {@link DecodeGraphs}) and copies back only the requested logit
 * rows as f32. Calls come from one thread at a time (the engine's); the context is made current on each call.
 */
public final class CudaBackend implements BatchForward {
    private final Model model;
    private final ModelConfig c;
    private final Gpu gpu;
    private final boolean ownsGpu;
    private final DeviceDtype dtype;
    private final DeviceArena arena;
    private final DeviceWeights weights;
    private final DeviceKvCache kv;
    private final StepBuffers buf;
    private final StepEncoder encoder;
    private final DecodeGraphs graphs;   // null when graphs are off or under tensor parallelism
    private final GraphBuckets buckets;
    private final PinnedBuffer inputsHost;
    private final PinnedBuffer logitsHost;
    private final float[] logits;        // (maxLogits, vocabRows)
    private final int vocabRows;
    private final int maxTokens, maxLogits;
    private final DeviceMemory memory;
    private boolean closed;

    /**
     * Opens {@code cuda:ordinal} on the calling thread and builds the whole model there (tensor parallelism of one).
     *
     * @throws IllegalArgumentException one line when the model or its KV cache does not fit
     * @throws dev.gannet.cuda.CudaUnavailableException one line naming the libraries and places tried
     */
    public static CudaBackend open(Model model, CudaOptions o) {
        if (o.tp() != 1) throw new IllegalArgumentException("CudaBackend.open builds one GPU; --tp " + o.tp() + " goes through CudaTensorParallel");
        Gpu gpu = Gpu.open(o.ordinal(), o.paths());
        try {
            ForwardPass.Slice whole = ForwardPass.Slice.whole(model);
            DeviceDtype t = computeDtype(model, o.tuning());
            KvFormat f = kvFormat(o.kvDtype(), t, model.config().headDim());
            CudaMemoryPlan plan = new CudaMemoryPlan(gpu.total(), gpu.freeAtStart(), o.memoryUtilization(),
                    DeviceWeights.plannedBytes(model, whole, t), StepBuffers.plan(sizes(model, whole, t, o, gpu.smCount()), o.blockSize()),
                    CudaMemoryPlan.DEFAULT_RESERVE, blockBytes(model.config(), whole.kvHeads(), o.blockSize(), f, t));
            plan.check(gpu.name());
            return new CudaBackend(model, whole, gpu, true, o, null, plan.kvBlocks());
        } catch (RuntimeException | Error e) {
            gpu.close();
            throw e;
        }
    }

    /** A rank's backend on {@code gpu} (owned by the caller unless {@code ownsGpu}), with {@code numBlocks} KV blocks. */
    CudaBackend(Model model, ForwardPass.Slice slice, Gpu gpu, boolean ownsGpu, CudaOptions o, DeviceCommunicator coll,
                int numBlocks) {
        this.model = model;
        this.c = model.config();
        this.gpu = gpu;
        this.ownsGpu = ownsGpu;
        this.dtype = computeDtype(model, o.tuning());
        this.maxTokens = o.maxTokens();
        this.maxLogits = o.maxLogits();
        this.vocabRows = slice.lmHead().rows();
        KvFormat format = kvFormat(o.kvDtype(), dtype, c.headDim());
        this.arena = new DeviceArena(gpu.cuda());
        PinnedBuffer in = null, out = null;
        try {
            gpu.cuda().makeCurrent();
            this.weights = DeviceWeights.upload(model, slice, dtype, gpu.cuda(), arena);
            long afterWeights = arena.bytes();
            this.buf = StepBuffers.allocate(sizes(model, slice, dtype, o, gpu.smCount()), o.blockSize(), arena::alloc);
            long afterBuffers = arena.bytes();
            this.kv = new DeviceKvCache(gpu.cuda(), arena, c.numLayers(), numBlocks, o.blockSize(), slice.kvHeads(), c.headDim(), format, dtype);
            gpu.cublas().setWorkspace(buf.cublasWorkspace(), StepBuffers.CUBLAS_WORKSPACE);
            uploadRope(model);
            in = PinnedBuffer.allocate(buf.inputInts() * 4);
            out = PinnedBuffer.allocate((long) maxLogits * vocabRows * Float.BYTES);
            this.inputsHost = in;
            this.logitsHost = out;
            this.logits = new float[maxLogits * vocabRows];
            this.encoder = new StepEncoder(c, dtype, gpu.kernels(), gpu.cublas(), weights, kv, buf, coll, gpu.cuda(),
                    slice.heads(), slice.kvHeads(), slice.ffn(), gpu.smCount(), o.tuning());
            this.buckets = GraphBuckets.forLimits(maxLogits, o.tuning().graphMaxBatch(), c.contextLength());
            this.graphs = o.tuning().graphs() && coll == null ? new DecodeGraphs(gpu.cuda(), buckets) : null;
            gpu.cuda().synchronizeAll(); // the set-up's memsets and pageable copies ran on the NULL stream
            this.memory = new DeviceMemory(gpu.name(), gpu.total(), gpu.total() - gpu.freeAtStart(), afterWeights,
                    arena.bytes() - afterBuffers, afterBuffers - afterWeights);
        } catch (RuntimeException | Error e) {
            if (in != null) in.close();
            if (out != null) out.close();
            arena.close();
            if (ownsGpu) gpu.close();
            throw e;
        }
    }

    /** Activations: bf16 for a bf16 checkpoint, f16 for everything else (vLLM's "auto"), unless tuning says otherwise. */
    public static DeviceDtype computeDtype(Model model, CudaTuning tuning) {
        if (tuning.computeDtype() != null) return tuning.computeDtype();
        LayerWeights l = model.layer(0);
        for (WeightMatrix w : new WeightMatrix[] {l.wq(), l.gate(), model.tokenEmbedding()}) {
            if (w.type() == GgmlType.BF16) return DeviceDtype.BF16;
        }
        return DeviceDtype.F16;
    }

    /** The device cache format for {@code kv_cache_dtype}: auto = the activation dtype. */
    public static KvFormat kvFormat(KvStorage.Precision p, DeviceDtype t, int headDim) {
        KvFormat f = switch (p) {
            case AUTO -> KvFormat.NATIVE;
            case F32, F16, BF16 -> {
                if (!p.name().equalsIgnoreCase(t.suffix())) {
                    throw new IllegalArgumentException("kv_cache_dtype " + p.name().toLowerCase(java.util.Locale.ROOT) + " on the GPU must be the"
                            + " activation dtype, " + t.suffix() + " for this model: use auto, " + t.suffix() + ", q8_0 or fp8");
                }
                yield KvFormat.NATIVE;
            }
            case Q8_0 -> KvFormat.Q8_0;
            case FP8 -> KvFormat.FP8;
        };
        if (f == KvFormat.Q8_0 && headDim % 32 != 0) {
            throw new IllegalArgumentException("kv_cache_dtype q8_0 needs a head dimension divisible by 32; this model's is " + headDim);
        }
        return f;
    }

    static long blockBytes(ModelConfig c, int kvHeads, int blockSize, KvFormat f, DeviceDtype t) {
        return DeviceKvCache.blockBytes(c.numLayers(), blockSize, kvHeads, c.headDim(), f, t);
    }

    static StepBuffers.Sizes sizes(Model model, ForwardPass.Slice slice, DeviceDtype t, CudaOptions o, int smCount) {
        long scratch = 0;
        for (LayerWeights w : slice.layers()) {
            for (WeightMatrix m : new WeightMatrix[] {w.wq(), w.wk(), w.wv(), w.wo(), w.down()}) scratch = Math.max(scratch, scratchFor(m, t));
            if (DeviceWeights.gateUpFormat(w) != DeviceMatrix.Format.DENSE) scratch = Math.max(scratch, 2 * scratchFor(w.gate(), t));
        }
        scratch = Math.max(scratch, scratchFor(slice.lmHead(), t));
        return new StepBuffers.Sizes(model.config(), t, slice.heads(), slice.kvHeads(), slice.ffn(), slice.lmHead().rows(),
                o.maxTokens(), o.maxLogits(), o.maxLogits(), smCount, Math.min(StepBuffers.DEQUANT_SCRATCH, scratch));
    }

    private static long scratchFor(WeightMatrix m, DeviceDtype t) {
        return DeviceMatrix.formatFor(m.type()) == DeviceMatrix.Format.DENSE ? 0 : (long) m.rows() * m.cols() * t.bytes();
    }

    private void uploadRope(Model model) {
        RopeTable rope = RopeTable.of(c.ropeStyle(), model.ropeInvFreq(), c.contextLength());
        try (Arena a = Arena.ofConfined()) {
            gpu.cuda().upload(buf.cos(), a.allocateFrom(ValueLayout.JAVA_FLOAT, rope.cos()));
            gpu.cuda().upload(buf.sin(), a.allocateFrom(ValueLayout.JAVA_FLOAT, rope.sin()));
        }
    }

    @Override
    public Model model() { return model; }

    @Override
    public int maxTokens() { return maxTokens; }

    @Override
    public int maxLogits() { return maxLogits; }

    /** KV blocks of the cache (block 0 included). */
    public int numBlocks() { return kv.numBlocks; }

    public DeviceDtype dtype() { return dtype; }

    int kvBlockSize() { return kv.blockSize; }

    public KvFormat kvFormat() { return kv.format; }

    /** Vocabulary rows whose logits this backend computes (all of them for the whole model). */
    int vocabRows() { return vocabRows; }

    public DeviceMemory memory() { return memory; }

    /** Where the kernels came from (fatbin or NVRTC). */
    public String kernelSource() { return gpu.kernels().source(); }

    /**
     * Runs one step and returns the logits of {@code batch.logitIndices()} as (numLogits, vocabRows) f32 at the start
     * of a buffer reused by the next call.
     */
    @Override
    public float[] forward(ForwardBatch batch) {
        if (closed) throw new IllegalStateException("CUDA backend closed");
        batch.checkFits(c, maxTokens, maxLogits, kv.numBlocks, kv.blockSize);
        if (batch.numSeqs() > maxLogits) {
            throw new IllegalArgumentException(batch.numSeqs() + " sequences in one step, this backend holds at most " + maxLogits);
        }
        try {
            gpu.cuda().makeCurrent();
            int n = batch.numLogits();
            if (!replay(batch)) {
                StepShape s = StepShape.of(batch);
                stage(batch, s);
                encoder.enqueue(s);
            }
            logitsHost.copyFromDevice(buf.logits(), 0, (long) n * vocabRows * Float.BYTES, gpu.cuda());
            gpu.cuda().synchronize();
            MemorySegment.copy(logitsHost.segment(), ValueLayout.JAVA_FLOAT, 0, logits, 0, n * vocabRows);
            return logits;
        } catch (CudaException e) {
            throw stepFailed(e);
        }
    }

    /** Enqueues the rank's part of a step without waiting (tensor parallelism: ranks run it together). */
    void enqueue(ForwardBatch batch) {
        gpu.cuda().makeCurrent();
        StepShape s = StepShape.of(batch);
        stage(batch, s);
        encoder.enqueue(s);
        logitsHost.copyFromDevice(buf.logits(), 0, (long) batch.numLogits() * vocabRows * Float.BYTES, gpu.cuda());
    }

    /** Waits for the rank's step and returns its logits (numLogits, vocabRows). */
    float[] finish(int numLogits) {
        gpu.cuda().synchronize();
        MemorySegment.copy(logitsHost.segment(), ValueLayout.JAVA_FLOAT, 0, logits, 0, numLogits * vocabRows);
        return logits;
    }

    /** A decode step through its CUDA graph; false when graphs do not apply (or its capture failed). */
    private boolean replay(ForwardBatch batch) {
        if (graphs == null || !StepShape.decodeOnly(batch)) return false;
        int bucket = buckets.batchBucket(batch.numSeqs());
        if (bucket < 0) return false;
        int maxCtx = 0;
        for (int ctx : batch.contextLens()) maxCtx = Math.max(maxCtx, ctx);
        int context = buckets.contextBucket(maxCtx);
        StepShape s = StepShape.graph(bucket, context, kv.blockSize);
        if (!graphs.ready(bucket, context) && !graphs.capture(bucket, context, () -> encoder.enqueue(s))) return false;
        stage(batch, s);
        graphs.launch(bucket, context);
        return true;
    }

    private void stage(ForwardBatch batch, StepShape s) {
        s.write(batch, inputsHost.segment());
        inputsHost.copyToDevice(0, buf.inputs(), s.ints() * 4, gpu.cuda());
    }

    private RuntimeException stepFailed(CudaException e) {
        if (e.code() == CudaDriver.CUDA_ERROR_OUT_OF_MEMORY) {
            return new IllegalStateException("device " + gpu.name() + " ran out of memory during a step (" + e.getMessage()
                    + "); the step's requests end with an error. Lower gpu_memory_utilization to leave more headroom", e);
        }
        return new IllegalStateException("device " + gpu.name() + ": a step failed: " + e.getMessage(), e);
    }

    /** Graphs, buffers, KV cache and weights; the GPU handles too when this backend opened them. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            gpu.cuda().makeCurrent();
            gpu.cuda().synchronizeAll(); // nothing in flight may use what is freed below
            if (graphs != null) graphs.close();
        } finally {
            try {
                inputsHost.close();
                logitsHost.close();
                arena.close();
            } finally {
                if (ownsGpu) gpu.close();
            }
        }
    }
}

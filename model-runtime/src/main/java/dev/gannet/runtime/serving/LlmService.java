package dev.gannet.runtime.serving;

import dev.gannet.runtime.engine.Engine;
import dev.gannet.runtime.engine.EngineConfig;
import dev.gannet.runtime.engine.EngineStats;
import dev.gannet.runtime.engine.FinishInfo;
import dev.gannet.runtime.engine.Request;
import dev.gannet.runtime.engine.RequestHandle;
import dev.gannet.runtime.engine.RequestListener;
import dev.gannet.runtime.kernel.Kernels;
import dev.gannet.runtime.kernel.VectorKernels;
import dev.gannet.runtime.model.Attention;
import dev.gannet.runtime.model.BatchForward;
import dev.gannet.runtime.model.ForwardBatch;
import dev.gannet.runtime.model.ForwardPass;
import dev.gannet.runtime.model.KvStorage;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelConfig;
import dev.gannet.runtime.model.VectorAttention;
import dev.gannet.runtime.parallel.Compute;
import dev.gannet.runtime.parallel.ShardingPlan;
import dev.gannet.runtime.parallel.TensorParallelForward;
import dev.gannet.runtime.sampler.SamplingParams;
import dev.gannet.runtime.tokenizer.Tokenizer;
import java.util.List;

/**
 * A model being served: the model, its tokenizer, the CPU kernels, the paged KV storage, the forward pass
 * and the engine thread that batches every request into shared steps. This is what the server and the CLI
 * hold; {@link #submit} is safe from any thread and never blocks.
 */
public final class LlmService implements AutoCloseable {
    private final Model model;
    private final Tokenizer tokenizer;
    private final Kernels kernels;       // null under tensor parallelism: each rank owns its own
    private final Attention attention;   // null under tensor parallelism
    private final KvStorage kv;          // null under tensor parallelism: each rank stores its KV heads
    private final BatchForward forward;
    private final String sharding;
    private final int kvBlocks;
    private final ForwardRunner runner;
    private final Engine engine;
    private final int maxModelLen;
    private final int threads;
    private final String cpuKernels;

    public LlmService(Model model, Tokenizer tokenizer, ServingOptions o) {
        this(model, tokenizer, o, false);
    }

    /**
     * @param warmUp run a short prompt and a few decode steps through the model before the engine starts,
     *               so that the JIT has compiled the kernels before the first request (which otherwise
     *               pays for it: about 3 s on the TinyLlama-1.1B shape here)
     */
    public LlmService(Model model, Tokenizer tokenizer, ServingOptions o, boolean warmUp) {
        ModelConfig c = model.config();
        if (tokenizer.vocabSize() > c.vocabSize()) {
            throw new IllegalArgumentException("tokenizer has " + tokenizer.vocabSize() + " tokens but the model only " + c.vocabSize());
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.threads = o.threads() == 0 ? Runtime.getRuntime().availableProcessors() : o.threads();
        this.maxModelLen = o.maxModelLen() == 0 ? c.contextLength() : Math.min(o.maxModelLen(), c.contextLength());
        KvStorage.checkSupported(o.kvDtype(), c.headDim());
        long blockBytes = KvStorage.bytesFor(c, 1, o.blockSize(), o.kvDtype());
        long blocks = o.kvCacheBytes() / blockBytes;
        if (blocks < 2) {
            throw new IllegalArgumentException("kv cache memory of " + o.kvCacheBytes() + " bytes holds fewer than 2 blocks of "
                    + blockBytes + " bytes for this model");
        }
        int numBlocks = (int) Math.min(blocks, Integer.MAX_VALUE / o.blockSize());
        this.kvBlocks = numBlocks;
        this.cpuKernels = VectorKernels.describe(o.cpuKernels());
        if (o.tp() == 1) {
            VectorKernels vk = new VectorKernels(threads, o.cpuKernels());
            KvStorage storage = null;
            try { // nothing half-built may keep threads or native memory if a later part fails
                this.attention = new VectorAttention(c, vk.pool()); // one set of threads for matmuls and attention
                storage = KvStorage.forModel(c, numBlocks, o.blockSize(), o.kvDtype());
                this.forward = new ForwardPass(model, vk, attention, storage, o.maxBatchTokens(), o.maxRunning());
            } catch (RuntimeException | Error e) {
                if (storage != null) storage.close();
                vk.close();
                throw e;
            }
            this.kernels = vk;
            this.kv = storage;
            this.sharding = "none (tp=1)";
        } else {
            ShardingPlan plan = ShardingPlan.forModel(model, o.tp()); // a split that does not divide fails here
            this.kernels = null;
            this.attention = null;
            this.kv = null;
            this.forward = new TensorParallelForward(model, plan, Compute.of(o.cpuKernels()), Math.max(threads, o.tp()), numBlocks,
                    o.blockSize(), o.maxBatchTokens(), o.maxRunning(), o.kvDtype());
            this.sharding = plan.describe();
        }
        if (warmUp) {
            try {
                warmUp(forward, numBlocks, o.blockSize(), o.maxBatchTokens(), o.maxRunning(), maxModelLen, c.vocabSize());
            } catch (RuntimeException | Error e) { // nothing started yet: release what the constructor built
                closeParts();
                throw e;
            }
        }
        int[] eos = tokenizer.endOfGenerationIds();
        this.runner = new ForwardRunner(forward, eos);
        this.engine = new Engine(new EngineConfig(numBlocks, o.blockSize(), o.maxBatchTokens(), o.maxRunning(), maxModelLen,
                o.enablePrefixCaching(), eos), runner);
        engine.start();
    }

    /**
     * Before the engine thread exists (it will own the KV cache): one sequence's prompt of up to 24 tokens,
     * two decode steps, then one step of eight one-token sequences, through blocks 1.. of the cache. Those
     * blocks go back to the engine's pool as if fresh: a slot is always written before it is read. Skipped
     * where the cache or the context is too small for it.
     */
    private static void warmUp(BatchForward forward, int numBlocks, int blockSize, int maxBatchTokens, int maxRunning,
                               int maxModelLen, int vocab) {
        int prompt = Math.min(24, Math.min(maxBatchTokens, maxModelLen - 2));
        if (prompt < 1) return;
        int[] table = new int[(prompt + 2 + blockSize - 1) / blockSize];
        if (table.length + 8 >= numBlocks) return;
        for (int i = 0; i < table.length; i++) table[i] = 1 + i;
        int[] tokens = new int[prompt];
        for (int i = 0; i < prompt; i++) tokens[i] = (1 + 7919 * i) % vocab; // any ids: only the kernels' code paths matter
        forward.forward(ForwardBatch.single(tokens, 0, table, blockSize));
        for (int p = prompt; p < prompt + 2; p++) forward.forward(ForwardBatch.single(new int[] {tokens[p - prompt]}, p, table, blockSize));
        int seqs = Math.min(8, Math.min(maxBatchTokens, maxRunning));
        int[] one = new int[seqs], zero = new int[seqs], ctx = new int[seqs], cu = new int[seqs + 1], slots = new int[seqs];
        int[][] tables = new int[seqs][];
        for (int s = 0; s < seqs; s++) {
            int block = 1 + table.length + s;
            one[s] = tokens[s % prompt];
            ctx[s] = 1;
            cu[s + 1] = s + 1;
            tables[s] = new int[] {block};
            slots[s] = block * blockSize;
        }
        int[] logits = new int[seqs];
        for (int s = 0; s < seqs; s++) logits[s] = s;
        forward.forward(new ForwardBatch(one, zero, cu, ctx, tables, blockSize, slots, logits));
    }

    public Model model() { return model; }

    public ModelConfig config() { return model.config(); }

    public Tokenizer tokenizer() { return tokenizer; }

    /** The context length requests are held to (the model's, or less when capped). */
    public int maxModelLen() { return maxModelLen; }

    public int threads() { return threads; }

    /** KV blocks the budget holds (block 0 is the null block). */
    public int kvBlocks() { return kvBlocks; }

    /** How the model is split across ranks, for the start-up log and /v1/models. */
    public String sharding() { return sharding; }

    /** What computes the matmuls: "native avx512 (...)" or "vector (...)". */
    public String cpuKernels() { return cpuKernels; }

    public EngineStats stats() { return engine.stats(); }

    /** Requests submitted but not yet admitted by the engine thread. */
    public long pendingRequests() { return engine.pendingRequests(); }

    /**
     * Queues a generation. Throws IllegalArgumentException when the prompt can never fit.
     *
     * @param stops stop strings (not part of the output); may be empty
     */
    public RequestHandle submit(int[] prompt, SamplingParams params, List<String> stops, int priority, GenerationListener listener) {
        TextStream text = new TextStream(tokenizer, stops);
        Request r = new Request(prompt, params.maxTokens(), params.minTokens(), params.stopTokenIds(), params.ignoreEos(),
                priority, 0L, params, stops.isEmpty() ? null : text);
        return engine.submit(r, new RequestListener() {
            @Override
            public void onScheduled(long requestId) {
                listener.onScheduled();
            }

            @Override
            public void onToken(long requestId, int tokenId, int index) {
                text.feed(tokenId, index, false);
                listener.onToken(tokenId, index, text.take(false), runner.takeLogprobs(requestId));
            }

            @Override
            public void onFinish(long requestId, FinishInfo info) {
                listener.onFinish(info, text.take(true), text.stoppedByString());
            }
        });
    }

    public void abort(long requestId) {
        engine.abort(requestId);
    }

    @Override
    public void close() {
        try {
            engine.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeParts();
    }

    /** The forward pass, attention, kernels and KV storage, in that order (the engine is stopped or never started). */
    private void closeParts() {
        forward.close();
        if (attention != null) attention.close();
        if (kernels != null) kernels.close();
        if (kv != null) kv.close();
    }
}

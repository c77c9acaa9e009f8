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

    public LlmService(Model model, Tokenizer tokenizer, ServingOptions o) {
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
        if (o.tp() == 1) {
            VectorKernels vk = new VectorKernels(threads);
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
            this.forward = new TensorParallelForward(model, plan, Compute.VECTOR, Math.max(threads, o.tp()), numBlocks,
                    o.blockSize(), o.maxBatchTokens(), o.maxRunning(), o.kvDtype());
            this.sharding = plan.describe();
        }
        int[] eos = tokenizer.endOfGenerationIds();
        this.runner = new ForwardRunner(forward, eos);
        this.engine = new Engine(new EngineConfig(numBlocks, o.blockSize(), o.maxBatchTokens(), o.maxRunning(), maxModelLen,
                o.enablePrefixCaching(), eos), runner);
        engine.start();
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
        forward.close();
        if (attention != null) attention.close();
        if (kernels != null) kernels.close();
        if (kv != null) kv.close();
    }
}

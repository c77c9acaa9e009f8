package dev.gannet.runtime.serving;

import dev.gannet.runtime.backend.ComputeStack;
import dev.gannet.runtime.backend.Device;
import dev.gannet.runtime.backend.ForwardFactory;
import dev.gannet.runtime.constraint.Constraint;
import dev.gannet.runtime.constraint.ConstraintCache;
import dev.gannet.runtime.constraint.ConstraintMatcher;
import dev.gannet.runtime.constraint.ConstraintSpec;
import dev.gannet.runtime.constraint.TokenVocabulary;
import dev.gannet.runtime.engine.Engine;
import dev.gannet.runtime.engine.EngineConfig;
import dev.gannet.runtime.engine.EngineStats;
import dev.gannet.runtime.engine.Request;
import dev.gannet.runtime.engine.RequestHandle;
import dev.gannet.runtime.engine.RequestListener;
import dev.gannet.runtime.model.BatchForward;
import dev.gannet.runtime.model.ForwardBatch;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelConfig;
import dev.gannet.runtime.tokenizer.Tokenizer;

/**
 * A model being served: the model, its tokenizer, the compute stack built by {@link ForwardFactory} (device,
 * kernels, paged KV storage, forward pass) and the engine thread that batches every request into shared steps.
 * This is what the server and the CLI hold; {@link #submit} is safe from any thread and never blocks. It also holds
 * the model's compiled structured-output constraints ({@link #constraint}), one cache per served model.
 */
public final class LlmService implements AutoCloseable {
    /** Bytes of compiled constraints (automata and their cached token sets) kept between requests. */
    static final long CONSTRAINT_CACHE_BYTES = 256L << 20;
    private static final System.Logger LOG = System.getLogger(LlmService.class.getName());

    private final Model model;
    private final Tokenizer tokenizer;
    private final ComputeStack stack;
    private final ForwardRunner runner;
    private final Engine engine;
    private final int maxModelLen;
    private final int kvCapacityTokens;
    private final boolean contextCappedByKv;
    private volatile ConstraintCache constraints; // built on first use: the vocabulary's trie takes ~0.1 s for 50k tokens

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
        this.stack = ForwardFactory.create(model, o.compute());
        int numBlocks = stack.numBlocks();
        int wanted = o.maxModelLen() == 0 ? c.contextLength() : Math.min(o.maxModelLen(), c.contextLength());
        // one sequence can never hold more tokens than the whole KV cache: cap the context there, so a request that
        // could never fit is refused up front (a 400) instead of being cut short
        this.kvCapacityTokens = (int) Math.min(Integer.MAX_VALUE, (long) (numBlocks - 1) * o.blockSize());
        this.maxModelLen = Math.min(wanted, kvCapacityTokens);
        this.contextCappedByKv = kvCapacityTokens < wanted;
        if (warmUp) {
            try {
                warmUp(stack.forward(), numBlocks, o.blockSize(), o.maxBatchTokens(), o.maxRunning(), maxModelLen, c.vocabSize());
            } catch (RuntimeException | Error e) { // nothing started yet: release what the constructor built
                stack.close();
                throw e;
            }
        }
        if (warmUp) {
            try {
                warmConstraints();
            } catch (RuntimeException e) { // only a warm-up: requests compile and fill masks themselves
                LOG.log(System.Logger.Level.WARNING, "warming the json_object constraint failed", e);
            }
        }
        int[] eos = tokenizer.endOfGenerationIds();
        this.runner = new ForwardRunner(stack.forward(), eos);
        this.engine = new Engine(new EngineConfig(numBlocks, o.blockSize(), o.maxBatchTokens(), o.maxRunning(), maxModelLen,
                o.enablePrefixCaching(), eos, o.maxStepNanos()), runner, r -> new TextStream(tokenizer, r.sampling().stop()));
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

    /**
     * Builds the vocabulary's trie and fills the masks of {@code json_object} along a typical document: its cold
     * masks are the slowest of all constraints (about 0.8 ms each on a 32k vocabulary), and it is the one every
     * {@code response_format: json_object} request shares.
     */
    private void warmConstraints() {
        long t0 = System.nanoTime();
        Constraint c = constraint(ConstraintSpec.jsonObject());
        String doc = "{\"id\": 42, \"name\": \"Ada Lovelace\", \"tags\": [\"a\", \"b\"], \"score\": -1.5e3, "
                + "\"ok\": true, \"none\": null, \"nested\": {\"list\": [1, 2.5, {\"k\": \"v\"}], \"empty\": {}}}";
        ConstraintMatcher m = c.newState();
        long[] mask = new long[c.vocabulary().maskWords()];
        for (int token : tokenizer.encode(doc, false)) {
            m.fillMask(mask);
            if (!m.accept(token)) break; // the tokenizer spelled it in a way the grammar does not (e.g. a merged space)
        }
        LOG.log(System.Logger.Level.DEBUG, "json_object constraint warmed in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }

    /** The vocabulary the model's constraints are compiled for. */
    public TokenVocabulary vocabulary() {
        return constraintCache().vocabulary();
    }

    /**
     * The compiled constraint for {@code spec} over this model's vocabulary, from the cache or compiled now (which
     * takes milliseconds: call it off event loops). Safe from any thread.
     *
     * @throws dev.gannet.runtime.constraint.ConstraintException naming the problem (and for a schema its JSON pointer)
     */
    public Constraint constraint(ConstraintSpec spec) {
        return constraintCache().get(spec);
    }

    private ConstraintCache constraintCache() {
        ConstraintCache c = constraints;
        if (c == null) {
            synchronized (this) {
                c = constraints;
                if (c == null) {
                    c = new ConstraintCache(TokenVocabulary.of(tokenizer), CONSTRAINT_CACHE_BYTES);
                    constraints = c;
                }
            }
        }
        return c;
    }

    public Model model() { return model; }

    public ModelConfig config() { return model.config(); }

    public Tokenizer tokenizer() { return tokenizer; }

    /** The context length requests are held to: the model's, or less when capped by configuration or the KV cache. */
    public int maxModelLen() { return maxModelLen; }

    /** Tokens the whole KV cache holds. */
    public int kvCapacityTokens() { return kvCapacityTokens; }

    /** True when the KV cache, not the model or configuration, set {@link #maxModelLen()}. */
    public boolean contextCappedByKv() { return contextCappedByKv; }

    public int threads() { return stack.threads(); }

    /** KV blocks the budget holds (block 0 is the null block). */
    public int kvBlocks() { return stack.numBlocks(); }

    /** Where the model runs. */
    public Device device() { return stack.device(); }

    /** How a GPU stack uses device memory (for /metrics); null on the CPU. */
    public dev.gannet.runtime.cuda.DeviceMemory deviceMemory() { return stack.deviceMemory(); }

    /** How the model is split across ranks, for the start-up log and /v1/models. */
    public String sharding() { return stack.sharding(); }

    /** What computes the matmuls, for the start-up log: "native avx512 (...)", "vector", or the GPU. */
    public String matmuls() { return stack.matmuls(); }

    public EngineStats stats() { return engine.stats(); }

    /** Requests submitted that the engine thread has not taken in yet (they are waiting, not yet counted in stats). */
    public long queuedRequests() { return engine.queuedRequests(); }

    /** What the requests not taken in yet may cost in tokens (prompt plus what they may generate). */
    public long queuedTokens() { return engine.queuedTokens(); }

    /** True while the engine thread runs. */
    public boolean running() { return engine.running(); }

    /**
     * Queues a generation; its events (tokens with their text and logprobs, then how it ended) go to
     * {@code listener} on the engine thread.
     *
     * @throws dev.gannet.runtime.sampler.ParameterException a token id of the sampling parameters is outside the
     *                                                       vocabulary
     * @throws IllegalArgumentException                     a prompt token is outside the vocabulary, or the prompt
     *                                                       can never fit
     */
    public RequestHandle submit(Request request, RequestListener listener) {
        int vocab = tokenizer.vocabSize();
        for (int id : request.prompt()) {
            if (id >= vocab) throw new IllegalArgumentException("prompt token id " + id + " is outside the vocabulary [0, " + vocab + ")");
        }
        request.sampling().checkVocabulary(vocab);
        if (request.constraint() != null && request.constraint().vocabulary() != vocabulary()) {
            throw new IllegalArgumentException("the request's constraint was compiled for another model's vocabulary");
        }
        return engine.submit(request, listener);
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
        runner.close(); // after the engine thread, its only caller, has stopped
        stack.close();
    }
}

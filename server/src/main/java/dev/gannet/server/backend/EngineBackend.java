package dev.gannet.server.backend;

import dev.gannet.runtime.constraint.Constraint;
import dev.gannet.runtime.constraint.ConstraintSpec;
import dev.gannet.runtime.engine.EngineStats;
import dev.gannet.runtime.engine.Request;
import dev.gannet.runtime.engine.RequestHandle;
import dev.gannet.runtime.engine.RequestListener;
import dev.gannet.runtime.serving.LlmService;
import dev.gannet.runtime.tokenizer.Tokenizer;
import dev.gannet.server.api.BackendStats;
import dev.gannet.server.api.GenerationHandle;
import dev.gannet.server.api.ModelInfo;
import dev.gannet.server.api.ServingBackend;

/**
 * The front end's {@link ServingBackend} over the in-process engine ({@link LlmService}): requests and events pass
 * through untouched; this adds the model facts, token texts and the scheduler counters.
 */
public final class EngineBackend implements ServingBackend {
    private final LlmService service;
    private final Tokenizer tokenizer;
    private final ModelInfo info;

    /** The waiting-queue limit (429) is the server's: it compares {@link #stats()} with its own bound. */
    public EngineBackend(LlmService service, String servedName, String chatTemplate) {
        this.service = service;
        this.tokenizer = service.tokenizer();
        this.info = new ModelInfo(servedName, service.maxModelLen(), service.config().vocabSize(), chatTemplate,
                text(tokenizer.bosId()), text(tokenizer.eosId()), service.device().toString(), service.sharding(),
                service.kvCapacityTokens());
    }

    private String text(int id) {
        return id < 0 ? "" : tokenizer.tokenText(id);
    }

    /** The engine thread is running: false for good once it stopped (closed, or its state broke). */
    @Override
    public boolean ready() {
        return service.running();
    }

    @Override
    public ModelInfo modelInfo() {
        return info;
    }

    @Override
    public int[] tokenize(String text, boolean addSpecial, int maxTokens) {
        return tokenizer.encode(text, addSpecial, true, maxTokens);
    }

    @Override
    public String detokenize(int[] ids) {
        int vocab = tokenizer.vocabSize();
        for (int id : ids) {
            if (id < 0 || id >= vocab) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocab + ")");
        }
        return tokenizer.decode(ids, false, true);
    }

    @Override
    public String tokenPiece(int id) {
        return tokenizer.decode(new int[] {id}, false, true);
    }

    @Override
    public byte[] tokenBytes(int id) {
        return tokenizer.tokenBytes(id);
    }

    @Override
    public Constraint constraint(ConstraintSpec spec) {
        return service.constraint(spec);
    }

    @Override
    public GenerationHandle submit(Request request, RequestListener listener) {
        RequestHandle h = service.submit(request, listener);
        return h::abort;
    }

    /** vLLM's meanings: running = sequences in the running batch; waiting = sequences queued, not yet scheduled. */
    @Override
    public BackendStats stats() {
        EngineStats s = service.stats();
        double usage = s.kvUsableBlocks() == 0 ? 0 : (double) s.kvUsedBlocks() / s.kvUsableBlocks();
        var m = service.deviceMemory();
        return new BackendStats(s.running(), s.waiting() + (int) Math.min(Integer.MAX_VALUE, service.queuedRequests()),
                s.waitingTokens() + service.queuedTokens(), Math.min(1, Math.max(0, usage)), s.prefixQueryTokens(),
                s.prefixHitTokens(), s.preemptions(),
                m == null ? null : new BackendStats.GpuMemory(m.total(), m.used(), m.weights(), m.kvCache(), m.activations()));
    }
}

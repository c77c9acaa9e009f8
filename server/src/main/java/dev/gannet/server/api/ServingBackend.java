package dev.gannet.server.api;

import dev.gannet.runtime.engine.FinishReason;

/**
 * What the HTTP/gRPC front end needs from an inference engine. The lead's adapter maps the
 * continuous-batching engine (model-runtime {@code dev.gannet.runtime.engine}) and its
 * tokenizer onto this interface; tests use a fake.
 *
 * <p>Thread rules: every method may be called from a Vert.x event loop, so none may block.
 * {@link #submit} only enqueues. {@link #tokenize}/{@link #detokenize} run on the caller's
 * thread; the server moves long inputs to a worker thread first. {@link #stats()} must be
 * cheap and thread-safe (it is read on every {@code /metrics} scrape and admission check).
 * Listener callbacks arrive on the engine's own thread; the server hops back to its Vert.x
 * context itself, so the engine never waits for the network.
 */
public interface ServingBackend {

    /** True once the model is loaded and generation may be submitted; {@code /ready} reports it. */
    boolean ready();

    /** Static facts about the loaded model. Only called when {@link #ready()} is true. */
    ModelInfo modelInfo();

    /** Text to token ids; {@code addSpecial} adds the model's BOS (as HF {@code add_special_tokens}). */
    int[] tokenize(String text, boolean addSpecial);

    /** Token ids to text (special tokens rendered as their strings). */
    String detokenize(int[] ids);

    /**
     * Enqueues one sequence. The listener then receives zero or more
     * {@link GenerationListener#onTokens} calls and exactly one {@link GenerationListener#onFinish},
     * also after {@link GenerationHandle#abort()} (with {@link FinishReason#ABORT}).
     *
     * @throws BackendOverloadedException when the waiting queue is full (the server answers 429)
     * @throws IllegalArgumentException when the request cannot run on this model (answered 400)
     */
    GenerationHandle submit(GenerationRequest request, GenerationListener listener);

    /** Scheduler counters for metrics and admission; see {@link BackendStats}. */
    BackendStats stats();
}

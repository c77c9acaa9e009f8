package dev.gannet.server.api;

import dev.gannet.runtime.constraint.Constraint;
import dev.gannet.runtime.constraint.ConstraintSpec;
import dev.gannet.runtime.engine.FinishReason;
import dev.gannet.runtime.engine.Request;
import dev.gannet.runtime.engine.RequestListener;

/**
 * What the HTTP/gRPC front end needs from an inference engine: the engine adapter
 * ({@code dev.gannet.server.backend.EngineBackend}) maps the continuous-batching engine onto it; tests use a fake.
 * Requests and their events are the engine's own records ({@link Request}, {@code RequestEvent}): one typed request
 * from the socket to the sampler and one output path back, with no copies in between.
 *
 * <p>Thread rules: every method may be called from a Vert.x event loop, so none may block.
 * {@link #submit} only enqueues. {@link #tokenize}/{@link #detokenize} run on the caller's
 * thread; the server moves long inputs to a worker thread first. {@link #stats()} must be
 * cheap and thread-safe (it is read on every {@code /metrics} scrape and admission check).
 * Listener callbacks arrive on the engine's own thread; the server hops back to its Vert.x
 * context itself, so the engine never waits for the network.
 */
public interface ServingBackend {

    /**
     * True while generation may be submitted: the model is loaded and the engine is running. {@code /ready}
     * reports it; it turns false for good if the engine stops.
     */
    boolean ready();

    /** Static facts about the loaded model. Only called when {@link #ready()} is true. */
    ModelInfo modelInfo();

    /** Text to token ids; {@code addSpecial} adds the model's BOS (as HF {@code add_special_tokens}). */
    default int[] tokenize(String text, boolean addSpecial) {
        return tokenize(text, addSpecial, Integer.MAX_VALUE);
    }

    /**
     * As {@link #tokenize(String, boolean)}, stopping as soon as the text needs more than {@code maxTokens} tokens.
     *
     * @throws dev.gannet.runtime.tokenizer.TokenLimitException when it does
     */
    int[] tokenize(String text, boolean addSpecial, int maxTokens);

    /** Token ids to text (special tokens rendered as their strings). */
    String detokenize(int[] ids);

    /** One token's text as OpenAI's logprobs show it (a lone byte of a multi-byte character becomes U+FFFD). */
    String tokenPiece(int id);

    /** One token's UTF-8 bytes (OpenAI chat logprobs' {@code bytes}). */
    byte[] tokenBytes(int id);

    /**
     * The structured-output constraint {@code spec} compiled for this model's vocabulary, to put in a {@link Request}.
     * Compiled constraints are cached by spec; a new one takes milliseconds (up to ~100 ms for a large schema), so
     * call this off the event loop. Thread-safe.
     *
     * @throws dev.gannet.runtime.constraint.ConstraintException naming the problem and where it is (a JSON pointer
     *                                                         into a schema, a line and column of a grammar)
     */
    Constraint constraint(ConstraintSpec spec);

    /**
     * Enqueues one sequence. The listener then receives its events on the engine thread: tokens with their text
     * and logprobs, the last one saying how it ended, also after {@link GenerationHandle#abort()}
     * ({@link FinishReason#ABORT}).
     *
     * @throws BackendOverloadedException when the waiting queue is full (the server answers 429)
     * @throws IllegalArgumentException   when the request cannot run on this model (answered 400; a
     *                                    {@code dev.gannet.runtime.sampler.ParameterException} names the field)
     */
    GenerationHandle submit(Request request, RequestListener listener);

    /** Scheduler counters for metrics and admission; see {@link BackendStats}. */
    BackendStats stats();
}

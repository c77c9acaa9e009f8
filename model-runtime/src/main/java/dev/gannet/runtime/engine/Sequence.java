package dev.gannet.runtime.engine;

import dev.gannet.kv.BlockTable;
import dev.gannet.runtime.constraint.ConstraintMatcher;
import dev.gannet.runtime.sampler.SamplingParams;
import java.util.Arrays;

/**
 * A request inside the engine. Mutable and owned by the engine thread; never shared.
 *
 * <p>Tokens are one growable array: the prompt, then generated tokens. The scheduler hands out
 * tokens per step ({@code numComputedTokens} catches up with {@code numTokens}), so chunked
 * prefill, prefix reuse (admission starts with the cached prefix computed) and decode (one new
 * token behind) are the same mechanism.
 */
public final class Sequence {
    private final long id;
    private final Request request;
    private final RequestListener listener;
    private final BlockTable blockTable;
    private final Detokenizer detokenizer;
    private final ConstraintMatcher constraint; // this sequence's place in the request's constraint, or null
    private final long arrivalNanos;  // when it was submitted
    private long scheduledNanos;      // first put into a batch (0 = not yet)
    private long firstTokenNanos;     // first token sampled (0 = not yet)
    private int[] tokens;            // (capacity) prompt then generated token ids
    private int numTokens;
    private int numComputedTokens;   // positions whose KV is written
    private SequenceStatus status = SequenceStatus.WAITING;
    private long admissionOrder = -1; // set at each admission; larger = admitted later
    private int cachedPromptTokens = -1;
    private int preemptions;
    private boolean everScheduled;

    Sequence(long id, Request request, RequestListener listener, BlockTable blockTable, Detokenizer detokenizer,
             long arrivalNanos) {
        this.id = id;
        this.request = request;
        this.listener = listener;
        this.blockTable = blockTable;
        this.detokenizer = detokenizer;
        this.constraint = request.constraint() == null ? null : request.constraint().newState();
        this.arrivalNanos = arrivalNanos;
        int promptLength = request.promptLength();
        this.tokens = Arrays.copyOf(request.promptNoCopy(), promptLength + Math.min(request.sampling().maxTokens(), 256));
        this.numTokens = promptLength;
    }

    public long id() {
        return id;
    }

    public Request request() {
        return request;
    }

    public int priority() {
        return request.priority();
    }

    public SamplingParams sampling() {
        return request.sampling();
    }

    public SequenceStatus status() {
        return status;
    }

    public int promptLength() {
        return request.promptLength();
    }

    public int numTokens() {
        return numTokens;
    }

    /** Tokens this sequence may hold in all: its prompt plus what it may generate, capped at {@code maxContext}. */
    long cost(int maxContext) {
        return Math.min(maxContext, (long) request.promptLength() + request.sampling().maxTokens());
    }

    public int numGenerated() {
        return numTokens - request.promptLength();
    }

    public int numComputedTokens() {
        return numComputedTokens;
    }

    /** Token at a position; positions {@code [0, numTokens)}. */
    public int token(int position) {
        if (position < 0 || position >= numTokens) {
            throw new IndexOutOfBoundsException("position " + position + " not in [0, " + numTokens + ")");
        }
        return tokens[position];
    }

    /** The generated tokens so far (a copy). */
    public int[] generatedTokens() {
        return Arrays.copyOfRange(tokens, request.promptLength(), numTokens);
    }

    public BlockTable blockTable() {
        return blockTable;
    }

    public int preemptions() {
        return preemptions;
    }

    // ---- engine-thread mutation ----

    int[] rawTokens() {
        return tokens;
    }

    RequestListener listener() {
        return listener;
    }

    Detokenizer detokenizer() {
        return detokenizer;
    }

    /**
     * Where the output stands in the request's constraint, or null without one. It advances only when a sampled
     * token is appended, so preemption (which recomputes the KV of tokens already accepted) leaves it as it is.
     */
    ConstraintMatcher constraint() {
        return constraint;
    }

    long admissionOrder() {
        return admissionOrder;
    }

    int cachedPromptTokens() {
        return Math.max(0, cachedPromptTokens);
    }

    void admit(long order, int numCachedTokens) {
        status = SequenceStatus.RUNNING;
        admissionOrder = order;
        numComputedTokens = numCachedTokens;
        if (cachedPromptTokens < 0) {
            cachedPromptTokens = numCachedTokens;
        }
    }

    /** True exactly once: the first time the sequence is put into a batch (the time is noted for its timings). */
    boolean takeFirstSchedule(long nowNanos) {
        boolean first = !everScheduled;
        if (first) scheduledNanos = nowNanos;
        everScheduled = true;
        return first;
    }

    void noteToken(long nowNanos) {
        if (firstTokenNanos == 0) firstTokenNanos = nowNanos;
    }

    /** Queue, prefill and decode times of a sequence ending at {@code endNanos}: {queue, prefill, decode}. */
    long[] timings(long endNanos) {
        long scheduled = scheduledNanos == 0 ? endNanos : scheduledNanos;
        long first = firstTokenNanos == 0 ? endNanos : firstTokenNanos;
        return new long[] {Math.max(0, scheduled - arrivalNanos), Math.max(0, first - scheduled), Math.max(0, endNanos - first)};
    }

    void advanceComputed(int n) {
        numComputedTokens += n;
    }

    void appendToken(int token) {
        if (numTokens == tokens.length) {
            tokens = Arrays.copyOf(tokens, tokens.length + Math.max(16, tokens.length / 2));
        }
        tokens[numTokens++] = token;
    }

    void preempt() {
        status = SequenceStatus.PREEMPTED;
        numComputedTokens = 0;
        preemptions++;
    }

    void markFinished() {
        status = SequenceStatus.FINISHED;
    }

    @Override
    public String toString() {
        return "Sequence[" + id + ", " + status + ", tokens=" + numTokens + ", computed=" + numComputedTokens
                + ", blocks=" + blockTable.numBlocks() + "]";
    }
}

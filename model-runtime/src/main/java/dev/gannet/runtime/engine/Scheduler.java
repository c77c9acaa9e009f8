package dev.gannet.runtime.engine;

import dev.gannet.kv.KvCacheManager;
import dev.gannet.runtime.constraint.ConstraintMatcher;
import dev.gannet.runtime.sampler.SamplingParams;
import dev.gannet.runtime.sampler.TokenLogprobs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Decides, each step, which sequences run and how many tokens each gets, and applies the
 * runner's sampled tokens afterwards. Owned by the engine thread; not thread-safe.
 *
 * <p>Per step: running sequences first, in (priority, admission) order, each getting all its
 * uncomputed tokens up to the remaining budget less one token per running sequence behind it
 * (1 for a decode, a chunk for a prefill in progress), so every running sequence advances
 * every step. When KV blocks run out, the running sequence with the worst priority, admitted
 * last, is preempted (blocks freed, recomputed later; the prefix cache usually gives most of it
 * back). If nothing was preempted, waiting sequences are admitted in (priority, arrival) order
 * with prefill chunks up to the remaining budget, stopping at the first that does not fit.
 */
final class Scheduler {
    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());

    private final EngineConfig config;
    private final KvCacheManager kv;
    private final ModelRunner runner;
    private final int maxContext;
    private final PriorityQueue<Sequence> waiting = new PriorityQueue<>(
            Comparator.comparingInt(Sequence::priority).thenComparingLong(Sequence::id));
    private final ArrayList<Sequence> running = new ArrayList<>();
    private final Map<Long, Sequence> live = new HashMap<>();
    private Sequence[] scheduled = new Sequence[16]; // rows of the last schedule()
    private int[] scheduledTokens = new int[16];     // tokens of each row
    private int numScheduled;
    private long waitingTokens;  // sum of cost() over waiting
    /** The fewest prefill tokens a step takes while streams decode, so prompts keep moving under a tight budget. */
    static final int MIN_PREFILL_CHUNK = 8;
    private final StepCostModel cost = new StepCostModel();
    private long admissions;
    private long preemptions;
    private long finished;

    Scheduler(EngineConfig config, KvCacheManager kv, ModelRunner runner) {
        this.config = config;
        this.kv = kv;
        this.runner = runner;
        this.maxContext = config.maxContextTokens();
    }

    KvCacheManager kv() {
        return kv;
    }

    boolean hasWork() {
        return !running.isEmpty() || !waiting.isEmpty();
    }

    int numRunning() {
        return running.size();
    }

    int numWaiting() {
        return waiting.size();
    }

    long preemptions() {
        return preemptions;
    }

    long finished() {
        return finished;
    }

    long waitingTokens() {
        return waitingTokens;
    }

    void add(Sequence seq) {
        live.put(seq.id(), seq);
        enqueue(seq);
    }

    private void enqueue(Sequence seq) {
        waiting.add(seq);
        waitingTokens += seq.cost(maxContext);
    }

    private void dequeued(Sequence seq) {
        waitingTokens -= seq.cost(maxContext);
    }

    /** Builds this step's batch, or returns null when there is nothing to run. */
    SchedulerOutput schedule() {
        numScheduled = 0;
        int budget = stepBudget();
        boolean preempted = false;
        for (int i = 0; i < running.size() && budget > 0; i++) {
            Sequence seq = running.get(i);
            // Leave one token for each running sequence after this one, so a long prefill chunk
            // (even of a higher-priority request) never stalls their decodes. Since
            // maxBatchTokens >= maxRunning, this always leaves this sequence at least one token.
            int reserve = running.size() - i - 1;
            int n = Math.min(seq.numTokens() - seq.numComputedTokens(), Math.max(1, budget - reserve));
            int total = seq.numComputedTokens() + n;
            while (!kv.canAllocate(seq.blockTable(), total)) {
                Sequence victim = running.removeLast(); // worst priority, admitted last: never yet scheduled here
                preempt(victim);
                preempted = true;
                if (victim == seq) {
                    break;
                }
            }
            if (seq.status() != SequenceStatus.RUNNING) {
                break; // it preempted itself: it was the last running sequence
            }
            kv.allocate(seq.blockTable(), total);
            addScheduled(seq, n);
            budget -= n;
        }
        if (!preempted) {
            admitWaiting(budget);
        }
        return numScheduled == 0 ? null : buildOutput();
    }

    /**
     * The tokens this step may hold. While sequences are decoding and a step-time budget is set, prefill chunks are
     * cut so the step is predicted (by {@link StepCostModel}, fitted on the steps so far) to stay within it, and a long
     * prompt cannot stall every stream for seconds; with nothing decoding, throughput wins: the whole token budget.
     */
    private int stepBudget() {
        int max = config.maxBatchTokens();
        if (config.maxStepNanos() == EngineConfig.STEP_BUDGET_OFF || !cost.warm()) {
            return max;
        }
        int decodes = 0;
        long decodePairs = 0;
        int start = -1;
        for (Sequence seq : running) {
            if (seq.numTokens() - seq.numComputedTokens() == 1) {
                decodes++;
                decodePairs += seq.numTokens();
            } else if (start < 0) {
                start = seq.numComputedTokens();
            }
        }
        if (decodes == 0 || (start < 0 && waiting.isEmpty())) {
            return max;
        }
        long target = config.maxStepNanos() == EngineConfig.STEP_BUDGET_AUTO
                ? (long) (EngineConfig.AUTO_FACTOR * cost.predict(decodes, decodePairs)) : config.maxStepNanos();
        int prefill = cost.maxPrefillTokens(decodes, decodePairs, Math.max(0, start), target, max - decodes);
        return Math.min(max, decodes + Math.max(MIN_PREFILL_CHUNK, prefill));
    }

    /** Feeds a finished step's cost to the model that sizes later steps. */
    void observeStep(SchedulerOutput batch, long nanos) {
        long pairs = 0;
        boolean prefilled = false;
        for (int i = 0; i < batch.numSeqs(); i++) {
            int n = batch.cuSeqlens()[i + 1] - batch.cuSeqlens()[i];
            pairs += StepCostModel.pairs(batch.contextLens()[i] - n, n);
            prefilled |= n > 1;
        }
        cost.observe(batch.numTokens(), pairs, nanos, prefilled);
    }

    private void admitWaiting(int budget) {
        while (budget > 0 && running.size() < config.maxRunning() && !waiting.isEmpty()) {
            Sequence seq = waiting.peek();
            int cached = kv.findCachedPrefix(seq.blockTable(), seq.rawTokens(), seq.numTokens());
            int n = Math.min(seq.numTokens() - cached, budget);
            if (!kv.canAllocate(seq.blockTable(), cached + n)) {
                return; // keep arrival order: nobody overtakes the head
            }
            kv.allocate(seq.blockTable(), cached + n);
            waiting.poll();
            dequeued(seq);
            seq.admit(admissions++, cached);
            insertRunning(seq);
            addScheduled(seq, n);
            budget -= n;
        }
    }

    private void preempt(Sequence seq) {
        kv.free(seq.blockTable());
        seq.preempt();
        enqueue(seq);
        preemptions++;
    }

    /** Keeps running sorted by (priority, admission order); admission order only grows. */
    private void insertRunning(Sequence seq) {
        int i = running.size();
        while (i > 0 && running.get(i - 1).priority() > seq.priority()) {
            i--;
        }
        running.add(i, seq);
    }

    private void addScheduled(Sequence seq, int n) {
        if (numScheduled == scheduled.length) {
            scheduled = Arrays.copyOf(scheduled, 2 * numScheduled);
            scheduledTokens = Arrays.copyOf(scheduledTokens, 2 * numScheduled);
        }
        scheduled[numScheduled] = seq;
        scheduledTokens[numScheduled++] = n;
    }

    private SchedulerOutput buildOutput() {
        int numSeqs = numScheduled;
        int numTokens = 0;
        int numSampled = 0;
        for (int i = 0; i < numSeqs; i++) {
            numTokens += scheduledTokens[i];
            if (scheduled[i].numComputedTokens() + scheduledTokens[i] == scheduled[i].numTokens()) {
                numSampled++;
            }
        }
        int[] tokens = new int[numTokens];
        int[] positions = new int[numTokens];
        int[] slots = new int[numTokens];
        int[] cu = new int[numSeqs + 1];
        int[] contextLens = new int[numSeqs];
        int[][] tables = new int[numSeqs][];
        int[] logitIndices = new int[numSampled];
        int[] logitRows = new int[numSampled];
        long[] ids = new long[numSeqs];
        SamplingParams[] params = new SamplingParams[numSeqs];
        long now = System.nanoTime();
        int[][] newPrompts = new int[numSeqs][];
        ConstraintMatcher[] constraints = null;
        int t = 0;
        int s = 0;
        for (int i = 0; i < numSeqs; i++) {
            Sequence seq = scheduled[i];
            int start = seq.numComputedTokens();
            int end = start + scheduledTokens[i];
            int[] seqTokens = seq.rawTokens();
            for (int p = start; p < end; p++, t++) {
                tokens[t] = seqTokens[p];
                positions[t] = p;
                slots[t] = seq.blockTable().slot(p);
            }
            cu[i + 1] = t;
            contextLens[i] = end;
            tables[i] = new int[seq.blockTable().numBlocks()];
            seq.blockTable().copyTo(tables[i], 0, tables[i].length);
            if (end == seq.numTokens()) {
                logitIndices[s] = t - 1;
                logitRows[s++] = i;
            }
            ids[i] = seq.id();
            params[i] = seq.sampling();
            newPrompts[i] = seq.takeFirstSchedule(now) ? seq.request().prompt() : null;
            if (seq.constraint() != null) {
                if (constraints == null) constraints = new ConstraintMatcher[numSeqs];
                constraints[i] = seq.constraint();
            }
        }
        return new SchedulerOutput(tokens, positions, cu, contextLens, tables, kv.blockSize(), slots,
                logitIndices, logitRows, ids, params, newPrompts, constraints);
    }

    /** Applies a successful step: advances computed tokens, publishes full blocks, appends samples. */
    void postprocess(StepResult result) {
        int s = 0;
        long now = System.nanoTime();
        for (int i = 0; i < numScheduled; i++) {
            Sequence seq = scheduled[i];
            boolean sampled = seq.numComputedTokens() + scheduledTokens[i] == seq.numTokens();
            seq.advanceComputed(scheduledTokens[i]);
            kv.cacheFullBlocks(seq.blockTable(), seq.rawTokens(), seq.numComputedTokens());
            if (sampled) {
                appendSampled(seq, result.sampledTokens()[s], result.logprobs(s), now);
                s++;
            }
            scheduled[i] = null;
        }
        numScheduled = 0;
    }

    /** Ends every sequence of the last schedule with ERROR (the runner failed). */
    void failScheduled(String message) {
        for (int i = 0; i < numScheduled; i++) {
            finish(scheduled[i], FinishReason.ERROR, -1, message, -1, null);
            scheduled[i] = null;
        }
        numScheduled = 0;
    }

    /**
     * Appends a sampled token, checks the stop rules (which feed it to the detokenizer), then emits the token's
     * event: the last one, with how the request ended, when a rule stopped it.
     */
    private void appendSampled(Sequence seq, int token, TokenLogprobs.Snapshot logprobs, long now) {
        ConstraintMatcher constraint = seq.constraint();
        if (constraint != null && !constraint.accept(token)) {
            // the mask allowed nothing the sampler could take (or a runner ignored it): the output cannot stay valid
            finish(seq, FinishReason.ERROR, -1, "token " + token + " breaks the request's " + constraint.constraint().spec().kind()
                    .name().toLowerCase(java.util.Locale.ROOT) + " constraint after " + seq.numGenerated()
                    + " tokens (no allowed token could be sampled)", -1, null);
            return;
        }
        seq.appendToken(token);
        seq.noteToken(now);
        FinishReason reason;
        try {
            reason = StopRules.check(seq, token, config.eosNoCopy(), maxContext);
        } catch (RuntimeException e) { // a request's detokenizer failed: end only that request
            LOG.log(System.Logger.Level.WARNING, "detokenizer of request " + seq.id() + " threw", e);
            finish(seq, FinishReason.ERROR, -1, "detokenizer failed: " + e, -1, null);
            return;
        }
        if (reason != null) {
            boolean byToken = reason == FinishReason.STOP && (StopRules.isStopToken(seq, token, config.eosNoCopy())
                    || (constraint != null && constraint.isFinished()));
            finish(seq, reason, byToken ? token : -1, null, token, logprobs);
            return;
        }
        try {
            seq.listener().onEvent(new RequestEvent(seq.id(), token, seq.numGenerated() - 1,
                    seq.detokenizer().take(false), logprobs, null));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "listener of request " + seq.id() + " threw", e);
            finish(seq, FinishReason.ERROR, -1, "listener failed: " + e, -1, null);
        }
    }

    /** Aborts a live request; unknown or finished ids are ignored (the abort raced the finish). */
    void abort(long id) {
        Sequence seq = live.get(id);
        if (seq != null) {
            finish(seq, FinishReason.ABORT, -1, null, -1, null);
        }
    }

    /** Ends every live request (shutdown, or a failure inside the engine's own code). */
    void finishAll(FinishReason reason, String error) {
        for (Sequence seq : new ArrayList<>(live.values())) {
            finish(seq, reason, -1, error, -1, null);
        }
        numScheduled = 0;
    }

    /**
     * Ends a sequence: frees its blocks, drops the runner's state for it and emits its last event, which carries
     * {@code token} (-1 for none: abort, error, shutdown) and the text still held back.
     */
    private void finish(Sequence seq, FinishReason reason, int stopToken, String error, int token,
                        TokenLogprobs.Snapshot logprobs) {
        if (seq.status() == SequenceStatus.FINISHED) {
            return;
        }
        if (seq.status() == SequenceStatus.RUNNING) {
            running.remove(seq);
        } else if (waiting.remove(seq)) {
            dequeued(seq);
        }
        kv.free(seq.blockTable());
        seq.markFinished();
        live.remove(seq.id());
        finished++;
        try {
            runner.release(seq.id());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "runner.release(" + seq.id() + ") threw", e);
        }
        String text;
        try {
            text = seq.detokenizer().take(true);
        } catch (RuntimeException e) { // already failing, or the text is lost: the ending still goes out
            text = "";
        }
        long[] t = seq.timings(System.nanoTime());
        FinishInfo info = new FinishInfo(reason, seq.promptLength(), seq.numGenerated(), seq.cachedPromptTokens(),
                seq.preemptions(), stopToken, error, t[0], t[1], t[2]);
        try {
            seq.listener().onEvent(new RequestEvent(seq.id(), token, token < 0 ? -1 : seq.numGenerated() - 1, text,
                    logprobs, info));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "listener of request " + seq.id() + " threw on its last event", e);
        }
    }
}

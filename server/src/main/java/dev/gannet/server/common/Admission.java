package dev.gannet.server.common;

import dev.gannet.server.api.BackendStats;

/**
 * Admission by what a request costs, for HTTP and gRPC alike: its sequences (prompts x n) against the waiting
 * queue, and its tokens (each sequence's prompt plus what it may generate) against a waiting-token budget. A request
 * that could never be admitted is refused as bad input (400 / INVALID_ARGUMENT); one that could be later is told to
 * retry (429 / RESOURCE_EXHAUSTED). The check reads the backend's published counters, so two requests racing on
 * different event loops may both pass: the limits are a bound on the queue, not a lock.
 *
 * @param maxWaiting       sequences that may wait (vLLM's num_requests_waiting) before new requests get a 429
 * @param maxWaitingTokens token budget of the waiting sequences; 0 = four times what the KV cache holds
 * @param maxN             largest {@code n} one request may ask for
 * @param maxPrompts       most prompts in one completions request
 */
public record Admission(int maxWaiting, long maxWaitingTokens, int maxN, int maxPrompts) {
    public Admission {
        if (maxWaiting < 1 || maxWaitingTokens < 0 || maxN < 1 || maxPrompts < 1) {
            throw new IllegalArgumentException("admission limits out of range: max_waiting " + maxWaiting
                    + ", max_waiting_tokens " + maxWaitingTokens + ", max_n " + maxN + ", max_prompts " + maxPrompts);
        }
    }

    public static Admission defaults() {
        return new Admission(256, 0, 64, 64);
    }

    /** The waiting-token budget for a KV cache of {@code kvCacheTokens} tokens. */
    public long tokenBudget(long kvCacheTokens) {
        return maxWaitingTokens > 0 ? maxWaitingTokens : 4 * kvCacheTokens;
    }

    /**
     * @param sequences     sequences the request would add
     * @param tokens        what they may cost in tokens, in all
     * @param kvCacheTokens tokens the whole KV cache holds
     * @throws Refused when the request cannot be admitted now ({@link Refused#never()} false) or ever (true)
     */
    public void check(BackendStats stats, int sequences, long tokens, long kvCacheTokens) {
        long budget = tokenBudget(kvCacheTokens);
        if (sequences > maxWaiting) {
            throw new Refused(true, "n", "the request asks for " + sequences + " sequences (prompts x n); at most "
                    + maxWaiting + " can ever wait (max_waiting)");
        }
        if (tokens > budget) {
            throw new Refused(true, "n", "the request may cost " + tokens + " tokens (prompt + max_tokens, per sequence);"
                    + " at most " + budget + " can ever wait (max_waiting_tokens)");
        }
        if (stats.waiting() + sequences > maxWaiting) {
            throw new Refused(false, null, "the waiting queue is full: " + stats.waiting() + " sequences wait, this request"
                    + " adds " + sequences + ", the limit is " + maxWaiting + " (max_waiting); retry later");
        }
        if (stats.waitingTokens() + tokens > budget) {
            throw new Refused(false, null, "the waiting queue is full: its sequences may cost " + stats.waitingTokens()
                    + " tokens, this request adds " + tokens + ", the limit is " + budget + " (max_waiting_tokens); retry later");
        }
    }

    /** A request not admitted: {@code never} = it can never be (bad input), else only not now. */
    public static final class Refused extends RuntimeException {
        private final boolean never;
        private final String param;

        Refused(boolean never, String param, String message) {
            super(message, null, false, false);
            this.never = never;
            this.param = param;
        }

        public boolean never() {
            return never;
        }

        /** The request field to blame when {@link #never()}, else null. */
        public String param() {
            return param;
        }
    }
}

package dev.gannet.runtime.engine;

/** Token-id stop conditions, checked after each sampled token (vLLM's order). */
final class StopRules {
    private StopRules() {
    }

    /** The finish reason the new last token causes, or null to keep generating. */
    static FinishReason check(Sequence seq, int token, int[] eosTokenIds, int maxContext) {
        Request r = seq.request();
        if (seq.numTokens() >= maxContext) {
            return FinishReason.LENGTH; // hard limit, even below min_tokens
        }
        if (seq.numGenerated() < r.minTokens()) {
            return null;
        }
        if (isStopToken(seq, token, eosTokenIds)) {
            return FinishReason.STOP;
        }
        StopChecker checker = r.stopChecker();
        if (checker != null && checker.shouldStop(seq.rawTokens(), seq.promptLength(), seq.numTokens())) {
            return FinishReason.STOP;
        }
        return seq.numGenerated() >= r.maxTokens() ? FinishReason.LENGTH : null;
    }

    /** EOS (unless ignore_eos) or one of the request's stop token ids. */
    static boolean isStopToken(Sequence seq, int token, int[] eosTokenIds) {
        if (!seq.request().ignoreEos() && contains(eosTokenIds, token)) {
            return true;
        }
        return contains(seq.request().stopTokenIdsNoCopy(), token);
    }

    private static boolean contains(int[] ids, int token) {
        for (int id : ids) {
            if (id == token) {
                return true;
            }
        }
        return false;
    }
}

package dev.gannet.runtime.engine;

import dev.gannet.runtime.sampler.SamplingParams;

/** Stop conditions, checked after each sampled token in vLLM's order. */
final class StopRules {
    private StopRules() {
    }

    /**
     * Feeds the new last token to the sequence's detokenizer (unless it is the stopping EOS/stop token, whose text
     * is not output) and returns the finish reason it causes, or null to keep generating.
     */
    static FinishReason check(Sequence seq, int token, int[] eosTokenIds, int maxContext) {
        SamplingParams p = seq.sampling();
        Detokenizer text = seq.detokenizer();
        if (seq.numTokens() >= maxContext) {
            text.accept(token, false);
            return FinishReason.LENGTH; // hard limit, even below min_tokens
        }
        if (seq.numGenerated() < p.minTokens()) {
            text.accept(token, false);
            return null;
        }
        if (isStopToken(seq, token, eosTokenIds)) {
            return FinishReason.STOP;
        }
        if (text.accept(token, true)) {
            return FinishReason.STOP;
        }
        return seq.numGenerated() >= p.maxTokens() ? FinishReason.LENGTH : null;
    }

    /** EOS (unless ignore_eos) or one of the request's stop token ids. */
    static boolean isStopToken(Sequence seq, int token, int[] eosTokenIds) {
        SamplingParams p = seq.sampling();
        if (!p.ignoreEos() && contains(eosTokenIds, token)) {
            return true;
        }
        return p.isStopTokenId(token);
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

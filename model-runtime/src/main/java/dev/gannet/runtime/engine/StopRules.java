package dev.gannet.runtime.engine;

import dev.gannet.runtime.constraint.ConstraintMatcher;
import dev.gannet.runtime.sampler.SamplingParams;

/**
 * Stop conditions, checked after each sampled token in vLLM's order. A structured-output constraint adds one: once
 * the output is a complete match that nothing can extend (or its end-of-generation token was taken), the sequence
 * stops, even below {@code min_tokens} or with {@code ignore_eos}, since no further token could be valid.
 */
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
        ConstraintMatcher constraint = seq.constraint();
        if (constraint != null && constraint.isFinished()) {
            return FinishReason.STOP; // its end-of-generation token: not part of the text, as EOS never is
        }
        boolean complete = constraint != null && constraint.isComplete();
        if (seq.numGenerated() < p.minTokens() && !complete) {
            text.accept(token, false);
            return null;
        }
        if (isStopToken(seq, token, eosTokenIds)) {
            return FinishReason.STOP;
        }
        if (text.accept(token, true) || complete) {
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

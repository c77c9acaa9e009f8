package dev.gannet.runtime.sampler;

import dev.gannet.runtime.kernel.ExactExp;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Turns one sequence's logits into its next token. One sampler per sequence: it owns the RNG (seeded
 * from {@link SamplingParams#seed()}, so the same seed gives the same tokens) and the counts of seen
 * tokens for the penalties, kept incrementally. Scratch arrays come from a {@link SamplerWorkspace},
 * so {@link #sample} allocates nothing. Confined to the engine thread.
 *
 * <p>Order of processing: the structured-output mask (tokens it does not allow, and ids beyond it, become
 * -inf), repetition penalty (prompt + generated tokens), presence/frequency penalty (generated), logit bias,
 * min_tokens bans; then greedy argmax, or temperature, top-k (quickselect), min-p (relative to the most
 * likely token), top-p (on what is left, renormalised), and a draw. Logprobs are taken right after the mask,
 * as vLLM takes them after its grammar bitmask: the model's distribution renormalised over the allowed tokens.
 */
public final class Sampler {
    private final SamplingParams params;
    private final int vocabSize;
    private final SamplerWorkspace ws;
    private final TokenCounts counts;
    private final int[] biasIds;      // token ids with a logit bias
    private final float[] biasValues; // their biases
    private final int[] minTokenBans; // EOS + stop ids, banned while fewer than minTokens exist
    private final TokenLogprobs logprobs; // refilled per sample when wantLogprobs
    private final boolean wantLogprobs;
    private final boolean penalties; // any of repetition / presence / frequency on
    private long rngState;
    private int generated;

    /** A sampler with its own workspace. */
    public Sampler(SamplingParams params, int vocabSize, int[] eosTokenIds) {
        this(params, vocabSize, eosTokenIds, new SamplerWorkspace(vocabSize));
    }

    /**
     * @param eosTokenIds the model's end-of-sequence ids (banned with the stop ids until min_tokens)
     * @param ws          scratch shared by the samplers of one thread; its vocabulary must match
     */
    public Sampler(SamplingParams params, int vocabSize, int[] eosTokenIds, SamplerWorkspace ws) {
        if (ws.vocabSize != vocabSize) {
            throw new IllegalArgumentException("workspace is for a vocabulary of " + ws.vocabSize + ", sampler for " + vocabSize);
        }
        this.params = params;
        this.vocabSize = vocabSize;
        this.ws = ws;
        this.penalties = params.repetitionPenalty() != 1 || params.presencePenalty() != 0 || params.frequencyPenalty() != 0;
        this.counts = new TokenCounts(penalties ? 64 : 1);
        Map<Integer, Float> bias = params.logitBias();
        biasIds = new int[bias.size()];
        biasValues = new float[bias.size()];
        int i = 0;
        for (Map.Entry<Integer, Float> e : bias.entrySet()) {
            if (e.getKey() >= vocabSize) {
                throw new IllegalArgumentException("logit_bias token id " + e.getKey() + " is outside the vocabulary of " + vocabSize);
            }
            biasIds[i] = e.getKey();
            biasValues[i++] = e.getValue();
        }
        int[] stops = params.stopTokenIds();
        int[] eos = eosTokenIds == null ? new int[0] : eosTokenIds;
        minTokenBans = new int[eos.length + stops.length];
        System.arraycopy(eos, 0, minTokenBans, 0, eos.length);
        System.arraycopy(stops, 0, minTokenBans, eos.length, stops.length);
        wantLogprobs = params.logprobs() >= 0;
        logprobs = new TokenLogprobs(Math.max(0, params.logprobs()));
        rngState = params.seed() != null ? params.seed() : ThreadLocalRandom.current().nextLong();
    }

    public SamplingParams params() { return params; }

    /** Tokens sampled so far. */
    public int generatedCount() { return generated; }

    /** Records prompt tokens {@code [from, to)} for the repetition penalty. */
    public void addPromptTokens(int[] tokens, int from, int to) {
        if (params.repetitionPenalty() == 1) return; // only the repetition penalty looks at the prompt
        for (int i = from; i < to; i++) counts.addPrompt(tokens[i]);
    }

    /**
     * Samples the next token from {@code logits[offset, offset + vocabSize)} and records it as
     * generated. The row is used as scratch: penalties and bias are applied to it in place.
     */
    public int sample(float[] logits, int offset, int vocabSize) {
        return sample(logits, offset, vocabSize, null);
    }

    /**
     * As {@link #sample(float[], int, int)}, drawing only among the tokens whose bit is set in {@code allowed}
     * (bit {@code id} of word {@code id >>> 6}; ids beyond its words are not allowed), or among all when it is null.
     * If {@code min_tokens} would ban every allowed token (a constraint that can only end), the ban is lifted: the
     * constraint wins. The mask is only read.
     */
    public int sample(float[] logits, int offset, int vocabSize, long[] allowed) {
        if (vocabSize != this.vocabSize) {
            throw new IllegalArgumentException("logits row of " + vocabSize + " values, sampler vocabulary is " + this.vocabSize);
        }
        if (allowed != null) applyMask(logits, offset, allowed);
        if (wantLogprobs) System.arraycopy(logits, offset, ws.raw, 0, vocabSize);
        if (penalties) applyPenalties(logits, offset);
        for (int i = 0; i < biasIds.length; i++) logits[offset + biasIds[i]] += biasValues[i];
        if (generated < params.minTokens() && (allowed == null || allowsBeyond(allowed, minTokenBans))) {
            for (int id : minTokenBans) {
                if (id < vocabSize) logits[offset + id] = Float.NEGATIVE_INFINITY;
            }
        }
        int token = params.greedy() ? argmax(logits, offset, vocabSize) : sampleRandom(logits, offset, allowed);
        if (wantLogprobs) fillLogprobs(token);
        if (penalties) counts.addGenerated(token);
        generated++;
        return token;
    }

    /** Logprobs of the last sampled token, or null when the params asked for none (-1); valid until the next sample. */
    public TokenLogprobs logprobs() {
        return wantLogprobs ? logprobs : null;
    }

    /** Index of the largest value of the row; ties go to the lowest index. */
    public static int argmax(float[] logits, int offset, int n) {
        float max = VectorMath.max(logits, offset, n);
        for (int i = 0; i < n; i++) {
            if (logits[offset + i] == max) return i;
        }
        return 0; // only NaN
    }

    /** Sets every logit whose bit is clear (and every id beyond the mask's words) to -inf. */
    private void applyMask(float[] logits, int offset, long[] allowed) {
        int words = Math.min(allowed.length, (vocabSize + 63) >>> 6);
        for (int w = 0; w < words; w++) {
            long bits = allowed[w];
            if (bits == -1L) continue;
            int base = w << 6;
            int end = Math.min(base + 64, vocabSize);
            if (bits == 0) {
                java.util.Arrays.fill(logits, offset + base, offset + end, Float.NEGATIVE_INFINITY);
                continue;
            }
            // only the clear bits: inside strings nearly every token is allowed, so this touches few logits
            for (long clear = ~bits; clear != 0; clear &= clear - 1) {
                int i = base + Long.numberOfTrailingZeros(clear);
                if (i < end) logits[offset + i] = Float.NEGATIVE_INFINITY;
            }
        }
        if (words << 6 < vocabSize) java.util.Arrays.fill(logits, offset + (words << 6), offset + vocabSize, Float.NEGATIVE_INFINITY);
    }

    /** Whether the mask allows a token outside {@code banned}. */
    private boolean allowsBeyond(long[] allowed, int[] banned) {
        int words = Math.min(allowed.length, (vocabSize + 63) >>> 6);
        long count = 0;
        for (int w = 0; w < words; w++) count += Long.bitCount(allowed[w]);
        for (int i = 0; i < banned.length; i++) {
            int id = banned[i];
            boolean seenBefore = false;
            for (int j = 0; j < i; j++) seenBefore |= banned[j] == id;
            if (!seenBefore && id < words << 6 && (allowed[id >>> 6] & (1L << id)) != 0) count--;
        }
        return count > 0;
    }

    private void applyPenalties(float[] logits, int offset) {
        float rep = params.repetitionPenalty();
        float presence = params.presencePenalty();
        float frequency = params.frequencyPenalty();
        for (int s = 0, cap = counts.capacity(); s < cap; s++) {
            int tok = counts.token(s);
            if (tok < 0 || tok >= vocabSize) continue;
            int n = counts.generated(s);
            float l = logits[offset + tok];
            if (rep != 1) l = l > 0 ? l / rep : l * rep;
            if (n > 0) l -= presence + frequency * n;
            logits[offset + tok] = l;
        }
    }

    private int sampleRandom(float[] logits, int offset, long[] allowed) {
        boolean masked = allowed != null;
        float invT = 1f / params.temperature();
        float max = VectorMath.max(logits, offset, vocabSize);
        if (!(max > Float.NEGATIVE_INFINITY)) return 0; // everything banned: nothing better to do
        boolean topK = params.topK() > 0 && params.topK() < vocabSize;
        float minP = params.minP();
        boolean topP = params.topP() < 1;
        float[] val = ws.val;
        int[] idx = ws.idx;
        if (topK) {
            // min-p keeps p >= minP * pmax, i.e. (l - max) / T >= ln(minP): a compare, no exp
            float minLogit = minP > 0 ? max + (float) Math.log(minP) / invT : Float.NEGATIVE_INFINITY;
            int n = Candidates.heapTop(logits, offset, vocabSize, params.topK(), minLogit, val, idx);
            double total = VectorMath.expShifted(val, 0, val, n, max, invT); // weights keep the logits' order
            if (topP) {
                n = Candidates.selectMass(val, idx, n, params.topP() * total);
                total = sum(val, n);
            }
            return draw(val, idx, n, total);
        }
        int n = masked ? sparseWeights(logits, offset, allowed, max, invT) : -1;
        double total;
        if (n >= 0) { // few allowed tokens: only they are weighed
            total = sum(val, n);
            if (minP > 0) {
                n = compact(val, idx, n, minP, true);
                total = sum(val, n);
            }
        } else {
            total = VectorMath.expShifted(logits, offset, val, vocabSize, max, invT); // max weight is 1
            if (minP == 0 && !topP) {
                if (masked) total -= zeroDisallowed(val, allowed); // cheaper than compacting the row
                return draw(val, null, vocabSize, total);
            }
            // exp of -inf is a tiny positive weight (ExactExp clamps), so masked tokens are dropped by their logit
            n = masked ? compactFinite(val, idx, logits, offset, vocabSize, minP) : compact(val, idx, vocabSize, minP, false);
            if (masked || minP > 0) total = sum(val, n);
        }
        if (topP) {
            // Tokens below (1 - p) * total / n together weigh under (1 - p) * total, and they are the
            // worst ones, so none can be in the nucleus: dropping them first is exact and, for the
            // peaked distributions of real models, leaves little for the mass quickselect.
            n = compact(val, idx, n, (float) ((1 - params.topP()) * total / n), true);
            n = Candidates.selectMass(val, idx, n, params.topP() * total);
            total = sum(val, n);
        }
        return draw(val, idx, n, total);
    }

    /**
     * When the mask allows at most 1/8 of the vocabulary (JSON punctuation, keys, enums, numbers), the weights of
     * just those tokens into {@code ws.val}/{@code ws.idx} (by id), and their count; -1 when more are allowed, as in
     * free text inside a string, where weighing the whole row at once is faster.
     */
    private int sparseWeights(float[] logits, int offset, long[] allowed, float max, float invT) {
        int words = Math.min(allowed.length, (vocabSize + 63) >>> 6);
        int count = 0;
        for (int w = 0; w < words; w++) count += Long.bitCount(allowed[w]);
        if (count > vocabSize >>> 3) return -1;
        float[] val = ws.val;
        int[] idx = ws.idx;
        int n = 0;
        for (int w = 0; w < words; w++) {
            for (long bits = allowed[w]; bits != 0; bits &= bits - 1) {
                int i = (w << 6) + Long.numberOfTrailingZeros(bits);
                if (i >= vocabSize) break;
                float l = logits[offset + i];
                if (l == Float.NEGATIVE_INFINITY) continue; // banned by min_tokens or a bias
                val[n] = ExactExp.scalarExp((l - max) * invT);
                idx[n++] = i;
            }
        }
        return n;
    }

    /** Keeps the weights {@code >= min} in place, in order; idx becomes (or stays, if compacted) their token ids. */
    private static int compact(float[] val, int[] idx, int n, float min, boolean compacted) {
        int m = 0;
        for (int i = 0; i < n; i++) {
            float w = val[i];
            if (w >= min && w > 0) {
                val[m] = w;
                idx[m++] = compacted ? idx[i] : i;
            }
        }
        return m;
    }

    /**
     * Sets the weight of every token the mask does not allow to 0 (exp of -inf is a tiny positive weight: ExactExp
     * clamps) and returns the weight removed. Visits only clear bits of mixed words, as {@link #applyMask}.
     */
    private double zeroDisallowed(float[] val, long[] allowed) {
        int words = Math.min(allowed.length, (vocabSize + 63) >>> 6);
        double removed = 0;
        for (int w = 0; w < words; w++) {
            long bits = allowed[w];
            if (bits == -1L) continue;
            int base = w << 6;
            int end = Math.min(base + 64, vocabSize);
            for (long clear = ~bits; clear != 0; clear &= clear - 1) {
                int i = base + Long.numberOfTrailingZeros(clear);
                if (i >= end) break;
                removed += val[i];
                val[i] = 0;
            }
        }
        for (int i = words << 6; i < vocabSize; i++) {
            removed += val[i];
            val[i] = 0;
        }
        return removed;
    }

    /** As {@link #compact} over the whole row, also dropping tokens whose logit is -inf. */
    private static int compactFinite(float[] val, int[] idx, float[] logits, int offset, int n, float min) {
        int m = 0;
        for (int i = 0; i < n; i++) {
            float w = val[i];
            if (w >= min && w > 0 && logits[offset + i] != Float.NEGATIVE_INFINITY) {
                val[m] = w;
                idx[m++] = i;
            }
        }
        return m;
    }

    private static double sum(float[] a, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += a[i];
        return s;
    }

    /** Draws position i of [0, n) with probability weight[i] / total; returns idx[i] (or i when idx is null). */
    private int draw(float[] weight, int[] idx, int n, double total) {
        double u = nextDouble() * total;
        double cum = 0;
        int last = -1;
        for (int i = 0; i < n; i++) {
            if (weight[i] <= 0) continue;
            cum += weight[i];
            last = i;
            if (cum > u) break;
        }
        if (last < 0) last = 0; // no positive weight: cannot happen, the best token weighs exp(0) = 1
        return idx == null ? last : idx[last];
    }

    /** Log-softmax of the raw row: the chosen token and the best {@code n}, by one pass with an insertion list. */
    private void fillLogprobs(int token) {
        float[] raw = ws.raw;
        float max = VectorMath.max(raw, 0, vocabSize);
        double sum = VectorMath.expShifted(raw, 0, ws.val, vocabSize, max, 1f);
        float lse = max + (float) Math.log(sum);
        int want = params.logprobs();
        int[] ids = logprobs.topIds;
        float[] lps = logprobs.topLogprobs;
        int have = 0;
        for (int i = 0; i < vocabSize && want > 0; i++) {
            float v = raw[i];
            if (v == Float.NEGATIVE_INFINITY || (have == want && !(v > lps[have - 1]))) continue; // masked: not an alternative
            int j = have < want ? have++ : have - 1;
            while (j > 0 && v > lps[j - 1]) { lps[j] = lps[j - 1]; ids[j] = ids[j - 1]; j--; }
            lps[j] = v;
            ids[j] = i;
        }
        for (int i = 0; i < have; i++) lps[i] -= lse;
        logprobs.topCount = have;
        logprobs.token = token;
        logprobs.logprob = raw[token] - lse;
    }

    // splitmix64: tiny, fast, and the same sequence on every JDK
    private long nextLong() {
        long z = (rngState += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }
}

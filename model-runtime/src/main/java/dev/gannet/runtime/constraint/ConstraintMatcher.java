package dev.gannet.runtime.constraint;

import java.util.Arrays;

/**
 * One sequence's position in a {@link Constraint}: which tokens may come next ({@link #fillMask}), and
 * taking them ({@link #accept}). It keeps the state after every accepted token, so {@link #rollback} is
 * an index move and {@link #copy} is cheap (states are immutable and shared).
 *
 * <p>Threads: a matcher is used by one thread at a time; it may be handed between threads (the engine
 * thread accepts the sampled token, a helper fills the next mask while the forward pass runs) as long as
 * the hand-over is a happens-before edge (an executor, a future). {@link #fillMask} does not change what
 * the matcher accepts; on a warm constraint it allocates nothing when the state's token sets are cached
 * and no token needs checking against the stack.
 */
public final class ConstraintMatcher {
    private final Constraint constraint;
    private final CompiledGrammar grammar;
    private final TokenVocabulary vocab;
    private ParseState[] history = new ParseState[32]; // history[k]: after k accepted tokens
    private int count;
    private final long[] memo;         // the mask of memoState
    private ParseState memoState;

    ConstraintMatcher(Constraint constraint) {
        this.constraint = constraint;
        this.grammar = constraint.grammar;
        this.vocab = constraint.vocab;
        this.history[0] = constraint.initial;
        this.count = 1;
        this.memo = new long[vocab.maskWords()];
    }

    private ConstraintMatcher(ConstraintMatcher o) {
        this.constraint = o.constraint;
        this.grammar = o.grammar;
        this.vocab = o.vocab;
        this.history = o.history.clone();
        this.count = o.count;
        this.memo = o.memo.clone();
        this.memoState = o.memoState;
    }

    public Constraint constraint() {
        return constraint;
    }

    /** An independent matcher in the same state, with the same history. */
    public ConstraintMatcher copy() {
        return new ConstraintMatcher(this);
    }

    /** Tokens accepted so far (end-of-generation included). */
    public int tokensAccepted() {
        return count - 1;
    }

    /**
     * Sets bit {@code id} of {@code mask} ({@code mask[id >>> 6] & (1L << id)}) for every token allowed next
     * and clears all other bits, including any words beyond the vocabulary. End-of-generation tokens are
     * allowed exactly when {@link #canTerminate()}. {@code mask} needs {@link TokenVocabulary#maskWords()} longs.
     */
    public void fillMask(long[] mask) {
        int words = vocab.maskWords();
        if (mask.length < words) throw new IllegalArgumentException("mask has " + mask.length + " words, needs " + words);
        ParseState s = history[count - 1];
        if (memoState == null || !memoState.equals(s)) {
            compute(s, memo);
            memoState = s;
        }
        System.arraycopy(memo, 0, mask, 0, words);
        if (mask.length > words) Arrays.fill(mask, words, mask.length, 0L);
    }

    private void compute(ParseState s, long[] out) {
        Frame[] scan = s.scan;
        if (scan.length == 1) {
            constraint.positionMask(scan[0]).accepted().copyInto(out, out.length);
        } else {
            Arrays.fill(out, 0L);
            for (Frame f : scan) constraint.positionMask(f).accepted().orInto(out);
        }
        for (Frame f : scan) {
            for (int id : constraint.positionMask(f).uncertain()) {
                if ((out[id >>> 6] & (1L << id)) == 0 && Stacks.accepts(grammar, f, vocab.bytesOf(id))) {
                    out[id >>> 6] |= 1L << id;
                }
            }
        }
        if (s.complete) for (int id : vocab.eogIds()) out[id >>> 6] |= 1L << id;
    }

    /** Whether {@code token} may come next (the state is unchanged). */
    public boolean isAllowed(int token) {
        return next(history[count - 1], token) != null;
    }

    /** Takes {@code token} if it is allowed and returns true; otherwise changes nothing and returns false. */
    public boolean accept(int token) {
        ParseState n = next(history[count - 1], token);
        if (n == null) return false;
        push(n);
        return true;
    }

    /**
     * Takes {@code tokens[from..to)} all or none (replaying a sequence after preemption by recompute, or
     * re-creating a matcher from a sequence's output); returns whether all were allowed.
     */
    public boolean acceptAll(int[] tokens, int from, int to) {
        int start = count;
        for (int i = from; i < to; i++) {
            if (!accept(tokens[i])) {
                count = start;
                return false;
            }
        }
        return true;
    }

    /** Forgets the last {@code n} accepted tokens. */
    public void rollback(int n) {
        if (n < 0 || n > count - 1) throw new IllegalArgumentException("cannot roll back " + n + " of " + (count - 1) + " tokens");
        count -= n;
    }

    /** Whether the output so far is a complete match, so an end-of-generation token is allowed now. */
    public boolean canTerminate() {
        ParseState s = history[count - 1];
        return s != ParseState.FINISHED && s.complete;
    }

    /**
     * Whether nothing but ending can follow: the output is a complete match that no token extends, or an
     * end-of-generation token was accepted. The engine may then stop the sequence without sampling.
     */
    public boolean isComplete() {
        ParseState s = history[count - 1];
        return s == ParseState.FINISHED || (s.complete && s.scan.length == 0);
    }

    /** Whether an end-of-generation token was accepted. */
    public boolean isFinished() {
        return history[count - 1] == ParseState.FINISHED;
    }

    private void push(ParseState s) {
        if (count == history.length) history = Arrays.copyOf(history, count * 2);
        history[count++] = s;
    }

    /** The state after {@code token}, or null if it is not allowed. */
    private ParseState next(ParseState s, int token) {
        if (s == ParseState.FINISHED || token < 0 || token >= vocab.size()) return null;
        if (vocab.isEndOfGeneration(token)) return s.complete ? ParseState.FINISHED : null;
        byte[] bytes = vocab.bytesOf(token);
        if (bytes == null) return null;
        ParseState cur = s;
        for (byte x : bytes) {
            cur = advance(cur, x & 0xFF);
            if (cur == null) return null;
        }
        return cur;
    }

    private ParseState advance(ParseState s, int b) {
        Frame[] scan = s.scan;
        if (scan.length == 1 && scan[0].parent == null) { // a lone root stack: cached states, no allocation
            int t = grammar.rules[grammar.root].step(scan[0].state, b);
            return t == RuleDfa.DEAD ? null : constraint.rootState(t);
        }
        Stacks.Closure c = Stacks.step(grammar, scan, b);
        if (c.stepped == 0) return null;
        if (c.scan.size() == 1 && c.scan.getFirst().parent == null) {
            ParseState rs = constraint.rootState(c.scan.getFirst().state);
            if (rs.complete == c.complete) return rs;
        }
        return new ParseState(c.scanArray(), c.complete);
    }
}

package dev.gannet.runtime.constraint;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A compiled constraint over one vocabulary: its automata and the per-position token sets computed so
 * far. Immutable in meaning and safe to share between threads and sequences: the caches fill lazily
 * (a race computes an entry twice, harmlessly). Make one per-sequence matcher with {@link #newState()}.
 */
public final class Constraint {
    private final ConstraintSpec spec;
    final CompiledGrammar grammar;
    final TokenVocabulary vocab;
    private final AtomicReferenceArray<PositionMask>[] masks; // per rule: (state * 2 + noContext)
    private final AtomicReferenceArray<ParseState> rootStates; // the state of a lone root frame, per root state
    private final AtomicLong maskBytes = new AtomicLong();
    final ParseState initial;

    @SuppressWarnings("unchecked")
    Constraint(ConstraintSpec spec, CompiledGrammar grammar, TokenVocabulary vocab) {
        this.spec = spec;
        this.grammar = grammar;
        this.vocab = vocab;
        this.masks = new AtomicReferenceArray[grammar.rules.length];
        for (int r = 0; r < masks.length; r++) {
            if (grammar.rules[r] != null) masks[r] = new AtomicReferenceArray<>(grammar.rules[r].states() * 2);
        }
        this.rootStates = new AtomicReferenceArray<>(grammar.rules[grammar.root].states());
        this.initial = rootState(0);
    }

    public ConstraintSpec spec() {
        return spec;
    }

    public TokenVocabulary vocabulary() {
        return vocab;
    }

    /** A matcher at the start of the output. */
    public ConstraintMatcher newState() {
        return new ConstraintMatcher(this);
    }

    /** Automaton states over all rules (a size measure for logs and the cache). */
    public int automatonStates() {
        return grammar.totalStates();
    }

    /** Bytes of the automata plus an allowance for the token sets cached per state. */
    public long estimatedBytes() {
        return grammar.sizeBytes() + (long) grammar.totalStates() * Math.min(2048, vocab.maskWords() * 8L / 4);
    }

    /** Bytes of the token sets cached so far. */
    public long cachedMaskBytes() {
        return maskBytes.get();
    }

    PositionMask positionMask(Frame top) {
        boolean noContext = top.parent == null;
        int slot = top.state * 2 + (noContext ? 1 : 0);
        AtomicReferenceArray<PositionMask> perRule = masks[top.rule];
        PositionMask m = perRule.get(slot);
        if (m == null) {
            m = MaskBuilder.build(grammar, vocab, top.rule, top.state, noContext);
            if (perRule.compareAndSet(slot, null, m)) maskBytes.addAndGet(m.sizeBytes());
            else m = perRule.get(slot);
        }
        return m;
    }

    /** The parse state of the lone stack (root in {@code state}); cached, so pure-automaton constraints allocate nothing per token. */
    ParseState rootState(int state) {
        ParseState p = rootStates.get(state);
        if (p == null) {
            Stacks.Closure c = new Stacks.Closure();
            Stacks.expand(grammar, Frame.of(grammar, grammar.root, state, null), c);
            p = new ParseState(c.scanArray(), c.complete);
            if (!rootStates.compareAndSet(state, null, p)) p = rootStates.get(state);
        }
        return p;
    }

    @Override
    public String toString() {
        return "Constraint[" + spec.kind() + ", " + automatonStates() + " states]";
    }
}

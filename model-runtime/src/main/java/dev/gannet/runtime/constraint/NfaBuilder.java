package dev.gannet.runtime.constraint;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds one rule's {@link Nfa} from its {@link Expr}, inlining calls of non-recursive rules whose
 * expansion stays small (so most of a JSON schema becomes one automaton whose masks need no stack) and
 * keeping the others as call edges.
 */
final class NfaBuilder {
    /** Inline a rule when its expansion, times the repetitions around the call, is at most this many states. */
    static final int INLINE_LIMIT = 20_000;
    /** A rule whose automaton would exceed this many NFA states is refused. */
    static final int MAX_NFA_STATES = 400_000;

    private final Grammar grammar;
    private final boolean[] recursive;
    private final Map<Integer, Long> sizes = new HashMap<>();
    private final String what;
    private Nfa nfa;
    private long multiplier = 1;

    NfaBuilder(Grammar grammar, boolean[] recursive, String what) {
        this.grammar = grammar;
        this.recursive = recursive;
        this.what = what;
    }

    Nfa build(int rule) {
        nfa = new Nfa();
        multiplier = 1;
        nfa.start = nfa.newState();
        nfa.end = emit(grammar.body(rule), nfa.start);
        return nfa;
    }

    boolean inlines(int rule) {
        return !recursive[rule] && size(rule) * multiplier <= INLINE_LIMIT;
    }

    /** Adds {@code e} starting at state {@code from}; returns the state where it ends. */
    private int emit(Expr e, int from) {
        if (nfa.states > MAX_NFA_STATES) {
            throw new ConstraintException(what + " is too large: more than " + MAX_NFA_STATES
                    + " automaton states after expanding repetitions", null);
        }
        return switch (e) {
            case Expr.Seq s -> {
                int cur = from;
                for (Expr item : s.items()) cur = emit(item, cur);
                yield cur;
            }
            case Expr.Alt a -> {
                int end = nfa.newState();
                for (Expr o : a.options()) {
                    int s = nfa.newState();
                    nfa.eps(from, s);
                    nfa.eps(emit(o, s), end);
                }
                yield end;
            }
            case Expr.Repeat r -> repeat(r, from);
            case Expr.Bytes b -> {
                int cur = from;
                for (byte x : b.bytes()) {
                    int next = nfa.newState();
                    nfa.bytes(cur, x & 0xFF, x & 0xFF, next);
                    cur = next;
                }
                yield cur;
            }
            case Expr.ByteSet bs -> {
                int end = nfa.newState();
                byteSet(bs.bits(), from, end);
                yield end;
            }
            case Expr.CodePoints cp -> codePoints(cp.set(), from);
            case Expr.Ref ref -> {
                if (inlines(ref.rule())) yield emit(grammar.body(ref.rule()), from);
                int end = nfa.newState();
                nfa.call(from, ref.rule(), end);
                yield end;
            }
            case Expr.Fsm f -> fsm(f.dfa(), from);
        };
    }

    private int repeat(Expr.Repeat r, int from) {
        long saved = multiplier;
        multiplier = saved * Math.max(1, r.max() == -1 ? Math.max(r.min(), 1) : r.max());
        try {
            int cur = from;
            for (int i = 0; i < r.min(); i++) cur = emit(r.body(), cur);
            if (r.max() == -1) {
                int loop = nfa.newState();
                nfa.eps(cur, loop);
                int bodyStart = nfa.newState();
                nfa.eps(loop, bodyStart);
                nfa.eps(emit(r.body(), bodyStart), loop);
                return loop;
            }
            if (r.max() == r.min()) return cur;
            int end = nfa.newState();
            for (int i = r.min(); i < r.max(); i++) {
                nfa.eps(cur, end);
                cur = emit(r.body(), cur);
            }
            nfa.eps(cur, end);
            return end;
        } finally {
            multiplier = saved;
        }
    }

    private void byteSet(long[] bits, int from, int to) {
        int b = 0;
        while (b < 256) {
            if ((bits[b >> 6] & (1L << (b & 63))) == 0) {
                b++;
                continue;
            }
            int lo = b;
            while (b < 256 && (bits[b >> 6] & (1L << (b & 63))) != 0) b++;
            nfa.bytes(from, lo, b - 1, to);
        }
    }

    private int codePoints(CodePointSet set, int from) {
        int end = nfa.newState();
        for (int[] seq : set.utf8Sequences()) {
            int cur = from;
            int n = seq.length / 2;
            for (int i = 0; i < n; i++) {
                int next = i == n - 1 ? end : nfa.newState();
                nfa.bytes(cur, seq[2 * i], seq[2 * i + 1], next);
                cur = next;
            }
        }
        return end;
    }

    private int fsm(ByteDfa dfa, int from) {
        int end = nfa.newState();
        int base = nfa.states;
        nfa.states += dfa.states();
        nfa.eps(from, base);
        for (int s = 0; s < dfa.states(); s++) {
            if (dfa.accepting()[s]) nfa.eps(base + s, end);
            int b = 0;
            while (b < 256) {
                int t = dfa.step(s, b);
                int lo = b;
                while (b < 256 && dfa.step(s, b) == t) b++;
                if (t != ByteDfa.DEAD) nfa.bytes(base + s, lo, b - 1, base + t);
            }
        }
        return end;
    }

    /** NFA states the rule's body would take, with its inlinable calls expanded. */
    long size(int rule) {
        Long known = sizes.get(rule);
        if (known != null) return known;
        sizes.put(rule, (long) INLINE_LIMIT + 1); // guards cycles; recursive rules never inline anyway
        long s = size(grammar.body(rule));
        sizes.put(rule, s);
        return s;
    }

    private long size(Expr e) {
        return switch (e) {
            case Expr.Seq s -> sum(s.items(), 0);
            case Expr.Alt a -> sum(a.options(), 2);
            case Expr.Repeat r -> {
                long reps = r.max() == -1 ? Math.max(r.min(), 1) + 1 : Math.max(r.max(), 1);
                yield Math.min(Long.MAX_VALUE / 4, size(r.body()) * reps + reps + 1);
            }
            case Expr.Bytes b -> b.bytes().length;
            case Expr.ByteSet bs -> 1;
            case Expr.CodePoints cp -> 1 + 3L * cp.set().rangeCount();
            case Expr.Ref ref -> recursive[ref.rule()] ? 1 : Math.max(1, size(ref.rule()));
            case Expr.Fsm f -> f.dfa().states() + 1;
        };
    }

    private long sum(List<Expr> items, int each) {
        long s = 0;
        for (Expr x : items) s = Math.min(Long.MAX_VALUE / 4, s + size(x) + each);
        return s;
    }
}

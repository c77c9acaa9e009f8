package dev.gannet.runtime.constraint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One rule's automaton: deterministic over bytes and over calls (a call of rule R from state s
 * continues in one state), nondeterministic only between reading a byte, calling a rule and
 * returning, which the matcher's set of stacks resolves. State 0 is the start.
 */
final class RuleDfa {
    static final int DEAD = -1;
    /** Most DFA states one rule may have. */
    static final int MAX_STATES = 200_000;

    final byte[] classOf = new byte[256]; // byte -> class (unsigned)
    final int classes;
    final int[] next;          // (states, classes) -> state or DEAD
    final int[][] calls;       // per state: rule0, next0, rule1, next1 ...
    final boolean[] accepting;
    final boolean[] readsBytes; // the state has at least one byte transition
    /** Bytes on which state s steps to itself, a 256-bit set at {@code [4s, 4s + 4)}. */
    long[] loopBytes;
    boolean[] hasLoop;
    /** Per state, the text characters it has room for ({@link TextRuns#safeDepths}). */
    int[] textSafe;
    final boolean anyCalls;

    private RuleDfa(int[] classOfInts, int classes, int[] next, int[][] calls, boolean[] accepting) {
        for (int b = 0; b < 256; b++) classOf[b] = (byte) classOfInts[b];
        this.classes = classes;
        this.next = next;
        this.calls = calls;
        this.accepting = accepting;
        this.readsBytes = new boolean[accepting.length];
        boolean any = false;
        for (int s = 0; s < accepting.length; s++) any |= calls[s].length > 0;
        this.anyCalls = any;
        refreshReads();
    }

    int states() {
        return accepting.length;
    }

    int step(int state, int b) {
        return next[state * classes + (classOf[b] & 0xFF)];
    }

    /** Recomputes what derives from {@code next}: which states read bytes and which loop on which bytes. */
    void refreshReads() {
        long[] loops = new long[4 * accepting.length];
        boolean[] looping = new boolean[accepting.length];
        for (int s = 0; s < accepting.length; s++) {
            boolean r = false;
            boolean anyLoop = false;
            for (int c = 0; c < classes; c++) {
                int t = next[s * classes + c];
                r |= t != DEAD;
                anyLoop |= t == s;
            }
            readsBytes[s] = r;
            looping[s] = anyLoop;
            if (!anyLoop) continue;
            for (int b = 0; b < 256; b++) {
                if (next[s * classes + (classOf[b] & 0xFF)] == s) loops[4 * s + (b >>> 6)] |= 1L << b;
            }
        }
        loopBytes = loops;
        hasLoop = looping;
        textSafe = TextRuns.safeDepths(this);
    }

    /**
     * Whether every path below trie node {@code n} of {@code v} is read from state {@code s} without dying:
     * its tokens continue with text characters only and {@code s} has room for as many, or its bytes all
     * loop on {@code s}.
     */
    boolean acceptsSubtree(int s, TokenVocabulary v, int n) {
        int h = v.textHeight[n];
        return (h >= 0 && h <= textSafe[s]) || (hasLoop[s] && loopsOnAll(s, v.subtreeBytes, n));
    }

    /** Whether state {@code s} steps to itself on every byte of the 256-bit set {@code bytes[4i, 4i + 4)}. */
    boolean loopsOnAll(int s, long[] bytes, int i) {
        int a = 4 * s, b = 4 * i;
        return (bytes[b] & ~loopBytes[a]) == 0 && (bytes[b + 1] & ~loopBytes[a + 1]) == 0
                && (bytes[b + 2] & ~loopBytes[a + 2]) == 0 && (bytes[b + 3] & ~loopBytes[a + 3]) == 0;
    }

    /** Subset construction over bytes (in equivalence classes) and called rules. */
    static RuleDfa determinize(Nfa nfa, String what) {
        int[][] epsOut = adjacency(nfa.states, nfa.epsEdges, nfa.epsCount, 2, 0);
        int[][] byteOut = adjacency(nfa.states, nfa.byteEdges, nfa.byteCount, 4, 0);
        int[][] callOut = adjacency(nfa.states, nfa.callEdges, nfa.callCount, 3, 0);
        int[] classOf = new int[256];
        int classes = byteClasses(nfa, classOf);

        Map<Key, Integer> ids = new HashMap<>();
        List<int[]> sets = new ArrayList<>();
        int[] startSet = closure(new int[] {nfa.start}, epsOut, nfa.states);
        ids.put(new Key(startSet), 0);
        sets.add(startSet);
        int[] next = new int[64 * classes];
        List<int[]> calls = new ArrayList<>();
        BitSet scratch = new BitSet(nfa.states);
        int[][] perClass = new int[classes][8]; // targets per byte class (duplicates are fine: closure dedupes)
        int[] counts = new int[classes];
        for (int d = 0; d < sets.size(); d++) {
            int[] set = sets.get(d);
            if ((d + 1) * classes > next.length) next = Arrays.copyOf(next, next.length * 2);
            for (int s : set) {
                for (int e : byteOut[s]) {
                    int to = nfa.byteEdges[e * 4 + 3];
                    for (int c = classOf[nfa.byteEdges[e * 4 + 1]], last = classOf[nfa.byteEdges[e * 4 + 2]]; c <= last; c++) {
                        if (counts[c] == perClass[c].length) perClass[c] = Arrays.copyOf(perClass[c], counts[c] * 2);
                        perClass[c][counts[c]++] = to;
                    }
                }
            }
            for (int c = 0; c < classes; c++) {
                next[d * classes + c] = counts[c] == 0 ? DEAD
                        : intern(Arrays.copyOf(perClass[c], counts[c]), epsOut, nfa.states, ids, sets, what);
                counts[c] = 0;
            }
            TreeSet<Integer> rules = new TreeSet<>();
            for (int s : set) for (int e : callOut[s]) rules.add(nfa.callEdges[e * 3 + 1]);
            int[] row = new int[rules.size() * 2];
            int k = 0;
            for (int rule : rules) {
                scratch.clear();
                for (int s : set) {
                    for (int e : callOut[s]) if (nfa.callEdges[e * 3 + 1] == rule) scratch.set(nfa.callEdges[e * 3 + 2]);
                }
                row[k++] = rule;
                row[k++] = intern(scratch.stream().toArray(), epsOut, nfa.states, ids, sets, what);
            }
            calls.add(row);
        }
        boolean[] accepting = new boolean[sets.size()];
        for (int d = 0; d < accepting.length; d++) accepting[d] = Arrays.binarySearch(sets.get(d), nfa.end) >= 0;
        return new RuleDfa(classOf, classes, Arrays.copyOf(next, sets.size() * classes),
                calls.toArray(new int[0][]), accepting);
    }

    private static int intern(int[] targets, int[][] epsOut, int n, Map<Key, Integer> ids, List<int[]> sets, String what) {
        int[] set = closure(targets, epsOut, n);
        Key key = new Key(set);
        Integer id = ids.get(key);
        if (id != null) return id;
        if (sets.size() >= MAX_STATES) {
            throw new ConstraintException(what + " is too large: one rule needs more than " + MAX_STATES
                    + " automaton states", null);
        }
        ids.put(key, sets.size());
        sets.add(set);
        return sets.size() - 1;
    }

    private static int[] closure(int[] seeds, int[][] epsOut, int n) {
        Closer c = CLOSER.get();
        return c.close(seeds, epsOut, n);
    }

    private static final ThreadLocal<Closer> CLOSER = ThreadLocal.withInitial(Closer::new);

    /** Epsilon closure with a reused stamp array, so each call allocates only its result. */
    private static final class Closer {
        private int[] stamp = new int[0];
        private int[] stack = new int[64];
        private int generation;

        int[] close(int[] seeds, int[][] epsOut, int n) {
            if (stamp.length < n) stamp = new int[n];
            if (++generation == Integer.MAX_VALUE) {
                java.util.Arrays.fill(stamp, 0);
                generation = 1;
            }
            int top = 0, count = 0;
            int[] out = new int[Math.max(8, seeds.length)];
            for (int s : seeds) {
                if (stamp[s] == generation) continue;
                stamp[s] = generation;
                if (top == stack.length) stack = Arrays.copyOf(stack, top * 2);
                stack[top++] = s;
            }
            while (top > 0) {
                int s = stack[--top];
                if (count == out.length) out = Arrays.copyOf(out, count * 2);
                out[count++] = s;
                for (int t : epsOut[s]) {
                    if (stamp[t] == generation) continue;
                    stamp[t] = generation;
                    if (top == stack.length) stack = Arrays.copyOf(stack, top * 2);
                    stack[top++] = t;
                }
            }
            int[] r = Arrays.copyOf(out, count);
            Arrays.sort(r);
            return r;
        }
    }

    /** Outgoing edge indices per state; for epsilon edges (stride 2) the targets themselves. */
    private static int[][] adjacency(int n, int[] edges, int count, int stride, int fromField) {
        int[] deg = new int[n];
        for (int i = 0; i < count; i++) deg[edges[i * stride + fromField]]++;
        int[][] out = new int[n][];
        for (int s = 0; s < n; s++) out[s] = new int[deg[s]];
        Arrays.fill(deg, 0);
        for (int i = 0; i < count; i++) {
            int from = edges[i * stride + fromField];
            out[from][deg[from]++] = stride == 2 ? edges[i * stride + 1] : i;
        }
        return out;
    }

    /** Splits 0..255 into classes of bytes that every byte edge treats alike; returns the class count. */
    private static int byteClasses(Nfa nfa, int[] classOf) {
        boolean[] boundary = new boolean[257];
        boundary[0] = true;
        for (int i = 0; i < nfa.byteCount; i++) {
            boundary[nfa.byteEdges[i * 4 + 1]] = true;
            boundary[nfa.byteEdges[i * 4 + 2] + 1] = true;
        }
        int c = -1;
        for (int b = 0; b < 256; b++) {
            if (boundary[b]) c++;
            classOf[b] = c;
        }
        return c + 1;
    }

    private record Key(int[] set) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(set, k.set);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(set);
        }
    }
}

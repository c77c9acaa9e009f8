package dev.gannet.runtime.constraint;

import java.util.Arrays;

/**
 * Computes a {@link PositionMask} by walking the vocabulary's byte trie once from the position, pruning
 * every subtree whose prefix the automaton rejects (XGrammar's adaptive token mask cache, llguidance's
 * trie walk). Rules that call no other rule walk with a plain int state and allocate nothing per node.
 */
final class MaskBuilder {
    private MaskBuilder() {}

    static PositionMask build(CompiledGrammar g, TokenVocabulary v, int rule, int state, boolean contextKnownEmpty) {
        long[] accepted = new long[v.maskWords()];
        IntBuffer uncertain = new IntBuffer();
        if (!g.rules[rule].anyCalls) {
            walkDfa(g.rules[rule], v, state, contextKnownEmpty, accepted, uncertain);
        } else {
            walkStacks(g, v, new Frame(rule, state, contextKnownEmpty ? null : Frame.BOTTOM), accepted, uncertain);
        }
        int[] u = uncertain.toArray();
        Arrays.sort(u);
        return new PositionMask(TokenSet.of(accepted, v.maskWords()), u);
    }

    private static void walkDfa(RuleDfa d, TokenVocabulary v, int start, boolean noContext, long[] accepted, IntBuffer uncertain) {
        int[] st = new int[v.maxDepth + 1];
        boolean[] esc = new boolean[v.maxDepth + 1];
        st[0] = start;
        int nodes = v.trieNodes();
        int n = 0;
        while (n < nodes) {
            int depth = v.nodeDepth[n];
            int t = d.step(st[depth - 1], v.nodeByte[n] & 0xFF);
            if (t == RuleDfa.DEAD) {
                if (esc[depth - 1]) addRange(v, v.tokFrom[n], v.subtreeTokenEnd(n), uncertain);
                n = v.subtreeEnd[n];
                continue;
            }
            markEnds(v, n, accepted);
            st[depth] = t;
            esc[depth] = esc[depth - 1] || (!noContext && d.accepting[t]);
            if (!d.readsBytes[t]) {
                if (esc[depth]) addRange(v, v.tokFrom[n] + v.ends[n], v.subtreeTokenEnd(n), uncertain);
                n = v.subtreeEnd[n];
                continue;
            }
            n++;
        }
    }

    private static void walkStacks(CompiledGrammar g, TokenVocabulary v, Frame start, long[] accepted, IntBuffer uncertain) {
        Frame[][] cfg = new Frame[v.maxDepth + 1][];
        boolean[] esc = new boolean[v.maxDepth + 1];
        cfg[0] = new Frame[] {start};
        int nodes = v.trieNodes();
        int n = 0;
        while (n < nodes) {
            int depth = v.nodeDepth[n];
            Stacks.Closure c = Stacks.step(g, cfg[depth - 1], v.nodeByte[n] & 0xFF);
            if (c.stepped == 0) {
                if (esc[depth - 1]) addRange(v, v.tokFrom[n], v.subtreeTokenEnd(n), uncertain);
                n = v.subtreeEnd[n];
                continue;
            }
            markEnds(v, n, accepted);
            cfg[depth] = c.scanArray();
            esc[depth] = esc[depth - 1] || c.escaped;
            if (cfg[depth].length == 0) {
                if (esc[depth]) addRange(v, v.tokFrom[n] + v.ends[n], v.subtreeTokenEnd(n), uncertain);
                n = v.subtreeEnd[n];
                continue;
            }
            n++;
        }
    }

    private static void markEnds(TokenVocabulary v, int n, long[] accepted) {
        for (int i = v.tokFrom[n], e = i + v.ends[n]; i < e; i++) {
            int id = v.sorted[i];
            accepted[id >>> 6] |= 1L << id;
        }
    }

    private static void addRange(TokenVocabulary v, int from, int to, IntBuffer out) {
        for (int i = from; i < to; i++) out.add(v.sorted[i]);
    }

    /** A growable int list. */
    static final class IntBuffer {
        private int[] a = new int[16];
        private int n;

        void add(int x) {
            if (n == a.length) a = Arrays.copyOf(a, n * 2);
            a[n++] = x;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}

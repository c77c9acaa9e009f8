package dev.gannet.runtime.constraint;

import java.util.Arrays;

/**
 * Computes a {@link PositionMask} by walking the vocabulary's byte trie once from the position, pruning
 * every subtree whose prefix the automaton rejects (XGrammar's adaptive token mask cache, llguidance's
 * trie walk). Rules that call no other rule walk with a plain int state and allocate nothing per node.
 * Where no path below a node can die from the state after it ({@link RuleDfa#acceptsSubtree}: text within
 * the state's room, or bytes it loops on), the whole subtree is accepted without visiting it: string
 * bodies, which allow nearly every token, then cost the top of the trie instead of all of it.
 */
final class MaskBuilder {
    private MaskBuilder() {}

    static PositionMask build(CompiledGrammar g, TokenVocabulary v, int rule, int state, boolean contextKnownEmpty) {
        long[] accepted = new long[v.maskWords()];
        IntBuffer uncertain = new IntBuffer();
        if (!g.rules[rule].anyCalls) {
            walkDfa(g.rules[rule], v, state, contextKnownEmpty, accepted, uncertain);
        } else {
            walkStacks(g, v, Frame.of(g, rule, state, contextKnownEmpty ? null : Frame.BOTTOM), accepted, uncertain);
        }
        int[] u = uncertain.toArray();
        Arrays.sort(u);
        return new PositionMask(TokenSet.of(accepted, v.maskWords()), u);
    }

    /**
     * The walk for a rule that calls nothing: an int state per depth. The state of the node just read is kept
     * in a local, because the next node is usually its child; only siblings reread it from the depth array.
     */
    private static void walkDfa(RuleDfa d, TokenVocabulary v, int start, boolean noContext, long[] accepted, IntBuffer uncertain) {
        final int[] next = d.next;
        final byte[] classOf = d.classOf;
        final int classes = d.classes;
        final boolean[] accepting = d.accepting, reads = d.readsBytes;
        final byte[] nodeByte = v.nodeByte;
        final int[] nodeDepth = v.nodeDepth, subtreeEnd = v.subtreeEnd, ends = v.ends, tokFrom = v.tokFrom, sorted = v.sorted;
        int[] st = new int[v.maxDepth + 1];
        boolean[] esc = new boolean[v.maxDepth + 1];
        st[0] = start;
        int cur = start, curDepth = 0;
        boolean curEsc = false;
        int nodes = nodeByte.length;
        int n = 0;
        while (n < nodes) {
            int depth = nodeDepth[n];
            int parent;
            boolean parentEsc;
            if (depth == curDepth + 1) {
                parent = cur;
                parentEsc = curEsc;
            } else {
                parent = st[depth - 1];
                parentEsc = esc[depth - 1];
            }
            int t = next[parent * classes + (classOf[nodeByte[n] & 0xFF] & 0xFF)];
            if (t == RuleDfa.DEAD) {
                if (parentEsc) addRange(v, tokFrom[n], v.subtreeTokenEnd(n), uncertain);
                n = subtreeEnd[n];
                continue;
            }
            for (int i = tokFrom[n], e = i + ends[n]; i < e; i++) {
                int id = sorted[i];
                accepted[id >>> 6] |= 1L << id;
            }
            boolean te = parentEsc || (!noContext && accepting[t]);
            st[depth] = t;
            esc[depth] = te;
            if (!reads[t]) {
                if (te) addRange(v, tokFrom[n] + ends[n], v.subtreeTokenEnd(n), uncertain);
                n = subtreeEnd[n];
                continue;
            }
            // no path below dies: all accepted, none uncertain (a leaf has nothing to skip)
            if (subtreeEnd[n] != n + 1 && d.acceptsSubtree(t, v, n)) {
                markRange(v, tokFrom[n] + ends[n], v.subtreeTokenEnd(n), accepted);
                n = subtreeEnd[n];
                continue;
            }
            cur = t;
            curDepth = depth;
            curEsc = te;
            n++;
        }
    }

    /**
     * The walk for rules that call others. A depth whose configuration is one stack, in a state with neither
     * calls nor an end, is kept "light" (rule, state, parent) and stepped through the rule's table without
     * allocating: string and number interiors, most of any walk.
     */
    private static void walkStacks(CompiledGrammar g, TokenVocabulary v, Frame start, long[] accepted, IntBuffer uncertain) {
        int depthMax = v.maxDepth + 1;
        Frame[][] cfg = new Frame[depthMax][];  // null where the depth is light
        int[] lightState = new int[depthMax];
        int[] lightRule = new int[depthMax];
        Frame[] lightParent = new Frame[depthMax];
        boolean[] esc = new boolean[depthMax];
        cfg[0] = new Frame[] {start};
        int nodes = v.trieNodes();
        int n = 0;
        while (n < nodes) {
            int depth = v.nodeDepth[n];
            int b = v.nodeByte[n] & 0xFF;
            Frame[] prev = cfg[depth - 1];
            Frame[] next;
            boolean escaped = esc[depth - 1];
            if (prev == null) {
                RuleDfa d = g.rules[lightRule[depth - 1]];
                int t = d.step(lightState[depth - 1], b);
                if (t == RuleDfa.DEAD) {
                    if (escaped) addRange(v, v.tokFrom[n], v.subtreeTokenEnd(n), uncertain);
                    n = v.subtreeEnd[n];
                    continue;
                }
                markEnds(v, n, accepted);
                if (d.calls[t].length == 0 && !d.accepting[t]) {
                    if (skipLoop(d, t, v, n, accepted)) {
                        n = v.subtreeEnd[n];
                        continue;
                    }
                    setLight(cfg, lightRule, lightState, lightParent, depth, lightRule[depth - 1], t, lightParent[depth - 1]);
                    esc[depth] = escaped;
                    n++;
                    continue;
                }
                Stacks.Closure c = new Stacks.Closure();
                Stacks.expand(g, Frame.of(g, lightRule[depth - 1], t, lightParent[depth - 1]), c);
                next = c.scanArray();
                escaped |= c.escaped;
            } else {
                Stacks.Closure c = Stacks.step(g, prev, b);
                if (c.stepped == 0) {
                    if (escaped) addRange(v, v.tokFrom[n], v.subtreeTokenEnd(n), uncertain);
                    n = v.subtreeEnd[n];
                    continue;
                }
                markEnds(v, n, accepted);
                next = c.scanArray();
                escaped |= c.escaped;
            }
            esc[depth] = escaped;
            if (next.length == 0) {
                if (escaped) addRange(v, v.tokFrom[n] + v.ends[n], v.subtreeTokenEnd(n), uncertain);
                n = v.subtreeEnd[n];
                continue;
            }
            Frame only = next[0];
            RuleDfa od = g.rules[only.rule];
            if (next.length == 1 && od.calls[only.state].length == 0 && !od.accepting[only.state]) {
                if (skipLoop(od, only.state, v, n, accepted)) {
                    n = v.subtreeEnd[n];
                    continue;
                }
                setLight(cfg, lightRule, lightState, lightParent, depth, only.rule, only.state, only.parent);
            } else {
                cfg[depth] = next;
            }
            n++;
        }
    }

    /**
     * A light depth in state {@code t} whose state loops on every byte below node {@code n} stays light in
     * {@code t} down the whole subtree, so all of its tokens are accepted and none is uncertain: marks them.
     */
    private static boolean skipLoop(RuleDfa d, int t, TokenVocabulary v, int n, long[] accepted) {
        if (v.subtreeEnd[n] == n + 1 || !d.acceptsSubtree(t, v, n)) return false; // a leaf: nothing to skip
        markRange(v, v.tokFrom[n] + v.ends[n], v.subtreeTokenEnd(n), accepted);
        return true;
    }

    private static void markRange(TokenVocabulary v, int from, int to, long[] accepted) {
        for (int i = from; i < to; i++) {
            int id = v.sorted[i];
            accepted[id >>> 6] |= 1L << id;
        }
    }

    private static void setLight(Frame[][] cfg, int[] rule, int[] state, Frame[] parent, int depth, int r, int s, Frame p) {
        cfg[depth] = null;
        rule[depth] = r;
        state[depth] = s;
        parent[depth] = p;
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

package dev.gannet.runtime.constraint;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A grammar compiled to one {@link RuleDfa} per rule that is called (rules that were inlined everywhere
 * have none). Every state kept can still reach the end of its rule, so every prefix the automata allow
 * can be completed. Immutable.
 */
final class CompiledGrammar {
    final RuleDfa[] rules;
    final String[] names;
    final int root;

    private CompiledGrammar(RuleDfa[] rules, String[] names, int root) {
        this.rules = rules;
        this.names = names;
        this.root = root;
    }

    /** Compiles {@code grammar} from rule {@code root}; {@code what} names the constraint in errors. */
    static CompiledGrammar compile(Grammar grammar, int root, String what) {
        int n = grammar.size();
        boolean[] recursive = recursiveRules(grammar);
        NfaBuilder builder = new NfaBuilder(grammar, recursive, what);
        RuleDfa[] rules = new RuleDfa[n];
        ArrayDeque<Integer> work = new ArrayDeque<>(List.of(root));
        while (!work.isEmpty()) {
            int r = work.poll();
            if (rules[r] != null) continue;
            Nfa nfa = builder.build(r);
            rules[r] = RuleDfa.determinize(nfa, what);
            for (int[] row : rules[r].calls) {
                for (int i = 0; i < row.length; i += 2) if (rules[row[i]] == null) work.add(row[i]);
            }
        }
        String[] names = new String[n];
        for (int i = 0; i < n; i++) names[i] = grammar.name(i);
        CompiledGrammar g = new CompiledGrammar(rules, names, root);
        g.trim(what);
        g.checkLeftRecursion(what);
        return g;
    }

    /** Rules that can call themselves (directly or through others). */
    private static boolean[] recursiveRules(Grammar g) {
        int n = g.size();
        List<List<Integer>> refs = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            List<Integer> out = new ArrayList<>();
            collectRefs(g.body(r), out);
            refs.add(out);
        }
        boolean[] rec = new boolean[n];
        for (int r = 0; r < n; r++) {
            boolean[] seen = new boolean[n];
            ArrayDeque<Integer> work = new ArrayDeque<>(refs.get(r));
            while (!work.isEmpty() && !rec[r]) {
                int x = work.poll();
                if (x == r) rec[r] = true;
                if (seen[x]) continue;
                seen[x] = true;
                work.addAll(refs.get(x));
            }
        }
        return rec;
    }

    private static void collectRefs(Expr e, List<Integer> out) {
        switch (e) {
            case Expr.Seq s -> s.items().forEach(x -> collectRefs(x, out));
            case Expr.Alt a -> a.options().forEach(x -> collectRefs(x, out));
            case Expr.Repeat r -> collectRefs(r.body(), out);
            case Expr.Ref ref -> out.add(ref.rule());
            default -> { }
        }
    }

    /** Drops calls of rules that match nothing and states that cannot reach their rule's end. */
    private void trim(String what) {
        boolean[] productive = new boolean[rules.length];
        for (boolean changed = true; changed; ) {
            changed = false;
            for (int r = 0; r < rules.length; r++) {
                if (rules[r] == null || productive[r]) continue;
                if (live(rules[r], productive)[0]) {
                    productive[r] = true;
                    changed = true;
                }
            }
        }
        if (!productive[root]) throw new ConstraintException(what + " matches no string at all", null);
        for (int r = 0; r < rules.length; r++) {
            RuleDfa d = rules[r];
            if (d == null) continue;
            boolean[] live = live(d, productive);
            for (int s = 0; s < d.states(); s++) {
                for (int c = 0; c < d.classes; c++) {
                    int t = d.next[s * d.classes + c];
                    if (t != RuleDfa.DEAD && !live[t]) d.next[s * d.classes + c] = RuleDfa.DEAD;
                }
                int[] row = d.calls[s];
                int keep = 0;
                for (int i = 0; i < row.length; i += 2) if (productive[row[i]] && live[row[i + 1]]) keep += 2;
                if (keep == row.length) continue;
                int[] kept = new int[keep];
                int k = 0;
                for (int i = 0; i < row.length; i += 2) {
                    if (productive[row[i]] && live[row[i + 1]]) { kept[k++] = row[i]; kept[k++] = row[i + 1]; }
                }
                d.calls[s] = kept;
            }
            d.refreshReads();
        }
    }

    /** States of {@code d} that can reach an accepting state through bytes and calls of productive rules. */
    private static boolean[] live(RuleDfa d, boolean[] productive) {
        int n = d.states();
        int[] deg = new int[n];
        for (int s = 0; s < n; s++) {
            for (int c = 0; c < d.classes; c++) if (d.next[s * d.classes + c] != RuleDfa.DEAD) deg[d.next[s * d.classes + c]]++;
            int[] row = d.calls[s];
            for (int i = 0; i < row.length; i += 2) if (productive[row[i]]) deg[row[i + 1]]++;
        }
        int[][] preds = new int[n][];
        for (int s = 0; s < n; s++) preds[s] = new int[deg[s]];
        java.util.Arrays.fill(deg, 0);
        for (int s = 0; s < n; s++) {
            for (int c = 0; c < d.classes; c++) {
                int t = d.next[s * d.classes + c];
                if (t != RuleDfa.DEAD) preds[t][deg[t]++] = s;
            }
            int[] row = d.calls[s];
            for (int i = 0; i < row.length; i += 2) if (productive[row[i]]) preds[row[i + 1]][deg[row[i + 1]]++] = s;
        }
        boolean[] live = d.accepting.clone();
        ArrayDeque<Integer> work = new ArrayDeque<>();
        for (int s = 0; s < n; s++) if (live[s]) work.add(s);
        while (!work.isEmpty()) {
            for (int p : preds[work.poll()]) {
                if (!live[p]) {
                    live[p] = true;
                    work.add(p);
                }
            }
        }
        return live;
    }

    /** A rule that can call itself before reading a byte would make the matcher loop: refuse it, as llama.cpp does. */
    private void checkLeftRecursion(String what) {
        int n = rules.length;
        boolean[] nullable = new boolean[n];
        for (boolean changed = true; changed; ) {
            changed = false;
            for (int r = 0; r < n; r++) {
                if (rules[r] == null || nullable[r]) continue;
                for (int s : emptyReachable(rules[r], nullable)) {
                    if (rules[r].accepting[s]) {
                        nullable[r] = true;
                        changed = true;
                        break;
                    }
                }
            }
        }
        List<List<Integer>> leftCalls = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            List<Integer> out = new ArrayList<>();
            if (rules[r] != null) {
                for (int s : emptyReachable(rules[r], nullable)) {
                    int[] row = rules[r].calls[s];
                    for (int i = 0; i < row.length; i += 2) out.add(row[i]);
                }
            }
            leftCalls.add(out);
        }
        int[] color = new int[n];
        for (int r = 0; r < n; r++) {
            List<Integer> path = new ArrayList<>();
            if (rules[r] != null && findCycle(r, leftCalls, color, path)) {
                StringBuilder sb = new StringBuilder();
                for (int x : path) sb.append(sb.isEmpty() ? "" : " -> ").append(names[x]);
                throw new ConstraintException(what + " is left-recursive (" + sb
                        + "): a rule calls itself before reading any character; rewrite it with repetition", null);
            }
        }
    }

    private static boolean findCycle(int r, List<List<Integer>> edges, int[] color, List<Integer> path) {
        if (color[r] == 2) return false;
        path.add(r);
        if (color[r] == 1) return true;
        color[r] = 1;
        for (int x : edges.get(r)) if (findCycle(x, edges, color, path)) return true;
        color[r] = 2;
        path.removeLast();
        return false;
    }

    /** States reachable from the start without reading a byte (through calls of nullable rules). */
    private static List<Integer> emptyReachable(RuleDfa d, boolean[] nullable) {
        List<Integer> out = new ArrayList<>(List.of(0));
        boolean[] seen = new boolean[d.states()];
        seen[0] = true;
        for (int i = 0; i < out.size(); i++) {
            int[] row = d.calls[out.get(i)];
            for (int k = 0; k < row.length; k += 2) {
                if (nullable[row[k]] && !seen[row[k + 1]]) {
                    seen[row[k + 1]] = true;
                    out.add(row[k + 1]);
                }
            }
        }
        return out;
    }

    /** Rough bytes of memory the automata take, for the cache's weigher. */
    long sizeBytes() {
        long b = 64;
        for (RuleDfa d : rules) {
            if (d == null) continue;
            b += 256 + 4L * d.next.length + 64L * d.states(); // 37 of them: loopBytes, hasLoop, textSafe
            for (int[] row : d.calls) b += 4L * row.length;
        }
        return b;
    }

    int totalStates() {
        int n = 0;
        for (RuleDfa d : rules) if (d != null) n += d.states();
        return n;
    }
}

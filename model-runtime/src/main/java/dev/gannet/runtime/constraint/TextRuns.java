package dev.gannet.runtime.constraint;

import java.util.Arrays;

/**
 * Runs of text characters, for skipping trie subtrees that cannot die: printable ASCII but the quote and the
 * backslash, and every well-formed UTF-8 sequence of two to four bytes (no surrogates, no overlongs). A
 * token's tail made only of such characters is read by a state with room for that many characters; a
 * bounded string's character counter has no self-loop but has room for as many characters as remain.
 */
final class TextRuns {
    /** Well-formed multi-byte UTF-8 (Unicode table 3-7): per form, the byte range at each position. */
    private static final int[][] FORMS = {
        {0xC2, 0xDF, 0x80, 0xBF},
        {0xE0, 0xE0, 0xA0, 0xBF, 0x80, 0xBF},
        {0xE1, 0xEC, 0x80, 0xBF, 0x80, 0xBF},
        {0xED, 0xED, 0x80, 0x9F, 0x80, 0xBF},
        {0xEE, 0xEF, 0x80, 0xBF, 0x80, 0xBF},
        {0xF0, 0xF0, 0x90, 0xBF, 0x80, 0xBF, 0x80, 0xBF},
        {0xF1, 0xF3, 0x80, 0xBF, 0x80, 0xBF, 0x80, 0xBF},
        {0xF4, 0xF4, 0x80, 0x8F, 0x80, 0xBF, 0x80, 0xBF},
    };
    /** Class paths one state may try per form before it is simply called unsafe (conservative, still exact). */
    private static final int MAX_PATHS = 4096;
    static final int NONE = Integer.MAX_VALUE;

    private TextRuns() {}

    static boolean isPlain(int b) {
        return b >= 0x20 && b < 0x7F && b != '"' && b != '\\';
    }

    /** Length of the well-formed text character at {@code b[p]}, or 0 if there is none. */
    static int charLength(byte[] b, int p) {
        if (isPlain(b[p] & 0xFF)) return 1;
        for (int[] f : FORMS) {
            int k = f.length / 2;
            if (p + k > b.length) continue;
            boolean ok = true;
            for (int i = 0; i < k && ok; i++) ok = (b[p + i] & 0xFF) >= f[2 * i] && (b[p + i] & 0xFF) <= f[2 * i + 1];
            if (ok) return k;
        }
        return 0;
    }

    /**
     * Per state of {@code d}, the fewest text characters after which some text character can be refused
     * ({@link #NONE}: never), so every run of text characters no longer than that is read without dying.
     * Breadth-first from the states that refuse one, backwards along one-character transitions.
     */
    static int[] safeDepths(RuleDfa d) {
        int n = d.states();
        int[][] succ = new int[n][];
        int[] dist = new int[n];
        Arrays.fill(dist, NONE);
        int[] queue = new int[n];
        int tail = 0;
        int[] predCount = new int[n + 1];
        for (int s = 0; s < n; s++) {
            succ[s] = successors(d, s);
            if (succ[s] == null) {
                dist[s] = 0;
                queue[tail++] = s;
            } else {
                for (int t : succ[s]) predCount[t + 1]++;
            }
        }
        for (int s = 0; s < n; s++) predCount[s + 1] += predCount[s];
        int[] preds = new int[predCount[n]];
        int[] fill = Arrays.copyOf(predCount, n);
        for (int s = 0; s < n; s++) if (succ[s] != null) for (int t : succ[s]) preds[fill[t]++] = s;
        for (int head = 0; head < tail; head++) {
            int u = queue[head];
            for (int i = predCount[u]; i < predCount[u + 1]; i++) {
                int p = preds[i];
                if (dist[p] == NONE) {
                    dist[p] = dist[u] + 1;
                    queue[tail++] = p;
                }
            }
        }
        return dist;
    }

    /** The states one text character leads to from {@code s} (repeats allowed), or null if one can die. */
    private static int[] successors(RuleDfa d, int s) {
        int[] out = new int[16];
        int[] count = {0};
        for (int b = 0x20; b < 0x7F; b++) {
            if (!isPlain(b) || (b > 0x20 && d.classOf[b] == d.classOf[b - 1] && isPlain(b - 1))) continue;
            int t = d.step(s, b);
            if (t == RuleDfa.DEAD) return null;
            out = add(out, count, t);
        }
        for (int[] f : FORMS) {
            int[] budget = {MAX_PATHS};
            out = walkForm(d, f, 0, s, out, count, budget);
            if (out == null) return null;
        }
        int[] r = Arrays.copyOf(out, count[0]);
        Arrays.sort(r);
        int k = 0;
        for (int i = 0; i < r.length; i++) if (i == 0 || r[i] != r[i - 1]) r[k++] = r[i];
        return Arrays.copyOf(r, k); // usually one state: every character counts alike
    }

    /** Depth-first over the byte classes of form {@code f} from position {@code i}; null if a path dies. */
    private static int[] walkForm(RuleDfa d, int[] f, int i, int s, int[] out, int[] count, int[] budget) {
        if (2 * i == f.length) return add(out, count, s);
        int lo = d.classOf[f[2 * i]] & 0xFF, hi = d.classOf[f[2 * i + 1]] & 0xFF; // classes are byte intervals
        for (int c = lo; c <= hi; c++) {
            if (--budget[0] < 0) return null;
            int t = d.next[s * d.classes + c];
            if (t == RuleDfa.DEAD) return null;
            out = walkForm(d, f, i + 1, t, out, count, budget);
            if (out == null) return null;
        }
        return out;
    }

    private static int[] add(int[] out, int[] count, int t) {
        if (count[0] == out.length) out = Arrays.copyOf(out, out.length * 2);
        out[count[0]++] = t;
        return out;
    }
}

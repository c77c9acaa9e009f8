package dev.gannet.runtime.tokenizer;

import java.util.Arrays;

/**
 * Binary max-heap of candidate merges of two adjacent symbols, kept in parallel primitive arrays so
 * that a long prompt does not box one object per candidate. Order is llama.cpp's: higher priority
 * first, and on equal priority the leftmost pair first. SentencePiece uses the token score as
 * priority, BPE uses minus the merge rank. One queue serves one encode call (not thread-safe).
 */
final class MergeQueue {
    private float[] priority = new float[64];
    private int[] left = new int[64];
    private int[] right = new int[64];
    private int[] size = new int[64];   // chars of left + right when the pair was queued
    private int[] result = new int[64]; // token id the merged symbol becomes
    private int count;

    // fields of the entry taken by the last pop()
    int popLeft;
    int popRight;
    int popSize;
    int popResult;

    boolean isEmpty() {
        return count == 0;
    }

    void clear() {
        count = 0;
    }

    void push(float prio, int l, int r, int sz, int res) {
        if (count == priority.length) grow();
        int i = count++;
        // sift up
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(prio, l, priority[parent], left[parent])) break;
            move(parent, i);
            i = parent;
        }
        set(i, prio, l, r, sz, res);
    }

    /** Removes the best entry and exposes it in the pop* fields. */
    void pop() {
        popLeft = left[0];
        popRight = right[0];
        popSize = size[0];
        popResult = result[0];
        int last = --count;
        if (last == 0) return;
        float p = priority[last];
        int l = left[last], r = right[last], sz = size[last], res = result[last];
        int i = 0;
        while (true) {
            int c = 2 * i + 1;
            if (c >= last) break;
            if (c + 1 < last && before(priority[c + 1], left[c + 1], priority[c], left[c])) c++;
            if (!before(priority[c], left[c], p, l)) break;
            move(c, i);
            i = c;
        }
        set(i, p, l, r, sz, res);
    }

    private static boolean before(float pa, int la, float pb, int lb) {
        return pa > pb || (pa == pb && la < lb);
    }

    private void move(int from, int to) {
        set(to, priority[from], left[from], right[from], size[from], result[from]);
    }

    private void set(int i, float p, int l, int r, int sz, int res) {
        priority[i] = p;
        left[i] = l;
        right[i] = r;
        size[i] = sz;
        result[i] = res;
    }

    private void grow() {
        int n = priority.length * 2;
        priority = Arrays.copyOf(priority, n);
        left = Arrays.copyOf(left, n);
        right = Arrays.copyOf(right, n);
        size = Arrays.copyOf(size, n);
        result = Arrays.copyOf(result, n);
    }
}

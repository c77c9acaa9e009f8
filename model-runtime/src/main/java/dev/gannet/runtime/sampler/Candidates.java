package dev.gannet.runtime.sampler;

/**
 * Partial selection and sorting of (logit, token id) pairs held in two parallel arrays, best first:
 * higher logit, and on equal logits the lower id, so every order is total and results are
 * deterministic. Quickselect puts the best k in front in O(n) instead of sorting a 128k vocabulary.
 */
final class Candidates {
    private Candidates() {}

    private static boolean better(float[] val, int[] idx, int a, int b) {
        return val[a] > val[b] || (val[a] == val[b] && idx[a] < idx[b]);
    }

    private static void swap(float[] val, int[] idx, int a, int b) {
        float v = val[a]; val[a] = val[b]; val[b] = v;
        int t = idx[a]; idx[a] = idx[b]; idx[b] = t;
    }

    /** Rearranges {@code [0, n)} so that its best {@code k} pairs occupy {@code [0, k)}, in no particular order. */
    static void selectTop(float[] val, int[] idx, int n, int k) {
        if (k <= 0 || k >= n) return;
        int lo = 0, hi = n - 1;
        while (lo < hi) {
            int p = partition(val, idx, lo, hi);
            if (p == k - 1 || p == k) return;
            if (p < k) lo = p + 1; else hi = p - 1;
        }
    }

    /**
     * Rearranges {@code [0, n)}, where {@code val} holds non-negative weights, so that {@code [0, c)}
     * holds the best {@code c} pairs for the smallest {@code c} whose weights sum to at least
     * {@code target} (all n when rounding keeps the target out of reach); returns c. A quickselect
     * that splits by mass instead of by count: expected O(n), no sort.
     */
    static int selectMass(float[] val, int[] idx, int n, double target) {
        int lo = 0, hi = n - 1;
        double above = 0; // mass of [0, lo): the best lo pairs, always below target
        while (lo < hi) {
            int p = partition(val, idx, lo, hi);
            double m = 0;
            for (int i = lo; i < p; i++) m += val[i];
            if (above + m >= target) {
                hi = p - 1;
            } else if (above + m + val[p] >= target) {
                return p + 1;
            } else {
                above += m + val[p];
                lo = p + 1;
            }
        }
        return Math.min(n, lo + 1);
    }

    /**
     * The best {@code k} of {@code row[off, off + n)} among values {@code >= min}, into
     * {@code val/idx[0, result)} in no particular order. A bounded min-heap: one compare per value
     * and a sift only for the rare value that beats the k-th best so far, so no copy of the row.
     */
    static int heapTop(float[] row, int off, int n, int k, float min, float[] val, int[] idx) {
        int size = 0;
        for (int i = 0; i < n; i++) {
            float v = row[off + i];
            if (!(v >= min) || v == Float.NEGATIVE_INFINITY) continue;
            if (size < k) {
                val[size] = v;
                idx[size] = i;
                siftUp(val, idx, size++);
            } else if (v > val[0]) { // ids ascend, so an equal value is the worse one
                val[0] = v;
                idx[0] = i;
                siftDown(val, idx, size);
            }
        }
        return size;
    }

    // heap order: the worst pair (lower value, or higher id on equal values) at the root
    private static void siftUp(float[] val, int[] idx, int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!better(val, idx, parent, i)) return;
            swap(val, idx, parent, i);
            i = parent;
        }
    }

    private static void siftDown(float[] val, int[] idx, int size) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1, r = l + 1, worst = i;
            if (l < size && better(val, idx, worst, l)) worst = l;
            if (r < size && better(val, idx, worst, r)) worst = r;
            if (worst == i) return;
            swap(val, idx, i, worst);
            i = worst;
        }
    }

    /** Sorts {@code [0, n)} best first. */
    static void sort(float[] val, int[] idx, int n) {
        quicksort(val, idx, 0, n - 1);
    }

    private static void quicksort(float[] val, int[] idx, int lo, int hi) {
        while (hi - lo > 16) {
            int p = partition(val, idx, lo, hi);
            // recurse into the smaller side to bound the stack depth
            if (p - lo < hi - p) { quicksort(val, idx, lo, p - 1); lo = p + 1; }
            else { quicksort(val, idx, p + 1, hi); hi = p - 1; }
        }
        for (int i = lo + 1; i <= hi; i++) {
            for (int j = i; j > lo && better(val, idx, j, j - 1); j--) swap(val, idx, j, j - 1);
        }
    }

    /** Lomuto partition around a median-of-three pivot; returns the pivot's final position. */
    private static int partition(float[] val, int[] idx, int lo, int hi) {
        int mid = (lo + hi) >>> 1;
        if (better(val, idx, mid, lo)) swap(val, idx, mid, lo);
        if (better(val, idx, hi, lo)) swap(val, idx, hi, lo);
        if (better(val, idx, hi, mid)) swap(val, idx, hi, mid);
        swap(val, idx, mid, hi); // median now at hi
        int store = lo;
        for (int i = lo; i < hi; i++) {
            if (better(val, idx, i, hi)) swap(val, idx, i, store++);
        }
        swap(val, idx, store, hi);
        return store;
    }
}

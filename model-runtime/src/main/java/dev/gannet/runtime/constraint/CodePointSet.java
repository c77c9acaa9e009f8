package dev.gannet.runtime.constraint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** An immutable set of Unicode scalar values as sorted, disjoint, non-adjacent inclusive ranges. */
final class CodePointSet {
    static final int MAX = 0x10FFFF;
    static final CodePointSet EMPTY = new CodePointSet(new int[0]);
    /** Every scalar value (no surrogates). */
    static final CodePointSet ALL = of(0, 0xD7FF).union(of(0xE000, MAX));

    private final int[] ranges; // lo0, hi0, lo1, hi1, ...

    private CodePointSet(int[] ranges) {
        this.ranges = ranges;
    }

    static CodePointSet of(int lo, int hi) {
        if (lo > hi) return EMPTY;
        return normalize(new int[] {lo, hi});
    }

    static CodePointSet single(int cp) {
        return of(cp, cp);
    }

    /** Sorts and merges raw ranges, dropping surrogates. */
    static CodePointSet normalize(int[] raw) {
        int n = raw.length / 2;
        long[] packed = new long[n];
        for (int i = 0; i < n; i++) packed[i] = ((long) raw[2 * i] << 32) | raw[2 * i + 1];
        Arrays.sort(packed);
        List<Integer> out = new ArrayList<>();
        for (long p : packed) {
            int lo = (int) (p >>> 32), hi = (int) p;
            if (lo > hi) continue;
            int k = out.size();
            if (k > 0 && lo <= out.get(k - 1) + 1) {
                out.set(k - 1, Math.max(out.get(k - 1), hi));
            } else {
                out.add(lo);
                out.add(hi);
            }
        }
        int[] r = out.stream().mapToInt(Integer::intValue).toArray();
        return new CodePointSet(r).minusSurrogates();
    }

    private CodePointSet minusSurrogates() {
        boolean touches = false;
        for (int i = 0; i < ranges.length; i += 2) touches |= ranges[i] <= 0xDFFF && ranges[i + 1] >= 0xD800;
        if (!touches) return this;
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < ranges.length; i += 2) {
            int lo = ranges[i], hi = ranges[i + 1];
            if (lo < 0xD800) { out.add(lo); out.add(Math.min(hi, 0xD7FF)); }
            if (hi > 0xDFFF) { out.add(Math.max(lo, 0xE000)); out.add(hi); }
        }
        return new CodePointSet(out.stream().mapToInt(Integer::intValue).toArray());
    }

    CodePointSet union(CodePointSet o) {
        int[] all = Arrays.copyOf(ranges, ranges.length + o.ranges.length);
        System.arraycopy(o.ranges, 0, all, ranges.length, o.ranges.length);
        return normalize(all);
    }

    /** All scalar values not in this set. */
    CodePointSet complement() {
        List<Integer> out = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < ranges.length; i += 2) {
            if (ranges[i] > next) { out.add(next); out.add(ranges[i] - 1); }
            next = ranges[i + 1] + 1;
        }
        if (next <= MAX) { out.add(next); out.add(MAX); }
        return normalize(out.stream().mapToInt(Integer::intValue).toArray());
    }

    CodePointSet minus(CodePointSet o) {
        return complement().union(o).complement();
    }

    boolean contains(int cp) {
        for (int i = 0; i < ranges.length; i += 2) if (cp >= ranges[i] && cp <= ranges[i + 1]) return true;
        return false;
    }

    boolean isEmpty() {
        return ranges.length == 0;
    }

    int rangeCount() {
        return ranges.length / 2;
    }

    int lo(int i) { return ranges[2 * i]; }

    int hi(int i) { return ranges[2 * i + 1]; }

    /**
     * The UTF-8 byte sequences of this set, each as one range per byte position ({@code [lo0, hi0, lo1, hi1...]}),
     * so that the set is exactly the union of their products.
     */
    List<int[]> utf8Sequences() {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < ranges.length; i += 2) split(ranges[i], ranges[i + 1], out);
        return out;
    }

    private static final int[] LENGTH_LIMITS = {0x7F, 0x7FF, 0xFFFF, MAX};

    private static void split(int lo, int hi, List<int[]> out) {
        if (lo > hi) return;
        for (int limit : LENGTH_LIMITS) {
            if (lo <= limit && hi > limit) {
                split(lo, limit, out);
                split(limit + 1, hi, out);
                return;
            }
        }
        int n = utf8Length(lo);
        for (int i = 1; i < n; i++) {
            int m = (1 << (6 * i)) - 1;
            if ((lo & ~m) != (hi & ~m)) {
                if ((lo & m) != 0) {
                    split(lo, lo | m, out);
                    split((lo | m) + 1, hi, out);
                    return;
                }
                if ((hi & m) != m) {
                    split(lo, (hi & ~m) - 1, out);
                    split(hi & ~m, hi, out);
                    return;
                }
            }
        }
        byte[] a = encode(lo), b = encode(hi);
        int[] seq = new int[2 * n];
        for (int i = 0; i < n; i++) {
            seq[2 * i] = a[i] & 0xFF;
            seq[2 * i + 1] = b[i] & 0xFF;
        }
        out.add(seq);
    }

    static int utf8Length(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }

    static byte[] encode(int cp) {
        return new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}

package dev.gannet.runtime.tokenizer;

import java.util.Arrays;

/**
 * BPE merge table: (left token id, right token id) -> (rank, merged token id), in one open-addressing
 * hash over primitive arrays so that a lookup neither allocates nor boxes. Immutable after loading.
 */
final class PairTable {
    private static final long EMPTY = -1L;
    private final long[] keys;
    private final int[] ranks;
    private final int[] results;
    private final int mask;
    private int size;

    PairTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[cap];
        Arrays.fill(keys, EMPTY);
        ranks = new int[cap];
        results = new int[cap];
        mask = cap - 1;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    /** Adds a merge; the first rank given for a pair wins, as with llama.cpp's emplace. */
    void put(int left, int right, int rank, int result) {
        if (size * 2 >= keys.length) throw new IllegalStateException("PairTable over capacity");
        long k = key(left, right);
        int i = slot(k);
        while (keys[i] != EMPTY) {
            if (keys[i] == k) return;
            i = (i + 1) & mask;
        }
        keys[i] = k;
        ranks[i] = rank;
        results[i] = result;
        size++;
    }

    /** Index of the entry for the pair, or -1 when the pair is not a merge. */
    int find(int left, int right) {
        long k = key(left, right);
        int i = slot(k);
        while (keys[i] != EMPTY) {
            if (keys[i] == k) return i;
            i = (i + 1) & mask;
        }
        return -1;
    }

    int rankAt(int index) {
        return ranks[index];
    }

    int resultAt(int index) {
        return results[index];
    }

    int size() {
        return size;
    }
}

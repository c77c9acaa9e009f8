package dev.gannet.kv;

import java.util.Arrays;

/**
 * Fixed-capacity open-addressing map from a 64-bit block hash to a block id (>= 0), without
 * boxing. Linear probing with backward-shift deletion, so removals leave no tombstones and the
 * map never degrades however long the server runs. The capacity is sized once for the largest
 * possible number of entries (one per block), so it never rehashes.
 */
final class LongIntMap {
    private static final int EMPTY = -1;

    private final long[] keys;
    private final int[] values; // EMPTY marks a free slot
    private final int mask;
    private final int maxEntries;
    private int size;

    /** A map that holds up to {@code maxEntries} entries at a load factor of at most 1/2. */
    LongIntMap(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be >= 1, got " + maxEntries);
        }
        int capacity = Integer.highestOneBit(maxEntries) << 2;
        keys = new long[capacity];
        values = new int[capacity];
        Arrays.fill(values, EMPTY);
        mask = capacity - 1;
        this.maxEntries = maxEntries;
    }

    int size() {
        return size;
    }

    /** The value for {@code key}, or -1 when absent. */
    int get(long key) {
        for (int i = slot(key); values[i] != EMPTY; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return values[i];
            }
        }
        return -1;
    }

    /** Inserts a new key; the key must be absent. */
    void putNew(long key, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("value must be >= 0, got " + value);
        }
        if (size == maxEntries) {
            throw new IllegalStateException("map is full (" + maxEntries + " entries)");
        }
        int i = slot(key);
        while (values[i] != EMPTY) {
            if (keys[i] == key) {
                throw new IllegalStateException("key " + Long.toHexString(key) + " already present");
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = value;
        size++;
    }

    /** Removes {@code key}; returns its value or -1 when absent. */
    int remove(long key) {
        int i = slot(key);
        while (values[i] != EMPTY && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (values[i] == EMPTY) {
            return -1;
        }
        int removed = values[i];
        shiftBack(i);
        size--;
        return removed;
    }

    /** Backward-shift deletion: pull later members of the probe run into the hole. */
    private void shiftBack(int hole) {
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            if (values[j] == EMPTY) {
                break;
            }
            int home = slot(keys[j]);
            // Move j into the hole unless its home lies cyclically in (hole, j].
            boolean homeBetween = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
            if (!homeBetween) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        values[hole] = EMPTY;
    }

    private int slot(long key) {
        // Keys are already well-mixed hashes; fold the high bits in for safety.
        return (int) (key ^ (key >>> 32)) & mask;
    }
}

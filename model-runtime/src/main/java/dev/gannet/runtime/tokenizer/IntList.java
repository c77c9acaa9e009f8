package dev.gannet.runtime.tokenizer;

import java.util.Arrays;

/** Growable list of int token ids, so encoding never boxes. Not thread-safe. */
final class IntList {
    private int[] data;
    private int size;

    IntList(int capacity) {
        data = new int[Math.max(capacity, 8)];
    }

    void add(int v) {
        if (size == data.length) data = Arrays.copyOf(data, data.length * 2);
        data[size++] = v;
    }

    int size() {
        return size;
    }

    int[] toArray() {
        return Arrays.copyOf(data, size);
    }
}

package dev.gannet.kv;

/**
 * The free blocks of a {@link KvBlockPool} in eviction order: the head is reused (and, if it
 * still holds a cached prefix, evicted) first.
 *
 * <p>A doubly-linked list threaded through two int arrays indexed by block id, so that a cached
 * free block hit by a new request can be taken out of the middle in O(1), and no operation
 * allocates. Index {@code numBlocks} is the sentinel: {@code next[sentinel]} is the head and
 * {@code prev[sentinel]} the tail. Not thread-safe: owned by the engine thread.
 */
final class FreeBlockQueue {
    private static final int NOT_QUEUED = -1;

    private final int sentinel;
    private final int[] next; // (numBlocks + 1) successor id, or NOT_QUEUED
    private final int[] prev; // (numBlocks + 1) predecessor id, or NOT_QUEUED
    private int size;

    /** Creates an empty queue for block ids {@code 0 .. numBlocks - 1}. */
    FreeBlockQueue(int numBlocks) {
        if (numBlocks < 1) {
            throw new IllegalArgumentException("numBlocks must be >= 1, got " + numBlocks);
        }
        sentinel = numBlocks;
        next = new int[numBlocks + 1];
        prev = new int[numBlocks + 1];
        java.util.Arrays.fill(next, NOT_QUEUED);
        java.util.Arrays.fill(prev, NOT_QUEUED);
        next[sentinel] = sentinel;
        prev[sentinel] = sentinel;
    }

    int size() {
        return size;
    }

    boolean contains(int block) {
        checkId(block);
        return next[block] != NOT_QUEUED;
    }

    /** The block that would be handed out next, or -1 when empty. */
    int peekHead() {
        return size == 0 ? -1 : next[sentinel];
    }

    /** Removes and returns the head (the next block to reuse). */
    int pollHead() {
        if (size == 0) {
            throw new IllegalStateException("free block queue is empty");
        }
        int block = next[sentinel];
        remove(block);
        return block;
    }

    /** Appends at the tail: evicted last. */
    void addLast(int block) {
        insertAfter(prev[sentinel], block);
    }

    /** Inserts at the head: reused first. */
    void addFirst(int block) {
        insertAfter(sentinel, block);
    }

    /** Removes a block from anywhere in the queue in O(1). */
    void remove(int block) {
        checkId(block);
        if (next[block] == NOT_QUEUED) {
            throw new IllegalStateException("block " + block + " is not in the free queue");
        }
        int p = prev[block];
        int n = next[block];
        next[p] = n;
        prev[n] = p;
        next[block] = NOT_QUEUED;
        prev[block] = NOT_QUEUED;
        size--;
    }

    /** Copies the queue head-to-tail into {@code out} (tests and debugging); returns the count. */
    int copyTo(int[] out) {
        int i = 0;
        for (int b = next[sentinel]; b != sentinel; b = next[b]) {
            out[i++] = b;
        }
        return i;
    }

    private void insertAfter(int after, int block) {
        checkId(block);
        if (next[block] != NOT_QUEUED) {
            throw new IllegalStateException("block " + block + " is already in the free queue");
        }
        int n = next[after];
        next[after] = block;
        prev[block] = after;
        next[block] = n;
        prev[n] = block;
        size++;
    }

    private void checkId(int block) {
        if (block < 0 || block >= sentinel) {
            throw new IllegalArgumentException("block id " + block + " out of range [0, " + sentinel + ")");
        }
    }
}

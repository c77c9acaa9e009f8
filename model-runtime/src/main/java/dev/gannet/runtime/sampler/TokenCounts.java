package dev.gannet.runtime.sampler;

/**
 * The tokens one sequence has seen, for the penalties: per token id whether the prompt held it and
 * how often it was generated. An open-addressing map (linear probing) sized to the distinct tokens,
 * not to the vocabulary, so that hundreds of live sequences over a 128k vocabulary stay small.
 * Updated one token at a time; iterated by slot so that the penalty pass allocates nothing.
 */
final class TokenCounts {
    private static final int EMPTY = -1;

    private int[] keys;   // token id or EMPTY
    private int[] prompt; // 1 if the prompt held the token
    private int[] counts; // times generated
    private int size;

    TokenCounts(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        alloc(cap);
    }

    private void alloc(int cap) {
        keys = new int[cap];
        java.util.Arrays.fill(keys, EMPTY);
        prompt = new int[cap];
        counts = new int[cap];
        size = 0;
    }

    void addPrompt(int token) {
        int s = slotFor(token); // first: it may grow (replace) the arrays
        prompt[s] = 1;
    }

    void addGenerated(int token) {
        int s = slotFor(token);
        counts[s]++;
    }

    /** Slots to iterate: {@code 0 .. capacity()-1}, skipping those whose {@link #token} is negative. */
    int capacity() { return keys.length; }

    int token(int slot) { return keys[slot]; }

    boolean inPrompt(int slot) { return prompt[slot] != 0; }

    int generated(int slot) { return counts[slot]; }

    int size() { return size; }

    /** Generated count of one token (0 if never generated). */
    int generatedCount(int token) {
        int mask = keys.length - 1;
        for (int i = mix(token) & mask; ; i = (i + 1) & mask) {
            if (keys[i] == token) return counts[i];
            if (keys[i] == EMPTY) return 0;
        }
    }

    private int slotFor(int token) {
        if ((size + 1) * 2 > keys.length) grow();
        int mask = keys.length - 1;
        int i = mix(token) & mask;
        while (keys[i] != EMPTY && keys[i] != token) i = (i + 1) & mask;
        if (keys[i] == EMPTY) {
            keys[i] = token;
            size++;
        }
        return i;
    }

    // Growth allocates, but only when the distinct-token count doubles: amortised, not per token.
    private void grow() {
        int[] k = keys, p = prompt, c = counts;
        alloc(k.length * 2);
        int mask = keys.length - 1;
        for (int s = 0; s < k.length; s++) {
            if (k[s] == EMPTY) continue;
            int i = mix(k[s]) & mask;
            while (keys[i] != EMPTY) i = (i + 1) & mask;
            keys[i] = k[s];
            prompt[i] = p[s];
            counts[i] = c[s];
            size++;
        }
    }

    private static int mix(int x) {
        x *= 0x9E3779B9;
        return x ^ (x >>> 16);
    }
}

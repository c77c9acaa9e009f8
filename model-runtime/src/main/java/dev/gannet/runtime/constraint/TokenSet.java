package dev.gannet.runtime.constraint;

/** An immutable set of token ids: a sorted id list when small, a bitset otherwise. */
final class TokenSet {
    private final int[] ids;    // sorted, or null
    private final long[] bits;  // or null
    private final int count;

    private TokenSet(int[] ids, long[] bits, int count) {
        this.ids = ids;
        this.bits = bits;
        this.count = count;
    }

    /** Freezes {@code bits} (a scratch bitset over {@code words} longs) in the cheaper form. */
    static TokenSet of(long[] scratch, int words) {
        int count = 0;
        for (int w = 0; w < words; w++) count += Long.bitCount(scratch[w]);
        if (count * 4L < words * 8L / 2) {
            int[] ids = new int[count];
            int k = 0;
            for (int w = 0; w < words; w++) {
                long x = scratch[w];
                while (x != 0) {
                    ids[k++] = (w << 6) + Long.numberOfTrailingZeros(x);
                    x &= x - 1;
                }
            }
            return new TokenSet(ids, null, count);
        }
        return new TokenSet(null, java.util.Arrays.copyOf(scratch, words), count);
    }

    void orInto(long[] mask) {
        if (bits != null) {
            for (int w = 0; w < bits.length; w++) mask[w] |= bits[w];
        } else {
            for (int id : ids) mask[id >>> 6] |= 1L << id;
        }
    }

    /** Overwrites the first words of {@code mask} with this set. */
    void copyInto(long[] mask, int words) {
        if (bits != null) {
            System.arraycopy(bits, 0, mask, 0, words);
        } else {
            java.util.Arrays.fill(mask, 0, words, 0L);
            for (int id : ids) mask[id >>> 6] |= 1L << id;
        }
    }

    int count() {
        return count;
    }

    long sizeBytes() {
        return 24 + (bits != null ? 8L * bits.length : 4L * ids.length);
    }
}

package dev.gannet.runtime.cuda;

/**
 * How decode attention splits each sequence's context (Flash-Decoding): {@code partitions} pieces of
 * {@code blocksPerPartition} KV blocks, each one thread block of pass 1, merged exactly by log-sum-exp in pass 2.
 * Splitting pays when the batch alone leaves the GPU idle: one sequence of a model with 8 KV heads is 8 thread
 * blocks on a 132-SM H100. {@link #choose} splits until about {@link #TARGET_BLOCKS_PER_SM} blocks per SM are in
 * flight, never into partitions shorter than {@link #MIN_PARTITION_TOKENS} (the merge would cost more than it
 * saves); a batch that fills the GPU by itself is not split.
 *
 * @param partitions          pieces per sequence (grid x of pass 1), >= 1
 * @param blocksPerPartition  KV blocks per piece, >= 1
 */
public record DecodeSplit(int partitions, int blocksPerPartition) {
    /** Shortest partition worth a thread block of its own. */
    public static final int MIN_PARTITION_TOKENS = 256;
    /** Thread blocks of pass 1 per SM the split aims for. */
    public static final int TARGET_BLOCKS_PER_SM = 4;

    public DecodeSplit {
        if (partitions < 1 || blocksPerPartition < 1) {
            throw new IllegalArgumentException("decode split of " + partitions + " partitions of " + blocksPerPartition + " blocks");
        }
    }

    /**
     * The split for a step whose longest context is {@code maxContext} tokens, over {@code numSeqs} sequences of a
     * model (or rank) with {@code numKvHeads} KV heads, on a GPU of {@code smCount} SMs.
     */
    public static DecodeSplit choose(int maxContext, int numSeqs, int numKvHeads, int smCount, int blockSize) {
        positive(maxContext, numSeqs, numKvHeads, smCount, blockSize);
        long inFlight = (long) numSeqs * numKvHeads;
        long target = (long) TARGET_BLOCKS_PER_SM * smCount;
        int wanted = (int) Math.max(1, ceilDiv(target, inFlight));
        int most = (int) Math.max(1, ceilDiv(maxContext, MIN_PARTITION_TOKENS));
        return evenly(maxContext, Math.min(wanted, most), blockSize);
    }

    /** One partition per sequence: no split (the baseline the benchmark compares against). */
    public static DecodeSplit whole(int maxContext, int blockSize) {
        positive(maxContext, 1, 1, 1, blockSize);
        return evenly(maxContext, 1, blockSize);
    }

    /** {@code parts} partitions of whole blocks covering {@code maxContext} tokens (fewer when rounding allows). */
    static DecodeSplit evenly(int maxContext, int parts, int blockSize) {
        int blocks = (int) ceilDiv(maxContext, blockSize);
        int perPart = (int) ceilDiv(blocks, parts);
        return new DecodeSplit((int) ceilDiv(blocks, perPart), perPart);
    }

    /** Tokens one partition covers. */
    public long partitionTokens(int blockSize) {
        return (long) blocksPerPartition * blockSize;
    }

    /**
     * The most (sequence, partition) pairs {@link #choose} can ask for when at most {@code maxSeqs} sequences run:
     * {@code s * ceil(target / (s * kvHeads)) <= s + target / kvHeads}. Sizes the workspace of pass 1.
     */
    public static long maxSeqPartitions(int maxSeqs, int numKvHeads, int smCount) {
        return maxSeqs + ceilDiv((long) TARGET_BLOCKS_PER_SM * smCount, numKvHeads);
    }

    /** Bytes of f32 workspace pass 1 writes for {@code seqPartitions} (sequence, partition) pairs. */
    public static long workspaceBytes(long seqPartitions, int numHeadsPerKv, int numKvHeads, int headDim) {
        return seqPartitions * numHeadsPerKv * numKvHeads * (headDim + 2L) * Float.BYTES;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static void positive(int... v) {
        for (int x : v) if (x <= 0) throw new IllegalArgumentException("decode split sizes must be positive: " + java.util.Arrays.toString(v));
    }
}

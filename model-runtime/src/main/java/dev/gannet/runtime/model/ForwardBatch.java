package dev.gannet.runtime.model;

import java.util.Arrays;

/**
 * One step's tokens for {@link ForwardPass#forward}: a ragged batch of several sequences, each
 * contributing a chunk of consecutive tokens (a whole prompt, part of one, or one decode token).
 * Tokens of a sequence are contiguous: sequence s owns token rows [cuSeqlens[s], cuSeqlens[s + 1]).
 *
 * @param tokens       (numTokens) token ids
 * @param positions    (numTokens) absolute position of each token in its sequence
 * @param cuSeqlens    (numSeqs + 1) token offset of each sequence; cuSeqlens[0] = 0, last = numTokens
 * @param contextLens  (numSeqs) tokens in the KV cache after this step, this chunk included
 * @param blockTables  (numSeqs)(>= ceil(contextLen / blockSize)) KV block ids of each sequence, in order
 * @param blockSize    tokens per KV block
 * @param slotMapping  (numTokens) where each token's K/V are written: block * blockSize + offset
 * @param logitIndices token rows whose logits are wanted, in output order (usually each sequence's last)
 */
public record ForwardBatch(int[] tokens, int[] positions, int[] cuSeqlens, int[] contextLens, int[][] blockTables,
                           int blockSize, int[] slotMapping, int[] logitIndices) {
    public ForwardBatch {
        int n = tokens.length;
        int seqs = contextLens.length;
        if (n == 0) throw new IllegalArgumentException("empty batch");
        if (positions.length != n || slotMapping.length != n) {
            throw new IllegalArgumentException("tokens, positions and slotMapping lengths differ: " + n + ", " + positions.length + ", " + slotMapping.length);
        }
        if (blockSize <= 0) throw new IllegalArgumentException("blockSize " + blockSize);
        if (cuSeqlens.length != seqs + 1 || blockTables.length != seqs) {
            throw new IllegalArgumentException("numSeqs " + seqs + " needs cuSeqlens of " + (seqs + 1) + " and " + seqs
                    + " block tables, got " + cuSeqlens.length + " and " + blockTables.length);
        }
        if (cuSeqlens[0] != 0 || cuSeqlens[seqs] != n) throw new IllegalArgumentException("cuSeqlens must run from 0 to " + n + ": " + Arrays.toString(cuSeqlens));
        for (int s = 0; s < seqs; s++) checkSequence(s, tokens, positions, cuSeqlens, contextLens, blockTables, blockSize, slotMapping);
        for (int i : logitIndices) {
            if (i < 0 || i >= n) throw new IllegalArgumentException("logit index " + i + " outside [0, " + n + ")");
        }
    }

    private static void checkSequence(int s, int[] tokens, int[] positions, int[] cu, int[] contextLens, int[][] tables,
                                      int blockSize, int[] slots) {
        if (cu[s + 1] <= cu[s]) throw new IllegalArgumentException("sequence " + s + " has no tokens: " + Arrays.toString(cu));
        int ctx = contextLens[s];
        if ((long) tables[s].length * blockSize < ctx) {
            throw new IllegalArgumentException("sequence " + s + ": context " + ctx + " needs more than " + tables[s].length + " blocks of " + blockSize);
        }
        for (int t = cu[s]; t < cu[s + 1]; t++) {
            int p = positions[t];
            if (p < 0 || p >= ctx) throw new IllegalArgumentException("token " + t + ": position " + p + " outside [0, contextLen " + ctx + ")");
            if (tokens[t] < 0) throw new IllegalArgumentException("token " + t + ": id " + tokens[t]);
            int want = tables[s][p / blockSize] * blockSize + p % blockSize;
            if (slots[t] != want) {
                throw new IllegalArgumentException("token " + t + ": slot " + slots[t] + " disagrees with the block table (position " + p + " -> slot " + want + ")");
            }
        }
    }

    public int numTokens() { return tokens.length; }

    public int numSeqs() { return contextLens.length; }

    public int numLogits() { return logitIndices.length; }

    /**
     * One sequence's chunk: {@code tokens} at positions start.., K/V through {@code blockTable}; logits for
     * the last token only.
     */
    public static ForwardBatch single(int[] tokens, int start, int[] blockTable, int blockSize) {
        int n = tokens.length;
        int[] positions = new int[n];
        int[] slots = new int[n];
        for (int i = 0; i < n; i++) {
            int p = start + i;
            positions[i] = p;
            if (p / blockSize >= blockTable.length) throw new IllegalArgumentException("position " + p + " beyond the block table of " + blockTable.length + " blocks");
            slots[i] = blockTable[p / blockSize] * blockSize + p % blockSize;
        }
        return new ForwardBatch(tokens, positions, new int[] {0, n}, new int[] {start + n}, new int[][] {blockTable},
                blockSize, slots, new int[] {n - 1});
    }

    /**
     * Checks that this batch fits a forward pass of the given capacity over a model of config {@code c}
     * and a KV storage of {@code numBlocks} blocks of {@code blockSize} tokens; a clear error otherwise.
     */
    public void checkFits(ModelConfig c, int maxTokens, int maxLogits, int numBlocks, int blockSize) {
        int n = numTokens();
        if (n > maxTokens) throw new IllegalArgumentException("batch of " + n + " tokens, this forward pass holds at most " + maxTokens);
        if (numLogits() > maxLogits) throw new IllegalArgumentException(numLogits() + " logit rows requested, at most " + maxLogits);
        if (this.blockSize != blockSize) throw new IllegalArgumentException("batch block size " + this.blockSize + ", KV storage uses " + blockSize);
        for (int t = 0; t < n; t++) {
            if (tokens[t] >= c.vocabSize()) throw new IllegalArgumentException("token " + t + ": id " + tokens[t] + " outside the vocabulary of " + c.vocabSize());
            if (positions[t] >= c.contextLength()) {
                throw new IllegalArgumentException("token " + t + ": position " + positions[t] + " beyond the context length " + c.contextLength());
            }
        }
        for (int[] table : blockTables) {
            for (int b : table) {
                if (b < 0 || b >= numBlocks) throw new IllegalArgumentException("block id " + b + " outside [0, " + numBlocks + ")");
            }
        }
    }
}

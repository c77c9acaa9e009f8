package dev.gannet.runtime.engine;

import dev.gannet.runtime.constraint.ConstraintMatcher;
import dev.gannet.runtime.sampler.SamplingParams;

/**
 * One step's ragged batch: everything a {@link ModelRunner} needs. The first eight fields are,
 * in order, those of {@code dev.gannet.runtime.model.ForwardBatch}, so the adapter is one
 * constructor call. Rows are sequences; row {@code i} owns tokens
 * {@code [cuSeqlens[i], cuSeqlens[i + 1])}: consecutive positions starting at its number of
 * already-computed tokens (a prefill chunk, or one decode token). Arrays are fresh per step;
 * the engine does not touch them after {@code run} returns.
 *
 * @param tokens         (numTokens) input token ids, row-major
 * @param positions      (numTokens) position of each input token in its sequence
 * @param cuSeqlens      (numSeqs + 1) token offset of each row; cuSeqlens[0] = 0, last = numTokens
 * @param contextLens    (numSeqs) KV length each row attends over, this step's tokens included
 * @param blockTables    (numSeqs)(numBlocks of the row) KV block ids, covering at least contextLens
 * @param blockSize      tokens per KV block
 * @param slotMapping    (numTokens) flat slot (block * blockSize + offset) each input token's K/V
 *                       must be written to before attention reads the context
 * @param logitIndices   (numSampled) token indices whose logits are needed, ascending: the last
 *                       token of each row that reaches the end of its known tokens (rows in the
 *                       middle of a chunked prefill need none)
 * @param logitRows      (numSampled) the row of each logit index
 * @param requestIds     (numSeqs) engine request id of each row (key for per-request sampler state)
 * @param samplingParams (numSeqs) each row's request's sampling parameters
 * @param newPrompts     (numSeqs) the full prompt of a row scheduled for the first time, else null:
 *                       lets the runner set up per-request sampler state (repetition penalty)
 *                       even when the prefix cache skipped part of the prompt
 * @param constraints    (numSeqs) each row's structured-output matcher, or null entries for free rows: the runner
 *                       fills the mask of allowed tokens from it before sampling (it must not accept tokens: the
 *                       scheduler does when it appends them); a null array when no row is constrained
 */
public record SchedulerOutput(int[] tokens, int[] positions, int[] cuSeqlens, int[] contextLens, int[][] blockTables,
                              int blockSize, int[] slotMapping, int[] logitIndices, int[] logitRows,
                              long[] requestIds, SamplingParams[] samplingParams, int[][] newPrompts,
                              ConstraintMatcher[] constraints) {
    public SchedulerOutput {
        int numSeqs = requestIds.length;
        int numTokens = tokens.length;
        require(numSeqs >= 1, "at least one row");
        require(positions.length == numTokens && slotMapping.length == numTokens,
                "positions/slotMapping length must equal tokens length " + numTokens);
        require(cuSeqlens.length == numSeqs + 1 && cuSeqlens[0] == 0 && cuSeqlens[numSeqs] == numTokens,
                "cuSeqlens must have numSeqs + 1 entries from 0 to numTokens");
        require(contextLens.length == numSeqs && blockTables.length == numSeqs && samplingParams.length == numSeqs
                && newPrompts.length == numSeqs, "contextLens/blockTables/samplingParams/newPrompts length must equal numSeqs " + numSeqs);
        require(constraints == null || constraints.length == numSeqs, "constraints length must equal numSeqs " + numSeqs);
        require(blockSize >= 1, "blockSize must be >= 1");
        require(logitIndices.length == logitRows.length, "logitIndices/logitRows lengths differ");
        for (int i = 0; i < numSeqs; i++) {
            require(cuSeqlens[i + 1] > cuSeqlens[i], "row " + i + " has no tokens");
            require(positions[cuSeqlens[i + 1] - 1] == contextLens[i] - 1,
                    "row " + i + ": last position must be contextLens - 1");
            require((long) blockTables[i].length * blockSize >= contextLens[i],
                    "row " + i + ": context exceeds its block table");
        }
        for (int j = 0; j < logitIndices.length; j++) {
            int row = logitRows[j];
            require(row >= 0 && row < numSeqs && logitIndices[j] == cuSeqlens[row + 1] - 1,
                    "logit index " + j + " must be the last token of its row");
            require(j == 0 || logitRows[j] > logitRows[j - 1], "logit rows must ascend");
        }
    }

    /** A step without constrained rows. */
    public SchedulerOutput(int[] tokens, int[] positions, int[] cuSeqlens, int[] contextLens, int[][] blockTables,
                           int blockSize, int[] slotMapping, int[] logitIndices, int[] logitRows,
                           long[] requestIds, SamplingParams[] samplingParams, int[][] newPrompts) {
        this(tokens, positions, cuSeqlens, contextLens, blockTables, blockSize, slotMapping, logitIndices, logitRows,
                requestIds, samplingParams, newPrompts, null);
    }

    /** Row {@code row}'s constraint matcher, or null. */
    public ConstraintMatcher constraint(int row) {
        return constraints == null ? null : constraints[row];
    }

    public int numSeqs() {
        return requestIds.length;
    }

    public int numTokens() {
        return tokens.length;
    }

    public int numSampled() {
        return logitIndices.length;
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("SchedulerOutput: " + what);
        }
    }
}

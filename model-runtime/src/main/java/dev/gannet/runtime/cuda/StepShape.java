package dev.gannet.runtime.cuda;

import dev.gannet.runtime.model.ForwardBatch;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The geometry of one step on the device, decided on the host: how many token rows, sequences and logit rows,
 * the block-table width copied per sequence, and how attention is split between the decode kernel (the leading
 * sequences with one new token each: the scheduler puts running sequences first) and the ragged prefill kernel
 * (the rest). It also fixes where each input array sits in the one int32 region that a single asynchronous copy
 * moves to the device per step (tokens, positions, slots, cuSeqlens, contextLens, logit rows, block tables), so a
 * CUDA graph captured for one shape finds its inputs at the same addresses on every replay.
 *
 * @param tokens           token rows
 * @param seqs             sequences
 * @param logits           logit rows
 * @param tableWidth       block-table entries copied per sequence (>= every sequence's ceil(context / blockSize))
 * @param decodeSeqs       leading sequences attended by the decode kernel
 * @param maxQueryLen      longest chunk among the other sequences (0 when there are none)
 * @param maxDecodeContext longest context among the decode sequences (0 when there are none)
 */
record StepShape(int tokens, int seqs, int logits, int tableWidth, int decodeSeqs, int maxQueryLen, int maxDecodeContext) {
    StepShape {
        if (tokens < 1 || seqs < 1 || seqs > tokens || logits < 0 || tableWidth < 1 || decodeSeqs < 0 || decodeSeqs > seqs) {
            throw new IllegalArgumentException("step shape " + tokens + " tokens, " + seqs + " sequences, " + logits + " logits, table "
                    + tableWidth + ", " + decodeSeqs + " decode sequences");
        }
    }

    /** The shape of {@code b} as it is (eager launch). */
    static StepShape of(ForwardBatch b) {
        int[] cu = b.cuSeqlens();
        int seqs = b.numSeqs(), decode = 0;
        while (decode < seqs && cu[decode + 1] - cu[decode] == 1) decode++;
        int maxQuery = 0, maxDecodeCtx = 0, width = 1;
        for (int s = 0; s < seqs; s++) {
            int ctx = b.contextLens()[s];
            width = Math.max(width, (ctx + b.blockSize() - 1) / b.blockSize());
            if (s < decode) maxDecodeCtx = Math.max(maxDecodeCtx, ctx);
            else maxQuery = Math.max(maxQuery, cu[s + 1] - cu[s]);
        }
        return new StepShape(b.numTokens(), seqs, b.numLogits(), width, decode, maxQuery, maxDecodeCtx);
    }

    /** The padded decode shape a graph is captured for: {@code bucket} one-token sequences of up to {@code context} tokens. */
    static StepShape graph(int bucket, int context, int blockSize) {
        return new StepShape(bucket, bucket, bucket, (context + blockSize - 1) / blockSize, bucket, 0, context);
    }

    /** Whether a graph can replay {@code b}: one new token per sequence, each sequence's logits, in order. */
    static boolean decodeOnly(ForwardBatch b) {
        int n = b.numTokens();
        if (b.numSeqs() != n || b.numLogits() != n) return false;
        for (int i = 0; i < n; i++) {
            if (b.logitIndices()[i] != i) return false;
        }
        return true;
    }

    int positionsAt() { return tokens; }

    int slotsAt() { return 2 * tokens; }

    int cuSeqlensAt() { return 3 * tokens; }

    int contextLensAt() { return 3 * tokens + seqs + 1; }

    int logitRowsAt() { return 3 * tokens + 2 * seqs + 1; }

    int tablesAt() { return 3 * tokens + 2 * seqs + 1 + logits; }

    /** int32 values of the input region. */
    long ints() { return tablesAt() + (long) seqs * tableWidth; }

    /**
     * Writes {@code b}'s inputs in this shape's layout into {@code dst} (from byte 0). Rows past the batch are
     * padding: token 0 at position 0, slot -1 (no KV write), one-token sequences with a context of 1 in the null
     * block 0, their own logit row. Block-table entries past a sequence's context are left as they were: no kernel
     * reads them.
     */
    void write(ForwardBatch b, MemorySegment dst) {
        int n = b.numTokens(), s = b.numSeqs(), l = b.numLogits();
        if (n > tokens || s > seqs || l > logits || (n < tokens && (tokens - n != seqs - s || seqs - s != logits - l))) {
            throw new IllegalArgumentException("a batch of " + n + " tokens, " + s + " sequences, " + l + " logits does not fit " + this);
        }
        copy(dst, 0, b.tokens(), n);
        copy(dst, positionsAt(), b.positions(), n);
        copy(dst, slotsAt(), b.slotMapping(), n);
        copy(dst, cuSeqlensAt(), b.cuSeqlens(), s + 1);
        copy(dst, contextLensAt(), b.contextLens(), s);
        copy(dst, logitRowsAt(), b.logitIndices(), l);
        for (int i = n; i < tokens; i++) { // padding: one token per padded sequence, token i is sequence i's
            dst.setAtIndex(ValueLayout.JAVA_INT, i, 0);
            dst.setAtIndex(ValueLayout.JAVA_INT, positionsAt() + i, 0);
            dst.setAtIndex(ValueLayout.JAVA_INT, slotsAt() + i, -1);
        }
        for (int q = s; q < seqs; q++) {
            dst.setAtIndex(ValueLayout.JAVA_INT, cuSeqlensAt() + q + 1, n + (q + 1 - s));
            dst.setAtIndex(ValueLayout.JAVA_INT, contextLensAt() + q, 1);
        }
        for (int i = l; i < logits; i++) dst.setAtIndex(ValueLayout.JAVA_INT, logitRowsAt() + i, i);
        long at = (long) tablesAt() * 4;
        for (int q = 0; q < seqs; q++) {
            if (q < s) {
                int used = (b.contextLens()[q] + b.blockSize() - 1) / b.blockSize();
                if (used > tableWidth) throw new IllegalArgumentException("sequence " + q + " needs " + used + " blocks, the shape holds " + tableWidth);
                MemorySegment.copy(b.blockTables()[q], 0, dst, ValueLayout.JAVA_INT, at, used);
            } else {
                dst.set(ValueLayout.JAVA_INT, at, 0); // a padded sequence reads slot 0 of the null block
            }
            at += 4L * tableWidth;
        }
    }

    private static void copy(MemorySegment dst, int at, int[] src, int n) {
        MemorySegment.copy(src, 0, dst, ValueLayout.JAVA_INT, 4L * at, n);
    }
}

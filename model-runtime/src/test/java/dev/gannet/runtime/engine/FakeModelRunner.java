package dev.gannet.runtime.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A model runner without a model, but with paged KV: it writes each input token id into its
 * slot of a simulated KV memory, then derives each sampled token from the context it reads back
 * through the row's block table. So a wrong block table, slot mapping or prefix-cache hit
 * changes the tokens, and a correct schedule yields tokens that depend only on the sequence's
 * content (not on batching, chunking, preemption or cache hits).
 *
 * <p>Alternatively a {@link Script} fixes the tokens for stop-rule tests.
 */
final class FakeModelRunner implements ModelRunner {
    /** Scripted next token of a request whose sequence (prompt + generated) has {@code contextLen} tokens. */
    interface Script {
        int token(long requestId, int contextLen);
    }

    private final int[] kvMemory;  // (numBlocks * blockSize) token id held by each KV slot
    private final int vocab;
    private final boolean record;
    final List<SchedulerOutput> batches = new ArrayList<>();
    final List<String> violations = new ArrayList<>();
    final List<Long> released = new ArrayList<>();
    volatile Predicate<SchedulerOutput> failWhen;
    Script script;

    FakeModelRunner(EngineConfig config, int vocab, boolean record) {
        this.kvMemory = new int[config.numBlocks() * config.blockSize()];
        this.vocab = vocab;
        this.record = record;
    }

    @Override
    public StepResult run(SchedulerOutput b) {
        if (record) {
            batches.add(b);
        }
        Predicate<SchedulerOutput> fail = failWhen;
        if (fail != null && fail.test(b)) {
            throw new IllegalStateException("injected runner failure");
        }
        int bs = b.blockSize();
        for (int row = 0; row < b.numSeqs(); row++) {
            for (int t = b.cuSeqlens()[row]; t < b.cuSeqlens()[row + 1]; t++) {
                int pos = b.positions()[t];
                int block = b.blockTables()[row][pos / bs];
                if (block == 0 || b.slotMapping()[t] != block * bs + pos % bs) {
                    violations.add("row " + row + " pos " + pos + ": slot " + b.slotMapping()[t] + " vs block " + block);
                }
                kvMemory[b.slotMapping()[t]] = b.tokens()[t]; // every write happens before any read
            }
        }
        int[] out = new int[b.numSampled()];
        for (int j = 0; j < out.length; j++) {
            int row = b.logitRows()[j];
            out[j] = script != null ? scripted(b, row) : contentToken(b, row, bs);
        }
        return new StepResult(out);
    }

    @Override
    public void release(long requestId) {
        released.add(requestId);
    }

    private int contentToken(SchedulerOutput b, int row, int bs) {
        long h = 0xcbf29ce484222325L;
        for (int p = 0; p < b.contextLens()[row]; p++) {
            int block = b.blockTables()[row][p / bs];
            h = (h ^ kvMemory[block * bs + p % bs]) * 0x100000001b3L;
        }
        return (int) Math.floorMod(h ^ (h >>> 29), (long) vocab);
    }

    private int scripted(SchedulerOutput b, int row) {
        return script.token(b.requestIds()[row], b.contextLens()[row]);
    }
}

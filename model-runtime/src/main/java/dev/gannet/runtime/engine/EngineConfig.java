package dev.gannet.runtime.engine;

import java.util.Arrays;

/**
 * Scheduler and KV geometry of one engine.
 *
 * @param numBlocks           KV blocks including the reserved null block 0
 * @param blockSize           tokens per KV block
 * @param maxBatchTokens      token budget of one step (prefill chunks + decodes); >= maxRunning
 * @param maxRunning          most sequences holding KV / scheduled per step
 * @param maxModelLen         longest sequence (prompt + generated) the model supports
 * @param enablePrefixCaching share full KV blocks between requests with equal prefixes
 * @param eosTokenIds         the model's end-of-sequence token id(s); copied
 * @param maxStepNanos        the step-time budget while sequences are decoding (Sarathi-Serve's idea): prefill
 *                            chunks are sized so a step is predicted to stay within it. {@link #STEP_BUDGET_OFF} (0):
 *                            chunks up to maxBatchTokens; {@link #STEP_BUDGET_AUTO}: {@value #AUTO_FACTOR} times the
 *                            predicted cost of the step's decodes alone; else nanoseconds
 */
public record EngineConfig(int numBlocks, int blockSize, int maxBatchTokens, int maxRunning,
                           int maxModelLen, boolean enablePrefixCaching, int[] eosTokenIds, long maxStepNanos) {
    public static final long STEP_BUDGET_OFF = 0;
    public static final long STEP_BUDGET_AUTO = -1;
    /** Auto budget: a step may take this many times its decodes' own cost, so ITL p99 stays within 3x p50 (measured: docs/benchmarks.md). */
    public static final double AUTO_FACTOR = 2.0;

    public EngineConfig {
        if (numBlocks < 2) {
            throw new IllegalArgumentException("EngineConfig.numBlocks must be >= 2 (block 0 is reserved), got " + numBlocks);
        }
        if (blockSize < 1) {
            throw new IllegalArgumentException("EngineConfig.blockSize must be >= 1, got " + blockSize);
        }
        if (maxBatchTokens < 1) {
            throw new IllegalArgumentException("EngineConfig.maxBatchTokens must be >= 1, got " + maxBatchTokens);
        }
        if (maxRunning < 1) {
            throw new IllegalArgumentException("EngineConfig.maxRunning must be >= 1, got " + maxRunning);
        }
        if (maxBatchTokens < maxRunning) {
            throw new IllegalArgumentException("EngineConfig.maxBatchTokens (" + maxBatchTokens
                    + ") must be >= maxRunning (" + maxRunning + ") so every running sequence gets a token each step");
        }
        if (maxModelLen < 2) {
            throw new IllegalArgumentException("EngineConfig.maxModelLen must be >= 2, got " + maxModelLen);
        }
        eosTokenIds = eosTokenIds == null ? new int[0] : eosTokenIds.clone();
        if (maxStepNanos < STEP_BUDGET_AUTO) {
            throw new IllegalArgumentException("EngineConfig.maxStepNanos must be >= 0 or STEP_BUDGET_AUTO, got " + maxStepNanos);
        }
    }

    /** Without a step-time budget: prefill chunks up to maxBatchTokens. */
    public EngineConfig(int numBlocks, int blockSize, int maxBatchTokens, int maxRunning, int maxModelLen,
                        boolean enablePrefixCaching, int[] eosTokenIds) {
        this(numBlocks, blockSize, maxBatchTokens, maxRunning, maxModelLen, enablePrefixCaching, eosTokenIds, STEP_BUDGET_OFF);
    }

    @Override
    public int[] eosTokenIds() {
        return eosTokenIds.clone();
    }

    /** Longest sequence this engine can hold: the model limit or the whole KV pool, if smaller. */
    public int maxContextTokens() {
        return (int) Math.min(maxModelLen, (long) (numBlocks - 1) * blockSize);
    }

    int[] eosNoCopy() {
        return eosTokenIds;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EngineConfig c && numBlocks == c.numBlocks && blockSize == c.blockSize
                && maxBatchTokens == c.maxBatchTokens && maxRunning == c.maxRunning && maxModelLen == c.maxModelLen
                && enablePrefixCaching == c.enablePrefixCaching && Arrays.equals(eosTokenIds, c.eosTokenIds)
                && maxStepNanos == c.maxStepNanos;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new int[] {numBlocks, blockSize, maxBatchTokens, maxRunning, maxModelLen})
                + Arrays.hashCode(eosTokenIds);
    }

    @Override
    public String toString() {
        return "EngineConfig[numBlocks=" + numBlocks + ", blockSize=" + blockSize + ", maxBatchTokens="
                + maxBatchTokens + ", maxRunning=" + maxRunning + ", maxModelLen=" + maxModelLen
                + ", enablePrefixCaching=" + enablePrefixCaching + ", eosTokenIds=" + Arrays.toString(eosTokenIds)
                + ", maxStepNanos=" + (maxStepNanos == STEP_BUDGET_AUTO ? "auto" : maxStepNanos) + "]";
    }
}

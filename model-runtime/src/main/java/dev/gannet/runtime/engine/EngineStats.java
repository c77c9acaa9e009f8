package dev.gannet.runtime.engine;

/**
 * Snapshot published by the engine thread after every step (and when it goes idle).
 *
 * @param running            sequences holding KV blocks
 * @param waiting            sequences queued (new or preempted), submissions not yet drained excluded
 * @param waitingTokens      what those sequences may cost: prompt plus the tokens they may generate, each capped at
 *                           the context
 * @param kvUsableBlocks     KV blocks that can be handed out
 * @param kvUsedBlocks       blocks held by sequences
 * @param kvFreeBlocks       blocks with no holder (cached ones included)
 * @param kvCachedBlocks     blocks findable in the prefix cache
 * @param prefixQueryTokens  prompt tokens looked up in the prefix cache at admission
 * @param prefixHitTokens    of those, tokens served from the cache
 * @param prefixEvictions    cached blocks evicted for reuse
 * @param preemptions        sequences preempted so far
 * @param steps              steps that ran a batch
 * @param finishedRequests   requests finished for any reason
 * @param lastStepNanos      wall time of the last step that ran a batch (schedule + run + postprocess)
 * @param lastStepTokens     tokens in that batch
 */
public record EngineStats(int running, int waiting, long waitingTokens, int kvUsableBlocks, int kvUsedBlocks, int kvFreeBlocks,
                          int kvCachedBlocks, long prefixQueryTokens, long prefixHitTokens, long prefixEvictions,
                          long preemptions, long steps, long finishedRequests, long lastStepNanos, int lastStepTokens) {
    public EngineStats {
        if (running < 0 || waiting < 0 || waitingTokens < 0 || kvUsedBlocks + kvFreeBlocks != kvUsableBlocks) {
            throw new IllegalArgumentException("EngineStats inconsistent: running=" + running + " waiting=" + waiting
                    + " used=" + kvUsedBlocks + " free=" + kvFreeBlocks + " usable=" + kvUsableBlocks);
        }
    }
}

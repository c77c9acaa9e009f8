package dev.gannet.runtime.engine;

/**
 * Runs one forward pass plus sampling for a scheduled batch. Called only on the engine thread,
 * one step at a time. The runner must write each input token's K/V to its {@code slotMapping}
 * slot before attention reads {@code contextLens} tokens through {@code blockTables}; the KV
 * storage itself (bytes, indexed by block id) belongs to the runner.
 *
 * <p>An exception ends every sequence of the batch with {@link FinishReason#ERROR} and frees
 * their blocks; the engine keeps serving the others.
 */
@FunctionalInterface
public interface ModelRunner {
    /** Returns exactly {@code batch.numSampled()} tokens, in {@code logitIndices} order. */
    StepResult run(SchedulerOutput batch);

    /**
     * A request finished (any reason): drop its per-request state (sampler, RNG). Called on the
     * engine thread; a preempted request is NOT released, it resumes with its state.
     */
    default void release(long requestId) {
    }
}

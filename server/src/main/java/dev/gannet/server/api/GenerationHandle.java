package dev.gannet.server.api;

import dev.gannet.runtime.engine.FinishReason;

/** A submitted sequence. */
@FunctionalInterface
public interface GenerationHandle {
    /**
     * Asks the engine to stop this sequence and free its KV blocks at its next step.
     * Idempotent and non-blocking; callable from any thread. The listener still gets
     * its last event (reason {@link FinishReason#ABORT}) unless
     * the sequence had already finished.
     */
    void abort();
}

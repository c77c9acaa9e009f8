package dev.gannet.server.api;

import dev.gannet.runtime.engine.FinishReason;

/** A submitted sequence. */
public interface GenerationHandle {
    /**
     * Asks the engine to stop this sequence and free its KV blocks at its next step.
     * Idempotent and non-blocking; callable from any thread. The listener still gets
     * one {@link GenerationListener#onFinish} (reason {@link FinishReason#ABORT}) unless
     * the sequence had already finished.
     */
    void abort();
}

package dev.gannet.runtime.engine;

/** Life of a {@link Sequence}: WAITING -> RUNNING (-> PREEMPTED -> RUNNING)* -> FINISHED. */
public enum SequenceStatus {
    /** Queued, never admitted; holds no KV blocks. */
    WAITING,
    /** Admitted: holds KV blocks and is scheduled every step until it finishes. */
    RUNNING,
    /** Evicted for lack of KV blocks; queued again and recomputed from position 0 when readmitted. */
    PREEMPTED,
    /** Done; holds nothing. */
    FINISHED
}

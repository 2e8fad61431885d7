package dev.leakproof.pipeline;

/** Why a batch taken from the source reached the {@link DiscardListener} instead of a worker. */
public enum DiscardReason {
    /**
     * The producer held the batch when it observed a stop request (before handing it over, or
     * while it was blocked on a full queue that the stop closed).
     */
    STOPPED,
    /** The routing key function threw on the batch. */
    UNROUTABLE,
    /**
     * The batch was still queued when the pipeline halted (the drain timeout passed), or was left
     * in a closed queue after its workers had ended.
     */
    HALTED
}

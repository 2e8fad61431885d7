package dev.leakproof.pipeline;

/**
 * The states of a {@link Pipeline}, in the only order it moves through them (any may be skipped
 * except {@code TERMINATED}).
 */
public enum PipelineState {
    /** Built, no thread started. */
    NEW,
    /** The producer is handing batches to the queues. */
    RUNNING,
    /** The source ended or a stop was requested: the queues are closed and the workers finish what is queued. */
    DRAINING,
    /** The drain timeout passed: workers and producer interrupted, queued batches discarded. */
    HALTING,
    /** Every pipeline thread has ended, or is named in the shutdown report. */
    TERMINATED
}

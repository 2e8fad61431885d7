package dev.leakproof.pipeline;

/** What a {@link Pipeline} does when its {@link BatchWorker} throws. */
public enum FailurePolicy {
    /** The first failure stops the pipeline ({@link StopReason#WORKER_FAILED}) as {@link Pipeline#requestStop()} would. */
    FAIL_FAST,
    /** Failures are counted ({@link ShutdownReport#failed()}) and the first is kept; the pipeline carries on. */
    CONTINUE
}

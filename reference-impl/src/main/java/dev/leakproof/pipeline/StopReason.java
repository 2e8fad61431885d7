package dev.leakproof.pipeline;

/**
 * Why a {@link Pipeline} stopped producing. The first reason recorded wins; later ones are
 * ignored (a memory-guard trip after a worker failure is still reported as the worker failure).
 */
public enum StopReason {
    /** The source ended and no stop was requested before: the normal end. */
    COMPLETED,
    /** {@link Pipeline#requestStop()}: the emergency stop. */
    STOP_REQUESTED,
    /** {@link Pipeline#close()} was called before the source ended. */
    CLOSED,
    /** The source (or the routing key function) threw; the report's cause holds the exception. */
    SOURCE_FAILED,
    /** A worker threw under {@link FailurePolicy#FAIL_FAST} (or threw a {@link VirtualMachineError}). */
    WORKER_FAILED,
    /** The {@link MemoryGuard} saw heap use at or above its limit. */
    MEMORY_LIMIT,
    /** A pipeline thread was interrupted by someone other than the pipeline. */
    INTERRUPTED,
    /** A thread could not be started; the threads already started were stopped. */
    START_FAILED,
    /** The pipeline was closed without having been started. */
    NOT_STARTED
}

package dev.leakproof.pipeline;

/**
 * What a {@link Pipeline}'s worker threads do with each batch. Called concurrently from every
 * worker thread (each batch exactly once), so it must be thread-safe.
 *
 * <p>Returning normally counts the batch as {@code processed}; throwing counts it as
 * {@code failed} and, under {@link FailurePolicy#FAIL_FAST}, stops the pipeline. When the
 * pipeline halts, its workers are interrupted: a worker that blocks should answer the interrupt,
 * or it is reported as stuck (see {@link ShutdownReport#stuckThreads()}).
 *
 * @param <T> the batch type
 */
@FunctionalInterface
public interface BatchWorker<T> {

    /**
     * Processes one batch.
     *
     * @throws Exception when processing fails; the batch counts as failed
     */
    void process(T batch) throws Exception;
}

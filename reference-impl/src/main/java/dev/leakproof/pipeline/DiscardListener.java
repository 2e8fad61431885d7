package dev.leakproof.pipeline;

/**
 * Receives every batch that was taken from the source but will not reach a worker, exactly once
 * per batch, so that batches holding resources can release them. Each call is counted in
 * {@link ShutdownReport#discarded()} before it is made.
 *
 * <p>Called on the thread that discards: the producer (for {@link DiscardReason#STOPPED} and
 * {@link DiscardReason#UNROUTABLE}), or the thread that closes the pipeline or the last pipeline
 * thread to end (for {@link DiscardReason#HALTED}). A listener that throws is logged and counted
 * ({@link ShutdownReport#listenerFailures()}); the pipeline carries on. A slow listener delays
 * {@link Pipeline#close(java.time.Duration)} by the time it takes.
 *
 * @param <T> the batch type
 */
@FunctionalInterface
public interface DiscardListener<T> {

    /** Called once for a batch that will not be processed. */
    void onDiscard(T batch, DiscardReason reason);

    /** A listener that does nothing. */
    static <T> DiscardListener<T> none() {
        return (batch, reason) -> { };
    }
}

package dev.leakproof.pipeline;

/**
 * Receives every batch that was taken from the source but will not reach a worker, exactly once
 * per batch, so that batches holding resources can release them. Each call is counted in
 * {@link ShutdownReport#discarded()} before it is made.
 *
 * <p>Called on the thread that discards, which may be any of several threads, concurrently, for
 * different batches: the producer (for {@link DiscardReason#STOPPED} and
 * {@link DiscardReason#UNROUTABLE}), the thread that closes the pipeline, or the last pipeline
 * thread to end (for {@link DiscardReason#HALTED} and batches a stop stranded in a queue). A
 * listener must therefore be thread-safe. A listener that throws is logged and counted
 * ({@link ShutdownReport#listenerFailures()}); the pipeline carries on. On the closing thread the
 * listener runs after the threads are interrupted and within the grace period; a listener slower
 * in total than the grace period makes {@link Pipeline#close(java.time.Duration)} return later by
 * the excess. It must not call {@code close} (that throws {@link IllegalStateException});
 * {@link Pipeline#requestStop()} is safe.
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

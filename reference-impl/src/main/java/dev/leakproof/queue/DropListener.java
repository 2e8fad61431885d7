package dev.leakproof.queue;

/**
 * Receives every element that a {@link BoundedQueue} does not deliver, exactly once (invariant
 * Q3), so that elements holding resources can release them.
 *
 * <p>Called on the thread whose operation dropped the element (the producer for an offer, the
 * closer for {@code closeAndDiscard}), never while the queue holds a lock. Once an element has been
 * handed to the listener the queue and the offering caller no longer own it. A listener that
 * throws is logged and counted in {@link QueueMetrics#listenerFailures()}; the queue carries on.
 *
 * @param <E> the element type
 */
@FunctionalInterface
public interface DropListener<E> {

    /**
     * Called once for an element that will not be delivered.
     *
     * @param element the element, never {@code null}
     * @param reason  why it was dropped
     */
    void onDrop(E element, DropReason reason);

    /** A listener that does nothing. */
    static <E> DropListener<E> none() {
        return (element, reason) -> { };
    }
}

package dev.leakproof.queue;

/**
 * Thrown by an offer on a full {@link OverflowStrategy#FAIL} queue, and by {@code add} on any full
 * queue. The element has already been handed to the drop listener with
 * {@link DropReason#REFUSED_FULL}.
 */
public final class QueueFullException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    QueueFullException(String queue, int capacity) {
        super("queue '" + queue + "' is full (capacity " + capacity + ")");
    }
}

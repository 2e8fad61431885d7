package dev.leakproof.queue;

/**
 * Thrown by {@code put}, {@code add} and {@code take} on a closed {@link BoundedQueue}. For
 * {@code put} and {@code add}, the element has already been handed to the drop listener with
 * {@link DropReason#CLOSED}.
 */
public final class QueueClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    QueueClosedException(String message) {
        super(message);
    }
}

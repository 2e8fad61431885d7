package dev.leakproof.retry;

/**
 * Receives every item that a {@link RetryBuffer} abandons, exactly once, with its reason,
 * attempts and age: the seed's "fallback" path.
 *
 * <p>Called on the thread whose operation abandoned the item (an adder for an eviction or an
 * expiry found on add, a processor for a failed or reclaimed batch, the cleanup thread, the
 * closer), never while the buffer holds its lock, so the listener may call back into the buffer.
 * It should not add to the <em>same</em> buffer synchronously: on a full buffer each such add
 * evicts another item, whose delivery calls the listener again, one stack frame deeper. The buffer
 * therefore refuses an {@code add} made {@value RetryBuffer#MAX_NESTED_DELIVERIES} or more
 * nested deliveries deep on one thread with an {@link IllegalStateException} that names the problem (the
 * item being delivered has already been counted and delivered; only the re-add is refused).
 * A listener that throws is logged and counted in
 * {@link RetryBufferHealth#listenerFailures()}; the buffer carries on and the item counts as
 * abandoned all the same.
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface DeadLetterListener<T> {

    /** Called once for each abandoned item. */
    void onAbandoned(Abandoned<T> abandoned);

    /** A listener that does nothing. */
    static <T> DeadLetterListener<T> none() {
        return abandoned -> { };
    }
}

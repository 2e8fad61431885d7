package dev.leakproof.retry;

/**
 * Why a {@link RetryBuffer} gave an item up. Each reason is counted separately in
 * {@link RetryBufferHealth#abandoned()}, and every abandoned item reaches the
 * {@link DeadLetterListener} exactly once with its reason.
 */
public enum AbandonReason {
    /** The buffer was full when an item was added or returned after a failure: the oldest buffered item was evicted. */
    EVICTED_CAPACITY,
    /** The item was older than the maximum age when the buffer looked at it (on add, before a batch, in cleanup, after a failure). */
    EXPIRED,
    /** The item's batch failed and the item had been attempted {@code maxAttempts} times. */
    MAX_ATTEMPTS,
    /** The item's batch neither succeeded nor failed within the in-flight timeout, and the item had no attempt or age left. */
    STALE_IN_FLIGHT,
    /** The buffer was closed while the item was buffered or in flight (or its drain attempt failed). */
    CLOSED
}

package dev.leakproof.queue;

/**
 * Why an element left a {@link BoundedQueue} (or never entered it) without being delivered to a
 * consumer. Each reason is counted by exactly one counter of {@link QueueMetrics}.
 */
public enum DropReason {
    /** Evicted from the head by a {@link OverflowStrategy#DROP_OLDEST} offer. Counted in {@code droppedOldest}. */
    EVICTED_OLDEST,
    /** Refused by a full {@link OverflowStrategy#DROP_NEWEST} queue. Counted in {@code droppedNewest}. */
    REFUSED_NEWEST,
    /** Refused by a {@link OverflowStrategy#BLOCK} queue that stayed full for the whole timeout. Counted in {@code timedOut}. */
    TIMED_OUT,
    /** Refused by a full {@link OverflowStrategy#FAIL} queue, or by {@code add} on any full queue. Counted in {@code rejected}. */
    REFUSED_FULL,
    /** The producer was interrupted while it waited for space. Counted in {@code rejected}. */
    INTERRUPTED,
    /** Offered after the queue was closed. Counted in {@code rejected}. */
    CLOSED,
    /** Removed without delivery by {@code clear()} or {@code closeAndDiscard()}. Counted in {@code discarded}. */
    DISCARDED
}

package dev.leakproof.queue;

/**
 * What a {@link BoundedQueue} does with an offer when it is full. Chosen once, when the queue is
 * built.
 */
public enum OverflowStrategy {
    /**
     * The producer waits for space, up to the queue's block timeout (or the timeout of the call);
     * on timeout the element is refused with {@link DropReason#TIMED_OUT}. Waiting is
     * interruptible. This is the only strategy in which a producer ever waits.
     */
    BLOCK,
    /** The oldest element (the head) is evicted with {@link DropReason#EVICTED_OLDEST} to make room; the offer succeeds. */
    DROP_OLDEST,
    /** The new element is refused with {@link DropReason#REFUSED_NEWEST}; the offer returns {@code false}. */
    DROP_NEWEST,
    /** The offer throws {@link QueueFullException}; the element is refused with {@link DropReason#REFUSED_FULL}. */
    FAIL
}

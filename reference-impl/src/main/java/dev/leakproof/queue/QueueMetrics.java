package dev.leakproof.queue;

/**
 * An immutable snapshot of a {@link BoundedQueue}'s counters.
 *
 * <p>Conservation (invariant Q2), exact when the queue is quiescent (no operation in progress):
 * <pre>
 *   offered  = accepted + droppedNewest + timedOut + rejected
 *   accepted = delivered + droppedOldest + discarded + size
 * </pre>
 * {@code discarded} counts elements removed by {@code clear()} or {@code closeAndDiscard()}; it is
 * zero for a queue that is only drained by consumers. While operations are in progress each
 * counter is individually accurate but they are not read atomically together.
 *
 * @param name            the queue's name
 * @param capacity        the configured capacity, exactly
 * @param size            elements inside, {@code 0 <= size <= capacity} (Q1)
 * @param highWaterMark   the largest size seen at a producer's capacity check or by a snapshot;
 *                        equals {@code capacity} once the queue has been full
 * @param offered         calls that offered an element (null elements throw and are not counted)
 * @param accepted        elements that entered the queue
 * @param delivered       elements handed to consumers ({@code poll}, {@code take}, {@code drainTo}, ...)
 * @param droppedOldest   elements evicted by {@link OverflowStrategy#DROP_OLDEST}
 * @param droppedNewest   elements refused by {@link OverflowStrategy#DROP_NEWEST}
 * @param timedOut        elements refused by {@link OverflowStrategy#BLOCK} after the timeout
 * @param rejected        elements refused for another reason: {@link OverflowStrategy#FAIL} or
 *                        {@code add} on a full queue, an interrupted wait, or a closed queue
 * @param discarded       elements removed undelivered by {@code clear()} or {@code closeAndDiscard()}
 * @param listenerFailures drop-listener calls that threw
 * @param closed          whether the queue has been closed
 */
public record QueueMetrics(
        String name,
        int capacity,
        int size,
        int highWaterMark,
        long offered,
        long accepted,
        long delivered,
        long droppedOldest,
        long droppedNewest,
        long timedOut,
        long rejected,
        long discarded,
        long listenerFailures,
        boolean closed) {

    /** {@code size / capacity}, from 0.0 to 1.0. */
    public double utilisation() {
        return (double) size / capacity;
    }

    /** Every element that was offered but not delivered: the sum of the drop counters. */
    public long dropped() {
        return droppedOldest + droppedNewest + timedOut + rejected + discarded;
    }
}

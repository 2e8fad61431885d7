package dev.leakproof.retry;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable snapshot of a {@link RetryBuffer}: the seed's health metrics plus the counters
 * that prove its contract. Every field is read under the buffer's lock at one instant, so the
 * invariants hold exactly on every snapshot, even while other threads use the buffer:
 * <pre>
 *   R1  added = succeeded + abandoned (sum over reasons) + size + inFlightItems
 *   R2  attempts &lt;= maxAttempts * added   and   succeeded + abandoned &lt;= added
 *   R3  size &lt;= capacity
 * </pre>
 * (R2 proper, "no item both succeeded and abandoned, none attempted more than maxAttempts times",
 * is a per-item property; the snapshot shows its aggregate consequences.)
 *
 * @param name              the buffer's name
 * @param size              items buffered: waiting for a first batch or for a retry (not in flight)
 * @param capacity          the maximum size ({@code maxBufferSize})
 * @param maxAttempts       the configured attempt limit
 * @param averageItemAge    mean age of the buffered items ({@link Duration#ZERO} when empty)
 * @param maxItemAge        age of the oldest buffered item ({@link Duration#ZERO} when empty)
 * @param inFlightBatches   batches handed to processors and not yet ended
 * @param inFlightItems     items in those batches
 * @param added             items accepted by {@code add}
 * @param attempts          item attempts: each time an item is handed to a processor counts one
 * @param succeeded         items whose batch reported them as succeeded
 * @param failedBatches     applied batch results in which at least one item failed
 * @param failedItems       item attempts that failed (the item was then retried or abandoned)
 * @param reclaimedBatches  batches reclaimed as stale after the in-flight timeout
 * @param lateCompletions   completions ignored because the batch had already ended (reclaimed,
 *                          closed, or completed before)
 * @param abandoned         items abandoned, by reason; every reason is present
 * @param listenerFailures  dead-letter listener calls that threw
 * @param closed            whether the buffer has been closed
 */
public record RetryBufferHealth(
        String name,
        int size,
        int capacity,
        int maxAttempts,
        Duration averageItemAge,
        Duration maxItemAge,
        int inFlightBatches,
        int inFlightItems,
        long added,
        long attempts,
        long succeeded,
        long failedBatches,
        long failedItems,
        long reclaimedBatches,
        long lateCompletions,
        Map<AbandonReason, Long> abandoned,
        long listenerFailures,
        boolean closed) {

    public RetryBufferHealth {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(averageItemAge, "averageItemAge");
        Objects.requireNonNull(maxItemAge, "maxItemAge");
        EnumMap<AbandonReason, Long> copy = new EnumMap<>(AbandonReason.class);
        for (AbandonReason r : AbandonReason.values()) {
            copy.put(r, abandoned.getOrDefault(r, 0L));
        }
        abandoned = Collections.unmodifiableMap(copy);
    }

    /** {@code size / capacity}, from 0.0 to 1.0. */
    public double utilisation() {
        return (double) size / capacity;
    }

    /** Items abandoned for {@code reason}. */
    public long abandoned(AbandonReason reason) {
        return abandoned.get(reason);
    }

    /** Items abandoned for any reason. */
    public long abandonedTotal() {
        long sum = 0;
        for (long v : abandoned.values()) {
            sum += v;
        }
        return sum;
    }

    /** Whether R1 holds: {@code added = succeeded + abandoned + size + inFlightItems}. */
    public boolean isConserved() {
        return added == succeeded + abandonedTotal() + size + inFlightItems;
    }

    /**
     * Checks R1, the aggregate form of R2, and R3 on this snapshot.
     *
     * @return this snapshot
     * @throws IllegalStateException naming the invariant that does not hold, with the numbers
     */
    public RetryBufferHealth checkInvariants() {
        if (!isConserved()) {
            throw new IllegalStateException("R1 violated on '" + name + "': added " + added + " != succeeded " + succeeded
                    + " + abandoned " + abandonedTotal() + " " + abandoned + " + size " + size + " + inFlight " + inFlightItems);
        }
        if (succeeded + abandonedTotal() > added || attempts > (long) maxAttempts * added) {
            throw new IllegalStateException("R2 violated on '" + name + "': added " + added + ", succeeded " + succeeded
                    + ", abandoned " + abandonedTotal() + ", attempts " + attempts + ", maxAttempts " + maxAttempts);
        }
        if (size < 0 || size > capacity) {
            throw new IllegalStateException("R3 violated on '" + name + "': size " + size + " not in [0, " + capacity + "]");
        }
        return this;
    }
}

package dev.leakproof.pool;

import java.time.Duration;
import java.util.Objects;

/**
 * A lease that was still out when {@link BufferPool#outstandingLeases()} looked: not closed, not
 * reclaimed, not force-released.
 *
 * @param pool            the pool's name
 * @param leaseId         the lease's id: its acquisition ordinal in the pool, from 1
 * @param size            the lease's visible size in bytes
 * @param capacity        the capacity of the buffer that serves it (its size class)
 * @param ageNanos        how long the lease has been out; with a maintenance task the acquisition time
 *                        is the pool's coarse clock, so the age may be up to one maintenance interval
 *                        too high
 * @param threadName      the thread that acquired the lease
 * @param acquisitionSite a throwable whose stack is where the lease was acquired, or {@code null}
 *                        when the lease is not tracked (see {@link TrackingLevel})
 */
public record OutstandingLease(String pool, long leaseId, int size, int capacity, long ageNanos,
                               String threadName, Throwable acquisitionSite) {

    public OutstandingLease {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(threadName, "threadName");
    }

    /** The age as a duration. */
    public Duration age() {
        return Duration.ofNanos(ageNanos);
    }

    /** Whether the acquisition stack is known (the lease is tracked). */
    public boolean tracked() {
        return acquisitionSite != null;
    }

    /** One line, without the stack. */
    public String summary() {
        return "pool '" + pool + "': lease #" + leaseId + " (" + size + " B) out for " + age().toMillis()
                + " ms, acquired by thread '" + threadName + "'"
                + (tracked() ? "" : " (untracked: no acquisition stack)");
    }
}

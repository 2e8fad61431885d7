package dev.leakproof.pool;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link LeakListener} receives about one lease.
 *
 * @param pool            the pool's name
 * @param verdict         what was concluded
 * @param leaseId         the lease's id: its acquisition ordinal in the pool, from 1
 * @param size            the lease's visible size in bytes
 * @param ageNanos        how long the lease had been out when the verdict was reached
 * @param threadName      the thread that acquired the lease
 * @param acquisitionSite a throwable whose stack is where the lease was acquired, or {@code null}
 *                        when the lease was not tracked
 * @param touches         the lease's access records, oldest first (empty when untracked)
 */
public record LeakReport(String pool, LeakVerdict verdict, long leaseId, int size, long ageNanos,
                         String threadName, Throwable acquisitionSite, List<TouchRecord> touches) {

    public LeakReport {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(verdict, "verdict");
        touches = List.copyOf(touches);
    }

    /** The age as a duration. */
    public Duration age() {
        return Duration.ofNanos(ageNanos);
    }

    /** Whether the acquisition stack is known (the lease was tracked). */
    public boolean tracked() {
        return acquisitionSite != null;
    }

    /** One line, without the stack. */
    public String summary() {
        return "pool '" + pool + "': lease #" + leaseId + " (" + size + " B) " + verdict
                + " after " + age().toMillis() + " ms, acquired by thread '" + threadName + "'"
                + (tracked() ? "" : " (untracked: no acquisition stack)");
    }
}

package dev.leakproof.pipeline;

import dev.leakproof.internal.Checks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The seed's emergency shutdown when memory exceeds a limit: a heap-use watermark that a
 * {@link Pipeline} checks at most once per {@link #checkInterval()} (on its producer before each
 * batch and after each timed-out offer, and on its workers after each batch). A reading at or
 * above {@link #limitBytes()} stops the pipeline with {@link StopReason#MEMORY_LIMIT}, as
 * {@link Pipeline#requestStop()} would.
 *
 * <p>The default reading is the heap in use <em>after the last collection</em>: the sum of
 * {@link MemoryPoolMXBean#getCollectionUsage()} over the heap pools that report it, so that
 * garbage not yet collected does not trip the guard. Where no pool reports it, the current
 * {@link java.lang.management.MemoryMXBean#getHeapMemoryUsage()} is used. Before the first
 * collection the post-GC reading is zero. Tests inject the reading with {@link #reading(LongSupplier)}.
 *
 * <p>Immutable: the {@code with}-style methods return a new guard.
 */
public final class MemoryGuard {

    /** How often the heap is read by default. */
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(1);

    private final long limitBytes;
    private final LongSupplier usedBytes;
    private final Duration checkInterval;

    private MemoryGuard(long limitBytes, LongSupplier usedBytes, Duration checkInterval) {
        this.limitBytes = limitBytes;
        this.usedBytes = usedBytes;
        this.checkInterval = checkInterval;
    }

    /** Trips when the heap in use reaches {@code limitBytes} (at least 1). */
    public static MemoryGuard heapLimit(long limitBytes) {
        return new MemoryGuard(Checks.positive("limitBytes", limitBytes), MemoryGuard::postGcHeapUsed, DEFAULT_CHECK_INTERVAL);
    }

    /**
     * Trips when the heap in use reaches {@code fraction} (in (0, 1]) of the maximum heap
     * ({@link Runtime#maxMemory()}).
     */
    public static MemoryGuard heapFraction(double fraction) {
        Checks.fraction("fraction", fraction, Double.MIN_VALUE, 1.0);
        long max = Runtime.getRuntime().maxMemory();
        return heapLimit(Math.max(1L, (long) (max * fraction)));
    }

    /** The same limit, read from {@code usedBytes} (bytes in use) instead of the heap. */
    public MemoryGuard reading(LongSupplier usedBytes) {
        return new MemoryGuard(limitBytes, Objects.requireNonNull(usedBytes, "usedBytes"), checkInterval);
    }

    /** Reads at most once per {@code interval} (positive; default 1 s), measured by the pipeline's clock. */
    public MemoryGuard checkInterval(Duration interval) {
        return new MemoryGuard(limitBytes, usedBytes, Checks.positive("checkInterval", interval));
    }

    public long limitBytes() {
        return limitBytes;
    }

    public Duration checkInterval() {
        return checkInterval;
    }

    /** The current reading, in bytes. */
    long usedBytes() {
        return usedBytes.getAsLong();
    }

    /** Heap in use after the last collection, summed over the heap pools; the current heap use where no pool reports it. */
    static long postGcHeapUsed() {
        long sum = 0;
        boolean any = false;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() != MemoryType.HEAP) {
                continue;
            }
            MemoryUsage usage = pool.getCollectionUsage();
            if (usage != null) {
                sum += usage.getUsed();
                any = true;
            }
        }
        return any ? sum : ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Override
    public String toString() {
        return "MemoryGuard[limit " + limitBytes + " bytes, every " + checkInterval + "]";
    }
}

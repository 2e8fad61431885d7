package dev.leakproof.pool;

import java.time.Duration;

/**
 * An immutable snapshot of a {@link BufferPool}'s accounting, taken under the pool's lock: the
 * pool's own counters are mutually consistent (the JVM-wide memory figures are read just after).
 *
 * <p>Conservation (B3), exact in every snapshot:
 * <pre>
 *   acquires = releases + gcReclaimed + forceReleased + activeLeases
 * </pre>
 * Byte accounting (B1): {@code 0 <= usedBytes <= retainedBytes <= maxTotalBytes}.
 *
 * @param name               the pool's name
 * @param maxTotalBytes      the limit on {@code retainedBytes}
 * @param maxBufferSize      the largest size one lease may ask for
 * @param usedBytes          capacity of the buffers leased out (a lease of 100 B holds a 128 B buffer)
 * @param retainedBytes      capacity of every buffer the pool references: leased out plus cached free
 * @param activeLeases       leases handed out and not yet ended
 * @param freeBuffers        cached buffers ready for reuse
 * @param totalBuffers       buffers the pool references (leased, free, or being returned)
 * @param acquires           leases handed out
 * @param releases           leases ended by {@code close()} (including an async hand-off the caller had
 *                           already cancelled, and a lease handed to an interrupted waiter)
 * @param reuses             acquisitions served by a buffer that had been leased before
 * @param allocations        buffers allocated
 * @param evictions          free buffers dropped to make room for another size class
 * @param longHolds          leases reported as held longer than the lease timeout
 * @param returnedLate       long holds later closed by their owner
 * @param gcReclaimed        tracked leases found unreachable and unclosed, memory reclaimed
 * @param forceReleased      long holds revoked by the force-release policy
 * @param redundantCloses    {@code close()} calls on a lease that had already ended
 * @param oldestLeaseAgeNanos age of the oldest active lease, 0 when none
 * @param waits              acquisitions that had to wait for memory
 * @param timeouts           acquisitions that gave up for lack of memory (timeout, or zero timeout)
 * @param listenerFailures   leak-listener calls that threw
 * @param heapUsedBytes      the JVM's heap in use ({@code MemoryMXBean})
 * @param directUsedBytes    the JVM's direct buffers in use ({@code BufferPoolMXBean "direct"}), -1 if unknown
 * @param closed             whether the pool has been closed
 */
public record PoolStats(
        String name,
        long maxTotalBytes,
        int maxBufferSize,
        long usedBytes,
        long retainedBytes,
        long activeLeases,
        int freeBuffers,
        int totalBuffers,
        long acquires,
        long releases,
        long reuses,
        long allocations,
        long evictions,
        long longHolds,
        long returnedLate,
        long gcReclaimed,
        long forceReleased,
        long redundantCloses,
        long oldestLeaseAgeNanos,
        long waits,
        long timeouts,
        long listenerFailures,
        long heapUsedBytes,
        long directUsedBytes,
        boolean closed) {

    /** {@code usedBytes / maxTotalBytes}, from 0.0 to 1.0: the pressure the memory monitor watches. */
    public double usage() {
        return (double) usedBytes / maxTotalBytes;
    }

    /** {@code usage() * 100}. */
    public double usagePercent() {
        return usage() * 100.0;
    }

    /** {@code reuses / acquires}, from 0.0 to 1.0 (0 before the first acquisition). */
    public double reuseRate() {
        return acquires == 0 ? 0.0 : (double) reuses / acquires;
    }

    /** The age of the oldest active lease. */
    public Duration oldestLeaseAge() {
        return Duration.ofNanos(oldestLeaseAgeNanos);
    }

    /** Leases that ended without their owner's {@code close()}: GC-reclaimed plus force-released. */
    public long leaksReclaimed() {
        return gcReclaimed + forceReleased;
    }
}

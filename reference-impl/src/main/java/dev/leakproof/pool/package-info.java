/**
 * A leak-safe buffer pool: {@link dev.leakproof.pool.BufferPool} lends heap or direct memory as
 * {@link dev.leakproof.pool.Lease}s (try-with-resources), bounded by a byte limit with power-of-two
 * size classes, and finds the leases its users leak: by the garbage collector for tracked leases,
 * by an age scan for every lease, with optional force-release of long holds. Also
 * {@link dev.leakproof.pool.MemoryMonitor} (usage alerts) and
 * {@link dev.leakproof.pool.ChunkProcessor} (bounded chunk processing on an executor).
 * Start with {@link dev.leakproof.pool.BufferPool}; invariants B1-B6 are in its class comment.
 *
 * <p>Steps that race, package-private so that stress tests in this package can call them directly:
 * {@code Lease.close()} (the owner's ending), {@code BufferPool.forceRelease(Lease)} (the
 * force-release policy's ending, whatever the age), {@code BufferPool.trackerOf(Lease)} and
 * {@code LeakTracker.reclaim()} (the GC cleanup action, runnable while the lease is still alive),
 * {@code Slot.end(long)} (the single CAS that decides an ending), and the public {@code BufferPool.drainReferenceQueue()} and
 * {@code BufferPool.scanForLongHolds()}.
 */
package dev.leakproof.pool;

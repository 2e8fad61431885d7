/**
 * A leak-safe buffer pool: {@link dev.leakproof.pool.BufferPool} lends heap or direct memory as
 * {@link dev.leakproof.pool.Lease}s (try-with-resources), bounded by a byte limit with power-of-two
 * size classes, and finds the leases its users leak: by the garbage collector for tracked leases,
 * by an age scan for every lease, with optional force-release of long holds. Also
 * {@link dev.leakproof.pool.MemoryMonitor} (usage alerts) and
 * {@link dev.leakproof.pool.ChunkProcessor} (bounded chunk processing on an executor).
 * Start with {@link dev.leakproof.pool.BufferPool}; invariants B1-B6 are in its class comment.
 */
package dev.leakproof.pool;

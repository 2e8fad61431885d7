package dev.leakproof.pool;

/**
 * How much a {@link BufferPool} records about each lease. The age scan (long holds, force-release)
 * works at every level, tracked or not; only tracked leases are found by the garbage collector
 * and carry their acquisition stack.
 */
public enum TrackingLevel {
    /** No lease is tracked: no stack, no GC reclamation. Leaks are still found by the age scan. */
    OFF,
    /** One lease in {@code sampleRate} (chosen at random) is tracked with its acquisition stack. The default. */
    SAMPLED,
    /** Every lease is tracked with its acquisition stack: for tests and debugging (costs a stack trace per acquire). */
    ALL
}

package dev.leakproof.pool;

/**
 * What the leak detector concluded about a lease. Each verdict is reported to the
 * {@link LeakListener}s at most once per lease and counted separately in {@link PoolStats}.
 */
public enum LeakVerdict {
    /** The lease is older than the lease timeout and still open. The lease stays valid. */
    LONG_HOLD,
    /** A lease reported as {@link #LONG_HOLD} was later closed by its owner. */
    RETURNED_LATE,
    /** A tracked lease became unreachable without {@code close()}; its memory went back to the pool. */
    GC_RECLAIMED,
    /** A long hold was revoked by the force-release policy; its memory went back to the pool. */
    FORCE_RELEASED,
    /**
     * Informational: the lease was still open when the pool was closed. Not an ending of the lease
     * and not counted among the verdicts; the lease stays valid until it is closed.
     */
    OPEN_AT_CLOSE
}

package dev.leakproof.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks a pool's invariants after a test (Caffeine's validation-interceptor habit). */
final class PoolInvariants {

    private PoolInvariants() {
    }

    /** B1 and B3 on one snapshot. */
    static PoolStats check(BufferPool pool) {
        PoolStats s = pool.stats();
        assertTrue(0 <= s.usedBytes() && s.usedBytes() <= s.retainedBytes() && s.retainedBytes() <= s.maxTotalBytes(),
                "B1: 0 <= used <= retained <= max violated: " + s);
        assertEquals(s.acquires(), s.releases() + s.gcReclaimed() + s.forceReleased() + s.activeLeases(),
                "B3: acquires = releases + gcReclaimed + forceReleased + active violated: " + s);
        assertTrue(s.activeLeases() >= 0, "active leases negative: " + s);
        return s;
    }

    /** B1, B3 and no lease left out. */
    static PoolStats checkQuiescent(BufferPool pool) {
        PoolStats s = check(pool);
        assertEquals(0, s.activeLeases(), "a lease is still out: " + s);
        assertEquals(0, s.usedBytes(), "bytes still leased: " + s);
        return s;
    }
}

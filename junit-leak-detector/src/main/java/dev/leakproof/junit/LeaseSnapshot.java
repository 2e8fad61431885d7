package dev.leakproof.junit;

import dev.leakproof.pool.BufferPool;
import dev.leakproof.pool.OutstandingLease;
import dev.leakproof.pool.PoolRegistry;
import dev.leakproof.pool.PoolStats;

import java.util.List;

/**
 * The leakproof buffer pools built since one moment ({@link PoolRegistry#mark()}), and after a test:
 * the leases of those pools that its owner leaked, i.e. still out, or ended by the garbage collector
 * or by force-release rather than by {@code close()}.
 */
final class LeaseSnapshot {

    /** Frames shown per acquisition stack. */
    static final int MAX_FRAMES = 12;
    /** Leases described in full per failure; the rest are counted. */
    static final int MAX_LEASES_SHOWN = 10;

    private final long mark;

    private LeaseSnapshot(long mark) {
        this.mark = mark;
    }

    static LeaseSnapshot take() {
        return new LeaseSnapshot(PoolRegistry.mark());
    }

    /** The failure text, or {@code null} when no pool built since the snapshot leaked a lease. */
    String leaksSince() {
        int leaked = 0;
        int pools = 0;
        int shown = 0;
        boolean untracked = false;
        StringBuilder details = new StringBuilder();
        for (BufferPool pool : PoolRegistry.createdAfter(mark)) {
            List<OutstandingLease> out = pool.outstandingLeases();
            PoolStats stats = pool.stats();
            long ended = stats.gcReclaimed() + stats.forceReleased();
            if (out.isEmpty() && ended == 0) {
                continue;
            }
            pools++;
            leaked += out.size() + (int) Math.min(Integer.MAX_VALUE, ended);
            for (OutstandingLease lease : out) {
                if (shown++ >= MAX_LEASES_SHOWN) {
                    continue;
                }
                details.append("  ").append(lease.summary()).append('\n');
                if (lease.tracked()) {
                    StackTraceElement[] stack = lease.acquisitionSite().getStackTrace();
                    for (int i = 0; i < Math.min(stack.length, MAX_FRAMES); i++) {
                        details.append("      at ").append(ThreadSnapshot.frame(stack[i])).append('\n');
                    }
                } else {
                    untracked = true;
                }
            }
            if (ended > 0) {
                details.append("  pool '").append(pool.name()).append("': ").append(ended)
                        .append(" lease(s) never closed by their owner: gcReclaimed=").append(stats.gcReclaimed())
                        .append(", forceReleased=").append(stats.forceReleased()).append('\n');
            }
        }
        if (leaked == 0) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        sb.append("Lease leak detected: ").append(leaked).append(" lease(s) of ").append(pools)
                .append(" BufferPool(s) built during the test were not closed by their owner.\n");
        sb.append(details);
        if (shown > MAX_LEASES_SHOWN) {
            sb.append("  ... and ").append(shown - MAX_LEASES_SHOWN).append(" more lease(s) still out\n");
        }
        if (untracked) {
            sb.append("Untracked leases have no acquisition stack: build the pool with tracking(TrackingLevel.ALL)"
                    + " (or LEAKPROOF_POOL_TRACKING=ALL with fromEnvironment()) to see where they were acquired.\n");
        }
        return sb.toString();
    }
}

package dev.leakproof.pool;

import dev.leakproof.stress.Quiet;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/** Cheap pools for stress states: no maintenance thread, tiny byte limits, 64-byte buffers. */
final class Pools {

    static {
        Quiet.logs();
    }

    /**
     * One daemon scheduler shared by every state that needs one (async timeouts), so that no state
     * starts a thread. Cancelled timers are removed at once, so the states' long timeouts never pile up.
     */
    static final ScheduledThreadPoolExecutor SCHEDULER;

    static {
        SCHEDULER = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "stress-pool-timeouts");
            t.setDaemon(true);
            return t;
        });
        SCHEDULER.setRemoveOnCancelPolicy(true);
    }

    private Pools() {
    }

    /** A pool of {@code buffers} 64-byte buffers, untracked unless {@code tracking} says otherwise. */
    static BufferPool of(int buffers, TrackingLevel tracking) {
        return BufferPool.builder().name("stress").maxTotalBytes(64L * buffers).maxBufferSize(64)
                .tracking(tracking).maintenanceInterval(Duration.ZERO).scheduler(SCHEDULER).build();
    }

    /** {@code acquires - (releases + gcReclaimed + forceReleased + activeLeases)}: 0 when B3 holds. */
    static long b3Gap(PoolStats s) {
        return s.acquires() - (s.releases() + s.gcReclaimed() + s.forceReleased() + s.activeLeases());
    }
}

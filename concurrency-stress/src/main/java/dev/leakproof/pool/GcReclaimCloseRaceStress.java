package dev.leakproof.pool;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * B3: when the GC cleanup action of a tracked lease runs while its owner closes it, exactly one of
 * them ends the lease and the buffer returns once.
 *
 * <p>A one-buffer pool with tracking {@code ALL} lends L. One actor closes L, the other runs the
 * cleanup action directly ({@code trackerOf(L).reclaim()}, r1: 1 if it ended the lease). The arbiter
 * records {@code releases} (r2), {@code gcReclaimed} (r3), {@code freeBuffers} (r4) and usedBytes (r5).
 *
 * <p>Run alone: {@code java -jar concurrency-stress/target/jcstress.jar -t '\.GcReclaimCloseRaceStress$' -m quick}
 */
@JCStressTest
@Outcome(id = "0, 1, 0, 1, 0", expect = Expect.ACCEPTABLE, desc = "the owner's close ended the lease; the cleanup action found it ended")
@Outcome(id = "1, 0, 1, 1, 0", expect = Expect.ACCEPTABLE_INTERESTING, desc = "the cleanup action reclaimed the lease first (reported as a leak); the close was redundant")
@Outcome(expect = Expect.FORBIDDEN, desc = "the lease ended twice or never: buffer returned twice, or stranded")
@State
public class GcReclaimCloseRaceStress {

    private final BufferPool pool = Pools.of(1, TrackingLevel.ALL);
    private final Lease lease = pool.acquire(64);
    private final LeakTracker tracker = pool.trackerOf(lease);

    @Actor
    public void owner() {
        lease.close();
    }

    @Actor
    public void cleanupAction(IIIII_Result r) {
        r.r1 = tracker.reclaim() ? 1 : 0;
    }

    @Arbiter
    public void arbiter(IIIII_Result r) {
        PoolStats s = pool.stats();
        r.r2 = (int) s.releases();
        r.r3 = (int) s.gcReclaimed();
        r.r4 = s.freeBuffers();
        r.r5 = (int) s.usedBytes();
    }
}

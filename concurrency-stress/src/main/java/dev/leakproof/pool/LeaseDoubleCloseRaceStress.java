package dev.leakproof.pool;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * B2/B3: when two threads close the same lease at once, its buffer is returned to the pool exactly
 * once and the second close only counts as redundant.
 *
 * <p>A one-buffer pool lends lease L; both actors call {@code L.close()}. The arbiter records
 * {@code releases} (r1), {@code redundantCloses} (r2), {@code usedBytes} (r3) and {@code freeBuffers} (r4).
 *
 * <p>Run alone: {@code java -jar concurrency-stress/target/jcstress.jar -t '\.LeaseDoubleCloseRaceStress$' -m quick}
 */
@JCStressTest
@Outcome(id = "1, 1, 0, 1", expect = Expect.ACCEPTABLE, desc = "one close returned the buffer, the other was counted as redundant")
@Outcome(expect = Expect.FORBIDDEN, desc = "buffer returned twice (two owners could get it) or never, or the counters disagree")
@State
public class LeaseDoubleCloseRaceStress {

    private final BufferPool pool = Pools.of(1, TrackingLevel.OFF);
    private final Lease lease = pool.acquire(64);

    @Actor
    public void owner() {
        lease.close();
    }

    @Actor
    public void secondCloser() {
        lease.close();
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        PoolStats s = pool.stats();
        r.r1 = (int) s.releases();
        r.r2 = (int) s.redundantCloses();
        r.r3 = (int) s.usedBytes();
        r.r4 = s.freeBuffers();
    }
}

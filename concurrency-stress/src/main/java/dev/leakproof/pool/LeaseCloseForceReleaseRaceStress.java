package dev.leakproof.pool;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIIII_Result;

/**
 * B2/B3: when the owner closes a lease while the force-release policy revokes it, exactly one of
 * them ends it, the buffer returns once and {@code acquires = releases + gcReclaimed + forceReleased + active}.
 *
 * <p>A one-buffer pool lends lease L; one actor closes it, the other calls
 * {@code pool.forceRelease(L)} (r1: 1 if it ended the lease). The arbiter records {@code releases}
 * (r2), {@code forceReleased} (r3), {@code redundantCloses} (r4), {@code freeBuffers} (r5) and the
 * B3 gap (r6, 0 when conserved).
 *
 * <p>Run alone: {@code java -jar concurrency-stress/target/jcstress.jar -t '\.LeaseCloseForceReleaseRaceStress$' -m quick}
 */
@JCStressTest
@Outcome(id = "0, 1, 0, 0, 1, 0", expect = Expect.ACCEPTABLE, desc = "the owner's close ended the lease; the force-release found it already ended")
@Outcome(id = "1, 0, 1, 1, 1, 0", expect = Expect.ACCEPTABLE_INTERESTING, desc = "the force-release revoked the lease first; the owner's close was redundant")
@Outcome(expect = Expect.FORBIDDEN, desc = "both or neither ended the lease: buffer returned twice or stranded, counters not conserved")
@State
public class LeaseCloseForceReleaseRaceStress {

    private final BufferPool pool = Pools.of(1, TrackingLevel.OFF);
    private final Lease lease = pool.acquire(64);

    @Actor
    public void owner() {
        lease.close();
    }

    @Actor
    public void forceReleasePolicy(IIIIII_Result r) {
        r.r1 = pool.forceRelease(lease) ? 1 : 0;
    }

    @Arbiter
    public void arbiter(IIIIII_Result r) {
        PoolStats s = pool.stats();
        r.r2 = (int) s.releases();
        r.r3 = (int) s.forceReleased();
        r.r4 = (int) s.redundantCloses();
        r.r5 = s.freeBuffers();
        r.r6 = (int) Pools.b3Gap(s);
    }
}

package dev.leakproof.pool;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * B1/B3: while one lease is released and another acquired, every observer sees
 * {@code 0 <= usedBytes <= maxTotalBytes}, and afterwards usedBytes and the counters match what was handed out.
 *
 * <p>A full two-buffer pool (128 bytes) lends L1 and L2. One actor closes L1 and then observes
 * {@code usedBytes()} (r2) while the other {@code tryAcquire(64)}s (r1: 1 if it got memory). (Two
 * actors, not a third observer: jcstress skips tests with more actors than the 2 CPUs here.)
 * The arbiter records usedBytes (r3) and the B3 gap (r4, 0 when conserved).
 *
 * <p>Run alone: {@code java -jar concurrency-stress/target/jcstress.jar -t '\.AcquireReleaseAccountingRaceStress$' -m quick}
 */
@JCStressTest
@Outcome(id = {"1, 128, 128, 0", "1, 64, 128, 0"}, expect = Expect.ACCEPTABLE, desc = "the acquisition got the released memory; the pool is full again")
@Outcome(id = "0, 64, 64, 0", expect = Expect.ACCEPTABLE_INTERESTING, desc = "the acquisition ran before the release and was refused at once")
@Outcome(expect = Expect.FORBIDDEN, desc = "the pool lent more than its limit, lost or invented bytes, or its counters are not conserved")
@State
public class AcquireReleaseAccountingRaceStress {

    private final BufferPool pool = Pools.of(2, TrackingLevel.OFF);
    private final Lease first = pool.acquire(64);
    private final Lease second = pool.acquire(64);

    @Actor
    public void releaser(IIII_Result r) {
        first.close();
        r.r2 = (int) pool.usedBytes();
    }

    @Actor
    public void acquirer(IIII_Result r) {
        r.r1 = pool.tryAcquire(64).isPresent() ? 1 : 0;
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        PoolStats s = pool.stats();
        r.r3 = (int) s.usedBytes();
        r.r4 = (int) Pools.b3Gap(s);
    }
}

package dev.leakproof.pool;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * B4/B5: once a lease is force-released and its buffer handed to a new lease, the revoked owner can
 * neither read nor write that memory: the new owner sees zeroes on hand-out and only its own bytes after.
 *
 * <p>A one-buffer pool lends lease A. The revoked owner writes 7 through A (r1: 1 if the write was
 * allowed, 0 if A failed fast). The other actor force-releases A, acquires lease B on the same memory
 * (r2: 1 if it got it), reads byte 0 on hand-out (r3) and writes 2; the arbiter reads B's byte 0 (r4).
 *
 * <p>Run alone: {@code java -jar concurrency-stress/target/jcstress.jar -t '\.ForceReleaseReuseRaceStress$' -m quick}
 */
@JCStressTest
@Outcome(id = "1, 1, 0, 2", expect = Expect.ACCEPTABLE, desc = "the owner wrote before the revocation; the new lease got the buffer scrubbed")
@Outcome(id = "0, 1, 0, 2", expect = Expect.ACCEPTABLE_INTERESTING, desc = "the revoked owner failed fast; the new lease's memory was untouched")
@Outcome(expect = Expect.FORBIDDEN, desc = "the revoked lease wrote into memory that now belongs to another lease, or the new owner saw old bytes")
@State
public class ForceReleaseReuseRaceStress {

    private final BufferPool pool = Pools.of(1, TrackingLevel.OFF);
    private final Lease revoked = pool.acquire(64);
    private Lease next;

    @Actor
    public void revokedOwner(IIII_Result r) {
        try {
            revoked.put(0, (byte) 7);
            r.r1 = 1;
        } catch (IllegalStateException ended) {
            r.r1 = 0;
        }
    }

    @Actor
    public void policyThenNewOwner(IIII_Result r) {
        pool.forceRelease(revoked);
        Lease b = pool.tryAcquire(64).orElse(null);
        if (b != null) {
            r.r2 = 1;
            r.r3 = b.get(0);
            b.put(0, (byte) 2);
            next = b;
        }
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r4 = next == null ? -1 : next.get(0);
    }
}

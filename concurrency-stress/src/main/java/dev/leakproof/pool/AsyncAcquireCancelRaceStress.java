package dev.leakproof.pool;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * No stranded buffer: when a queued async acquisition is served while its future is being
 * cancelled, either the caller gets the lease or the memory is back in the pool, never neither.
 *
 * <p>A full one-buffer pool lends L; an {@code acquireAsync(64, 1 h)} waits. One actor closes L
 * (serving the waiter), the other cancels the future (r1: 1 if the cancel won). The arbiter records
 * whether the future holds a lease (r2), usedBytes before closing that lease (r3) and the B3 gap
 * after closing it (r4).
 *
 * <p>Run alone: {@code java -jar concurrency-stress/target/jcstress.jar -t '\.AsyncAcquireCancelRaceStress$' -m quick}
 */
@JCStressTest
@Outcome(id = "0, 1, 64, 0", expect = Expect.ACCEPTABLE, desc = "the waiter was served before the cancel; the caller owns the lease")
@Outcome(id = "1, 0, 0, 0", expect = Expect.ACCEPTABLE_INTERESTING, desc = "the cancel won; the memory went back to the pool (at once, or closed again after a lost hand-off)")
@Outcome(expect = Expect.FORBIDDEN, desc = "a buffer is stranded (cancelled but still counted as used) or handed to a cancelled caller")
@State
public class AsyncAcquireCancelRaceStress {

    private static final Duration LONG = Duration.ofHours(1);

    private final BufferPool pool = Pools.of(1, TrackingLevel.OFF);
    private final Lease held = pool.acquire(64);
    private final CompletableFuture<Lease> waiting = pool.acquireAsync(64, LONG);

    @Actor
    public void releaser() {
        held.close();
    }

    @Actor
    public void canceller(IIII_Result r) {
        r.r1 = waiting.cancel(false) ? 1 : 0;
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        Lease got = waiting.isDone() && !waiting.isCompletedExceptionally() ? waiting.join() : null;
        r.r2 = got == null ? 0 : 1;
        r.r3 = (int) pool.usedBytes();
        if (got != null) {
            got.close();
        }
        r.r4 = (int) Pools.b3Gap(pool.stats());
    }
}

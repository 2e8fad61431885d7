package dev.leakproof.controls;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * NEGATIVE CONTROL for {@code dev.leakproof.pool.AsyncAcquireCancelRaceStress}: the same race and the same outcomes, against
 * a waiter whose state is a plain field: the release checks it is pending and then hands the buffer over, without the completion CAS that would tell it the cancel won. jcstress must report a FORBIDDEN outcome here (the cancel wins but the buffer stays used: stranded); if it does not, the real
 * test has no power.
 *
 * <p>Run alone (expect exit code 1): {@code java -jar concurrency-stress/target/jcstress.jar -t BrokenAsyncAcquireCancelRaceStress -m quick}
 */
@JCStressTest
@Outcome(id = "0, 1, 64, 0", expect = Expect.ACCEPTABLE, desc = "the waiter was served before the cancel; the caller owns the lease")
@Outcome(id = "1, 0, 0, 0", expect = Expect.ACCEPTABLE_INTERESTING, desc = "the cancel won; the memory went back to the pool (at once, or closed again after a lost hand-off)")
@Outcome(expect = Expect.FORBIDDEN, desc = "a buffer is stranded (cancelled but still counted as used) or handed to a cancelled caller")
@State
public class BrokenAsyncAcquireCancelRaceStress {

    private static final int PENDING = 0;
    private static final int HANDED = 1;
    private static final int CANCELLED = 2;

    private int state = PENDING;
    private int used = 64;

    @Actor
    public void releaser() {
        if (state == PENDING) {
            Window.open();
            state = HANDED; // the buffer goes to the waiter: still used
        } else {
            used = 0;
        }
    }

    @Actor
    public void canceller(IIII_Result r) {
        if (state == PENDING) {
            state = CANCELLED;
            r.r1 = 1;
        }
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        boolean got = state == HANDED;
        r.r2 = got ? 1 : 0;
        r.r3 = used;
        if (got) {
            used = 0;
        }
        r.r4 = used / 64; // a stranded buffer leaves the conservation law short by one
    }
}

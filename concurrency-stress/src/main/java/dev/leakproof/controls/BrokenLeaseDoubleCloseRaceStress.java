package dev.leakproof.controls;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * NEGATIVE CONTROL for {@code dev.leakproof.pool.LeaseDoubleCloseRaceStress}: the same race and the same outcomes, against
 * a lease whose close checks a plain {@code ended} flag and then returns the buffer, without the state CAS. jcstress must report a FORBIDDEN outcome here (the buffer returned twice); if it does not, the real
 * test has no power.
 *
 * <p>Run alone (expect exit code 1): {@code java -jar concurrency-stress/target/jcstress.jar -t BrokenLeaseDoubleCloseRaceStress -m quick}
 */
@JCStressTest
@Outcome(id = "1, 1, 0, 1", expect = Expect.ACCEPTABLE, desc = "one close returned the buffer, the other was counted as redundant")
@Outcome(expect = Expect.FORBIDDEN, desc = "buffer returned twice (two owners could get it) or never, or the counters disagree")
@State
public class BrokenLeaseDoubleCloseRaceStress {

    private boolean ended;
    private int releases;
    private int redundant;
    private int used = 64;
    private int free;

    private void close() {
        if (!ended) {
            Window.open();
            ended = true;
            releases++;
            used -= 64;
            free++;
        } else {
            redundant++;
        }
    }

    @Actor
    public void owner() {
        close();
    }

    @Actor
    public void secondCloser() {
        close();
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r1 = releases;
        r.r2 = redundant;
        r.r3 = used;
        r.r4 = free;
    }
}

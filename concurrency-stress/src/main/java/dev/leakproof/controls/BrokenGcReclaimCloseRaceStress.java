package dev.leakproof.controls;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * NEGATIVE CONTROL for {@code dev.leakproof.pool.GcReclaimCloseRaceStress}: the same race and the same outcomes, against
 * a cleanup action and a close that both check a plain {@code ended} flag and then end the lease. jcstress must report a FORBIDDEN outcome here (the lease ends twice and its buffer returns twice); if it does not, the real
 * test has no power.
 *
 * <p>Run alone (expect exit code 1): {@code java -jar concurrency-stress/target/jcstress.jar -t BrokenGcReclaimCloseRaceStress -m quick}
 */
@JCStressTest
@Outcome(id = "0, 1, 0, 1, 0", expect = Expect.ACCEPTABLE, desc = "the owner's close ended the lease; the cleanup action found it ended")
@Outcome(id = "1, 0, 1, 1, 0", expect = Expect.ACCEPTABLE_INTERESTING, desc = "the cleanup action reclaimed the lease first (reported as a leak); the close was redundant")
@Outcome(expect = Expect.FORBIDDEN, desc = "the lease ended twice or never: buffer returned twice, or stranded")
@State
public class BrokenGcReclaimCloseRaceStress {

    private boolean ended;
    private int releases;
    private int gcReclaimed;
    private int free;
    private int used = 64;

    @Actor
    public void owner() {
        if (!ended) {
            Window.open();
            ended = true;
            releases++;
            free++;
            used -= 64;
        }
    }

    @Actor
    public void cleanupAction(IIIII_Result r) {
        if (!ended) {
            Window.open();
            ended = true;
            gcReclaimed++;
            free++;
            used -= 64;
            r.r1 = 1;
        }
    }

    @Arbiter
    public void arbiter(IIIII_Result r) {
        r.r2 = releases;
        r.r3 = gcReclaimed;
        r.r4 = free;
        r.r5 = used;
    }
}

package dev.leakproof.controls;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIIII_Result;

/**
 * NEGATIVE CONTROL for {@code dev.leakproof.pool.LeaseCloseForceReleaseRaceStress}: the same race and the same outcomes, against
 * endings that check a plain {@code ended} flag and then end the lease, without the single CAS that decides an ending. jcstress must report a FORBIDDEN outcome here (both endings win and the buffer returns twice); if it does not, the real
 * test has no power.
 *
 * <p>Run alone (expect exit code 1): {@code java -jar concurrency-stress/target/jcstress.jar -t BrokenLeaseCloseForceReleaseRaceStress -m quick}
 */
@JCStressTest
@Outcome(id = "0, 1, 0, 0, 1, 0", expect = Expect.ACCEPTABLE, desc = "the owner's close ended the lease; the force-release found it already ended")
@Outcome(id = "1, 0, 1, 1, 1, 0", expect = Expect.ACCEPTABLE_INTERESTING, desc = "the force-release revoked the lease first; the owner's close was redundant")
@Outcome(expect = Expect.FORBIDDEN, desc = "both or neither ended the lease: buffer returned twice or stranded, counters not conserved")
@State
public class BrokenLeaseCloseForceReleaseRaceStress {

    private boolean ended;
    private int releases;
    private int forceReleased;
    private int redundant;
    private int free;

    @Actor
    public void owner() {
        if (!ended) {
            Window.open();
            ended = true;
            releases++;
            free++;
        } else {
            redundant++;
        }
    }

    @Actor
    public void forceReleasePolicy(IIIIII_Result r) {
        if (!ended) {
            Window.open();
            ended = true;
            forceReleased++;
            free++;
            r.r1 = 1;
        }
    }

    @Arbiter
    public void arbiter(IIIIII_Result r) {
        r.r2 = releases;
        r.r3 = forceReleased;
        r.r4 = redundant;
        r.r5 = free;
        r.r6 = 1 - (releases + forceReleased + (ended ? 0 : 1));
    }
}

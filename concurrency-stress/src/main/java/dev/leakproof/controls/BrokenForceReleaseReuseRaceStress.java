package dev.leakproof.controls;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * NEGATIVE CONTROL for {@code dev.leakproof.pool.ForceReleaseReuseRaceStress}: the same race and the same outcomes, against
 * a lease that checks a plain {@code revoked} flag before writing but holds no pin, so the revocation does not wait for an access in progress. jcstress must report a FORBIDDEN outcome here (the revoked owner's 7 lands in the new lease's memory); if it does not, the real
 * test has no power.
 *
 * <p>Run alone (expect exit code 1): {@code java -jar concurrency-stress/target/jcstress.jar -t BrokenForceReleaseReuseRaceStress -m quick}
 */
@JCStressTest
@Outcome(id = "1, 1, 0, 2", expect = Expect.ACCEPTABLE, desc = "the owner wrote before the revocation; the new lease got the buffer scrubbed")
@Outcome(id = "0, 1, 0, 2", expect = Expect.ACCEPTABLE_INTERESTING, desc = "the revoked owner failed fast; the new lease's memory was untouched")
@Outcome(expect = Expect.FORBIDDEN, desc = "the revoked lease wrote into memory that now belongs to another lease, or the new owner saw old bytes")
@State
public class BrokenForceReleaseReuseRaceStress {

    private final byte[] memory = new byte[64];
    private boolean revoked;

    @Actor
    public void revokedOwner(IIII_Result r) {
        if (!revoked) {
            Window.open();
            memory[0] = 7;
            r.r1 = 1;
        }
    }

    @Actor
    public void policyThenNewOwner(IIII_Result r) {
        revoked = true;
        memory[0] = 0; // scrub before hand-out
        r.r2 = 1;
        r.r3 = memory[0];
        memory[0] = 2;
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r4 = memory[0];
    }
}

package dev.leakproof.controls;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * NEGATIVE CONTROL for {@code dev.leakproof.pool.AcquireReleaseAccountingRaceStress}: the same race and the same outcomes, against
 * a pool whose {@code usedBytes} is a plain field updated by read-modify-write outside any lock, and whose acquisition reserves first and checks the limit after. jcstress must report a FORBIDDEN outcome here (the observer sees 192 bytes used, or a lost update leaves usedBytes wrong); if it does not, the real
 * test has no power.
 *
 * <p>Run alone (expect exit code 1): {@code java -jar concurrency-stress/target/jcstress.jar -t BrokenAcquireReleaseAccountingRaceStress -m quick}
 */
@JCStressTest
@Outcome(id = {"1, 128, 128, 0", "1, 64, 128, 0"}, expect = Expect.ACCEPTABLE, desc = "the acquisition got the released memory; the pool is full again")
@Outcome(id = "0, 64, 64, 0", expect = Expect.ACCEPTABLE_INTERESTING, desc = "the acquisition ran before the release and was refused at once")
@Outcome(expect = Expect.FORBIDDEN, desc = "the pool lent more than its limit, lost or invented bytes, or its counters are not conserved")
@State
public class BrokenAcquireReleaseAccountingRaceStress {

    private int used = 128;
    private int acquires = 2;
    private int releases;
    private int active = 2;

    @Actor
    public void releaser(IIII_Result r) {
        int u = used;
        Window.open();
        used = u - 64;
        releases++;
        active--;
        Window.open();
        r.r2 = used;
    }

    @Actor
    public void acquirer(IIII_Result r) {
        int u = used;
        Window.open();
        used = u + 64;
        Window.open();
        if (used > 128) {
            used -= 64;
        } else {
            acquires++;
            active++;
            r.r1 = 1;
        }
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r3 = used;
        r.r4 = acquires - (releases + active);
    }
}

package dev.leakproof.controls;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * NEGATIVE CONTROL for {@code dev.leakproof.queue.BlockTimeoutConsumerRaceStress}: the same race and the same outcomes, against
 * a timed offer that decides "timed out" from a stale fullness check but still inserts when it finds space. jcstress must report a FORBIDDEN outcome here (the element both accepted and reported as timed out); if it does not, the real
 * test has no power.
 *
 * <p>Run alone (expect exit code 1): {@code java -jar concurrency-stress/target/jcstress.jar -t BrokenBlockTimeoutConsumerRaceStress -m quick}
 */
@JCStressTest
@Outcome(id = "1, 0, 2", expect = Expect.ACCEPTABLE, desc = "the consumer freed space in time; the element was accepted and waits for a consumer")
@Outcome(id = "0, 1, 0", expect = Expect.ACCEPTABLE_INTERESTING, desc = "the offer timed out before the consumer freed space; the element was reported as timed out")
@Outcome(expect = Expect.FORBIDDEN, desc = "the element was both accepted and reported as timed out, or neither (lost)")
@State
public class BrokenBlockTimeoutConsumerRaceStress {

    private int slot = 1;
    private int timedOut;

    @Actor
    public void producer(III_Result r) {
        boolean wasFull = slot != 0;
        Window.open();
        if (slot == 0) {
            slot = 2;
            r.r1 = 1;
        }
        if (wasFull) {
            timedOut++;
        }
    }

    @Actor
    public void consumer() {
        if (slot != 0) {
            slot = 0;
        }
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r2 = timedOut;
        r.r3 = slot;
    }
}

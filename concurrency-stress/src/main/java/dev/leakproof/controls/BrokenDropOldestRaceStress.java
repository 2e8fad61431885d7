package dev.leakproof.controls;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * NEGATIVE CONTROL for {@code dev.leakproof.queue.DropOldestOfferPollRaceStress}: the same race
 * and the same outcomes, against a one-slot queue whose drop-oldest reads the head, hands it to the
 * listener and overwrites it without any coordination with the consumer (the seed's "poll then
 * offer" done with plain fields). jcstress must report a FORBIDDEN outcome here (the head both
 * delivered and dropped); if it does not, the real test has no power.
 *
 * <p>Run alone (expect exit code 1): {@code java -jar concurrency-stress/target/jcstress.jar -t BrokenDropOldestRaceStress -m quick}
 */
@JCStressTest
@Outcome(id = "1, 0, 2", expect = Expect.ACCEPTABLE, desc = "consumer took A first; B was then accepted without an eviction")
@Outcome(id = "2, 1, 0", expect = Expect.ACCEPTABLE, desc = "producer evicted A to the listener and inserted B; consumer then took B")
@Outcome(id = "0, 1, 2", expect = Expect.ACCEPTABLE_INTERESTING, desc = "consumer polled between the eviction of A and the insertion of B")
@Outcome(expect = Expect.FORBIDDEN, desc = "an element was delivered and dropped, delivered twice, or lost")
@State
public class BrokenDropOldestRaceStress {

    /** One slot; 0 means empty. Plain field on purpose. */
    private int slot = 1;
    private int droppedMask;
    private int polled;

    @Actor
    public void producer() {
        int head = slot;
        if (head != 0) {
            droppedMask |= head;
        }
        slot = 2;
    }

    @Actor
    public void consumer() {
        int head = slot;
        if (head != 0) {
            slot = 0;
        }
        polled = head;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = polled;
        r.r2 = droppedMask;
        r.r3 = slot;
    }
}

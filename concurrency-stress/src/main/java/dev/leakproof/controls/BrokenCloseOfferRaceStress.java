package dev.leakproof.controls;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * NEGATIVE CONTROL for {@code dev.leakproof.queue.CloseOfferRaceStress}: the same race and the same outcomes, against
 * an offer that checks a plain {@code closed} flag and then inserts, and a close that snapshots what consumers may still drain. jcstress must report a FORBIDDEN outcome here (an element accepted after the snapshot and lost); if it does not, the real
 * test has no power.
 *
 * <p>Run alone (expect exit code 1): {@code java -jar concurrency-stress/target/jcstress.jar -t BrokenCloseOfferRaceStress -m quick}
 */
@JCStressTest
@Outcome(id = "1, 1, 0", expect = Expect.ACCEPTABLE, desc = "the offer came before the close; consumers can still drain the element")
@Outcome(id = "0, 0, 1", expect = Expect.ACCEPTABLE_INTERESTING, desc = "the close came first; the element was refused and reported to the drop listener as CLOSED")
@Outcome(expect = Expect.FORBIDDEN, desc = "the element was accepted but lost by the close, refused silently, or both kept and dropped")
@State
public class BrokenCloseOfferRaceStress {

    private boolean closed;
    private int slot;
    private int drainable;
    private int closedDrops;

    @Actor
    public void producer(III_Result r) {
        if (!closed) {
            Window.open();
            slot = 1;
            r.r1 = 1;
        } else {
            closedDrops++;
        }
    }

    @Actor
    public void closer() {
        closed = true;
        drainable = slot;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r2 = drainable;
        r.r3 = closedDrops;
    }
}

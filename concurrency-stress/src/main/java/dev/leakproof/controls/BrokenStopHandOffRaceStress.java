package dev.leakproof.controls;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * NEGATIVE CONTROL for {@code dev.leakproof.pipeline.StopHandOffRaceStress}: the same race and the same outcomes, against
 * a producer that reads a plain stop flag once, as a JIT-hoisted read of a plain field would, and hands off on that stale value. jcstress must report a FORBIDDEN outcome here (a batch handed over after the producer saw the stop); if it does not, the real
 * test has no power.
 *
 * <p>Run alone (expect exit code 1): {@code java -jar concurrency-stress/target/jcstress.jar -t BrokenStopHandOffRaceStress -m quick}
 */
@JCStressTest
@Outcome(id = "1, 0, 1, 2, 0", expect = Expect.ACCEPTABLE, desc = "the stop came after both hand-offs; both batches are queued for the workers")
@Outcome(id = {"1, 0, 2, 1, 1", "1, 1, 2, 1, 1"}, expect = Expect.ACCEPTABLE_INTERESTING, desc = "the stop came between the hand-offs; the second batch was discarded, not handed over")
@Outcome(id = "2, 1, 2, 0, 2", expect = Expect.ACCEPTABLE, desc = "the stop came first; both batches were discarded")
@Outcome(expect = Expect.FORBIDDEN, desc = "a batch was handed over after the producer saw the stop, or a batch was lost or counted twice")
@State
public class BrokenStopHandOffRaceStress {

    private boolean stop;
    private int queued;
    private int discarded;

    private int handOff(boolean stopSeen) {
        if (stopSeen) {
            discarded++;
            return 2;
        }
        queued++;
        return 1;
    }

    @Actor
    public void producer(IIIII_Result r) {
        boolean hoisted = stop;
        Window.open();
        r.r1 = handOff(hoisted);
        Window.open();
        r.r2 = stop ? 1 : 0;
        r.r3 = handOff(hoisted);
    }

    @Actor
    public void stopper() {
        stop = true;
    }

    @Arbiter
    public void arbiter(IIIII_Result r) {
        r.r4 = queued;
        r.r5 = discarded;
    }
}

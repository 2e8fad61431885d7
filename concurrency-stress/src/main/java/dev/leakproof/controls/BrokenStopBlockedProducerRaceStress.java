package dev.leakproof.controls;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * NEGATIVE CONTROL for {@code dev.leakproof.pipeline.StopBlockedProducerRaceStress}: the same race and the same outcomes, against
 * a producer that checks the stop flag only before blocking, and a stop that neither closes the queue nor wakes it: it waits out its offer timeout (here a short spin) still holding its batch. jcstress must report a FORBIDDEN outcome here (the producer slept through the stop, its batch neither handed over nor discarded); if it does not, the real
 * test has no power.
 *
 * <p>Run alone (expect exit code 1): {@code java -jar concurrency-stress/target/jcstress.jar -t BrokenStopBlockedProducerRaceStress -m quick}
 */
@JCStressTest
@Outcome(id = "2, 1, 1", expect = Expect.ACCEPTABLE, desc = "the producer woke (or saw the stop before blocking); its batch was discarded, the queued one kept for the workers")
@Outcome(expect = Expect.FORBIDDEN, desc = "the producer handed a batch into a full, stopped queue, or a batch was lost or discarded twice")
@State
public class BrokenStopBlockedProducerRaceStress {

    private volatile boolean stop;
    private int size = 1;
    private int discarded;

    @Actor
    public void blockedProducer(III_Result r) {
        if (stop) {
            discarded++;
            r.r1 = 2;
            return;
        }
        Window.open();
        for (int i = 0; i < 1_000; i++) {
            if (size < 1) {
                size++;
                r.r1 = 1;
                return;
            }
            Thread.onSpinWait();
        }
        r.r1 = 0; // offer timed out; the stop never woke it
    }

    @Actor
    public void stopper() {
        stop = true;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r2 = discarded;
        r.r3 = size;
    }
}

package dev.leakproof.controls;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * NEGATIVE CONTROL for {@code dev.leakproof.retry.LateCompletionStaleReclaimRaceStress}: the same race and the same outcomes, against
 * a batch lease whose completion and stale reclaim both check a plain {@code ended} flag and then end it, instead of deciding under the buffer's lock. jcstress must report a FORBIDDEN outcome here (the item both succeeded and re-queued); if it does not, the real
 * test has no power.
 *
 * <p>Run alone (expect exit code 1): {@code java -jar concurrency-stress/target/jcstress.jar -t BrokenLateCompletionStaleReclaimRaceStress -m quick}
 */
@JCStressTest
@Outcome(id = "1, 0, 0, 0, 0", expect = Expect.ACCEPTABLE, desc = "the completion came first; the item succeeded and the cleanup found nothing stale")
@Outcome(id = "0, 0, 1, 1, 0", expect = Expect.ACCEPTABLE_INTERESTING, desc = "the cleanup reclaimed the stale batch first; the item went back to the buffer for a retry and the completion counted as late")
@Outcome(expect = Expect.FORBIDDEN, desc = "the item both succeeded and was abandoned or re-queued (processed twice, or a dead letter for a success), or it was lost")
@State
public class BrokenLateCompletionStaleReclaimRaceStress {

    private boolean ended;
    private int succeeded;
    private int abandoned;
    private int size;
    private int late;
    private int deadLetters;

    @Actor
    public void completer() {
        if (!ended) {
            Window.open();
            ended = true;
            succeeded++;
        } else {
            late++;
        }
    }

    @Actor
    public void cleaner() {
        if (!ended) {
            Window.open();
            ended = true;
            size++;
        }
    }

    @Arbiter
    public void arbiter(IIIII_Result r) {
        r.r1 = succeeded;
        r.r2 = abandoned;
        r.r3 = size;
        r.r4 = late;
        r.r5 = deadLetters;
    }
}

package dev.leakproof.controls;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * NEGATIVE CONTROL for {@code dev.leakproof.pipeline.EndOfSourceLastBatchRaceStress}: the same race and the same outcomes, against
 * a worker that checks an end-of-source flag before draining its queue, instead of ending only on "closed and empty". jcstress must report a FORBIDDEN outcome here (the last batch lost behind the end signal); if it does not, the real
 * test has no power.
 *
 * <p>Run alone (expect exit code 1): {@code java -jar concurrency-stress/target/jcstress.jar -t BrokenEndOfSourceLastBatchRaceStress -m quick}
 */
@JCStressTest
@Outcome(id = "1, 1, 0, 0", expect = Expect.ACCEPTABLE, desc = "both batches were processed once before the worker saw the end of the source")
@Outcome(expect = Expect.FORBIDDEN, desc = "a batch was lost behind the end signal, left in the queue, discarded, or processed twice")
@State
public class BrokenEndOfSourceLastBatchRaceStress {

    private final ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
    private final int[] processed = new int[2];
    private volatile boolean ended;

    @Actor
    public void producer() {
        queue.add(0);
        queue.add(1);
        ended = true;
    }

    @Actor
    public void worker() {
        while (!ended) {
            Integer b = queue.poll();
            if (b != null) {
                processed[b]++;
            }
        }
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r1 = processed[0];
        r.r2 = processed[1];
        r.r3 = 0;
        r.r4 = queue.size();
    }
}

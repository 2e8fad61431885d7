package dev.leakproof.controls;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * NEGATIVE CONTROL for {@code dev.leakproof.queue.QueueSizeBoundsObserverStress}: the same race and the same outcomes, against
 * a queue whose size is a plain counter that a drop-oldest offer raises before it evicts the head. jcstress must report a FORBIDDEN outcome here (an observer sees 3 elements in a queue of capacity 2); if it does not, the real
 * test has no power.
 *
 * <p>Run alone (expect exit code 1): {@code java -jar concurrency-stress/target/jcstress.jar -t BrokenQueueSizeBoundsObserverStress -m quick}
 */
@JCStressTest
@Outcome(id = {"0, 0", "0, 1", "0, 2", "1, 0", "1, 1", "1, 2", "2, 0", "2, 1", "2, 2"}, expect = Expect.ACCEPTABLE,
        desc = "both observers saw a size within [0, capacity]")
@Outcome(expect = Expect.FORBIDDEN, desc = "an observer saw a negative size or more elements than the capacity: a monitor or backpressure decision based on it is wrong")
@State
public class BrokenQueueSizeBoundsObserverStress {

    private int count = 2;

    private void offer() {
        count++; // inserted before the eviction makes room
        Window.open();
        if (count > 2) {
            count--;
        }
    }

    private void poll() {
        if (count > 0) {
            count--;
        }
    }

    @Actor
    public void producer(II_Result r) {
        offer();
        r.r1 = count;
        offer();
    }

    @Actor
    public void consumer(II_Result r) {
        poll();
        Window.open();
        r.r2 = count;
        poll();
    }

    @Arbiter
    public void arbiter(II_Result r) {
    }
}

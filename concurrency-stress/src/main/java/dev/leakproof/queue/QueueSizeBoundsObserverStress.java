package dev.leakproof.queue;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Q1: {@code 0 <= size() <= capacity} at every observation, while a producer evicts under
 * {@code DROP_OLDEST} and a consumer polls.
 *
 * <p>A full {@code DROP_OLDEST} queue of capacity 2 holds 1 and 2. The producer offers 3 and 4 (each
 * evicting the head when full) and reads {@code size()} between them (r1); the consumer polls twice
 * and reads {@code size()} between them (r2). (The actors observe, rather than a third observer
 * actor: jcstress skips tests with more actors than the 2 CPUs here.)
 *
 * <p>Run alone: {@code java -jar concurrency-stress/target/jcstress.jar -t '\.QueueSizeBoundsObserverStress$' -m quick}
 */
@JCStressTest
@Outcome(id = {"0, 0", "0, 1", "0, 2", "1, 0", "1, 1", "1, 2", "2, 0", "2, 1", "2, 2"}, expect = Expect.ACCEPTABLE,
        desc = "both observers saw a size within [0, capacity]")
@Outcome(expect = Expect.FORBIDDEN, desc = "an observer saw a negative size or more elements than the capacity: a monitor or backpressure decision based on it is wrong")
@State
public class QueueSizeBoundsObserverStress {

    private final BoundedQueue<Integer> queue = BoundedQueue.<Integer>builder().name("stress").capacity(2)
            .strategy(OverflowStrategy.DROP_OLDEST).build();

    public QueueSizeBoundsObserverStress() {
        queue.offer(1);
        queue.offer(2);
    }

    @Actor
    public void producer(II_Result r) {
        queue.offer(3);
        r.r1 = queue.size();
        queue.offer(4);
    }

    @Actor
    public void consumer(II_Result r) {
        queue.poll();
        r.r2 = queue.size();
        queue.poll();
    }

    @Arbiter
    public void arbiter(II_Result r) {
        // All observations are made by the observer actor.
    }
}

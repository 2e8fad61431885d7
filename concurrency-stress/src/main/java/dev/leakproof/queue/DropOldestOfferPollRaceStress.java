package dev.leakproof.queue;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Q3 under {@code DROP_OLDEST}: when a producer's offer evicts the head while a consumer polls it,
 * the head is either delivered or dropped, never both and never lost.
 *
 * <p>A full queue of capacity 1 holds element A (1). One actor offers B (2), evicting the head if it
 * is still there; the other polls. The arbiter records what was polled (r1), which elements reached
 * the drop listener as a bit mask (r2: A=1, B=2) and what is left inside (r3).
 *
 * <p>Run alone: {@code java -jar concurrency-stress/target/jcstress.jar -t '\.DropOldestOfferPollRaceStress$' -m quick}
 */
@JCStressTest
@Outcome(id = "1, 0, 2", expect = Expect.ACCEPTABLE, desc = "consumer took A first; B was then accepted without an eviction")
@Outcome(id = "2, 1, 0", expect = Expect.ACCEPTABLE, desc = "producer evicted A to the listener and inserted B; consumer then took B")
@Outcome(id = "0, 1, 2", expect = Expect.ACCEPTABLE_INTERESTING, desc = "consumer polled between the eviction of A and the insertion of B, and found the queue empty")
@Outcome(expect = Expect.FORBIDDEN, desc = "an element was delivered and dropped, delivered twice, or lost")
@State
public class DropOldestOfferPollRaceStress {

    private static final Integer A = 1;
    private static final Integer B = 2;

    private int droppedMask;
    private final BoundedQueue<Integer> queue = BoundedQueue.<Integer>builder().name("stress").capacity(1)
            .strategy(OverflowStrategy.DROP_OLDEST).dropListener((e, r) -> droppedMask |= e).build();
    private int polled;

    public DropOldestOfferPollRaceStress() {
        queue.offer(A);
    }

    @Actor
    public void producer() {
        queue.offer(B);
    }

    @Actor
    public void consumer() {
        Integer e = queue.poll();
        polled = e == null ? 0 : e;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        Integer left = queue.poll();
        r.r1 = polled;
        r.r2 = droppedMask;
        r.r3 = left == null ? 0 : left;
    }
}

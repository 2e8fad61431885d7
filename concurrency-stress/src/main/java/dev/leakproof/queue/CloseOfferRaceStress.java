package dev.leakproof.queue;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Q2/Q3: an offer racing with {@code close()} is either accepted (and stays for consumers to drain)
 * or refused and handed to the drop listener as {@code CLOSED}, exactly once; never accepted and lost.
 *
 * <p>An empty {@code DROP_NEWEST} queue of capacity 2. One actor offers 1 (r1: 1 accepted); the
 * other closes the queue. The arbiter drains the closed queue (r2: what it got) and records the drop
 * listener's {@code CLOSED} count (r3).
 *
 * <p>Run alone: {@code java -jar concurrency-stress/target/jcstress.jar -t '\.CloseOfferRaceStress$' -m quick}
 */
@JCStressTest
@Outcome(id = "1, 1, 0", expect = Expect.ACCEPTABLE, desc = "the offer came before the close; consumers can still drain the element")
@Outcome(id = "0, 0, 1", expect = Expect.ACCEPTABLE_INTERESTING, desc = "the close came first; the element was refused and reported to the drop listener as CLOSED")
@Outcome(expect = Expect.FORBIDDEN, desc = "the element was accepted but lost by the close, refused silently, or both kept and dropped")
@State
public class CloseOfferRaceStress {

    private int closedDrops;
    private final BoundedQueue<Integer> queue = BoundedQueue.<Integer>builder().name("stress").capacity(2)
            .strategy(OverflowStrategy.DROP_NEWEST).dropListener((e, reason) -> {
                if (reason == DropReason.CLOSED) {
                    closedDrops++;
                }
            }).build();

    @Actor
    public void producer(III_Result r) {
        r.r1 = queue.offer(1) ? 1 : 0;
    }

    @Actor
    public void closer() {
        queue.close();
    }

    @Arbiter
    public void arbiter(III_Result r) {
        Integer left = queue.poll();
        r.r2 = left == null ? 0 : left;
        r.r3 = closedDrops;
    }
}

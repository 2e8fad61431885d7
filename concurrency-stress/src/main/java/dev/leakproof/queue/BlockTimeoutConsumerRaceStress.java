package dev.leakproof.queue;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.util.concurrent.TimeUnit;

/**
 * Q2/Q3 under {@code BLOCK}: when a producer's timed offer on a full queue times out just as a
 * consumer frees space, the element is either accepted or timed out (and reported once), never both.
 *
 * <p>A full {@code BLOCK} queue of capacity 1 holds 1. The producer offers 2 with a 20 µs timeout
 * (r1: 1 accepted, 0 refused); the consumer polls once. The arbiter records the drop listener's
 * {@code TIMED_OUT} count (r2) and what is left inside (r3).
 *
 * <p>Run alone: {@code java -jar concurrency-stress/target/jcstress.jar -t '\.BlockTimeoutConsumerRaceStress$' -m quick}
 */
@JCStressTest
@Outcome(id = "1, 0, 2", expect = Expect.ACCEPTABLE, desc = "the consumer freed space in time; the element was accepted and waits for a consumer")
@Outcome(id = "0, 1, 0", expect = Expect.ACCEPTABLE_INTERESTING, desc = "the offer timed out before the consumer freed space; the element was reported as timed out")
@Outcome(expect = Expect.FORBIDDEN, desc = "the element was both accepted and reported as timed out, or neither (lost)")
@State
public class BlockTimeoutConsumerRaceStress {

    private int timedOut;
    private final BoundedQueue<Integer> queue = BoundedQueue.<Integer>builder().name("stress").capacity(1)
            .strategy(OverflowStrategy.BLOCK).dropListener((e, reason) -> {
                if (reason == DropReason.TIMED_OUT) {
                    timedOut++;
                }
            }).build();

    public BlockTimeoutConsumerRaceStress() {
        queue.offer(1);
    }

    @Actor
    public void producer(III_Result r) {
        try {
            r.r1 = queue.offer(2, 20, TimeUnit.MICROSECONDS) ? 1 : 0;
        } catch (InterruptedException e) {
            throw new IllegalStateException("stress actor interrupted", e);
        }
    }

    @Actor
    public void consumer() {
        queue.poll();
    }

    @Arbiter
    public void arbiter(III_Result r) {
        Integer left = queue.poll();
        r.r2 = timedOut;
        r.r3 = left == null ? 0 : left;
    }
}

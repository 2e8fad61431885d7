package dev.leakproof.pipeline;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * P1: once the producer has observed a stop request it hands no further batch to a queue, and
 * every batch is either in the queue or discarded, exactly once.
 *
 * <p>A built, not started pipeline with one queue of capacity 2. The producer hands off batch 0
 * (r1: 1 handed, 2 discarded), reads {@code stopRequested()} (r2) and hands off batch 1 (r3); the
 * other actor calls {@code requestStop()}. The arbiter records the queue's size (r4) and the
 * discard listener's count (r5).
 *
 * <p>Run alone: {@code java -jar concurrency-stress/target/jcstress.jar -t '\.StopHandOffRaceStress$' -m quick}
 */
@JCStressTest
@Outcome(id = "1, 0, 1, 2, 0", expect = Expect.ACCEPTABLE, desc = "the stop came after both hand-offs; both batches are queued for the workers")
@Outcome(id = {"1, 0, 2, 1, 1", "1, 1, 2, 1, 1"}, expect = Expect.ACCEPTABLE_INTERESTING, desc = "the stop came between the hand-offs; the second batch was discarded, not handed over")
@Outcome(id = "2, 1, 2, 0, 2", expect = Expect.ACCEPTABLE, desc = "the stop came first; both batches were discarded")
@Outcome(expect = Expect.FORBIDDEN, desc = "a batch was handed over after the producer saw the stop, or a batch was lost or counted twice")
@State
public class StopHandOffRaceStress {

    private final AtomicInteger discarded = new AtomicInteger();
    private final Pipeline<Integer> pipeline = Pipelines.of(2, discarded, Pipelines.counters(2));

    @Actor
    public void producer(IIIII_Result r) {
        r.r1 = code(Pipelines.handOff(pipeline, 0, 0));
        r.r2 = pipeline.stopRequested() ? 1 : 0;
        r.r3 = code(Pipelines.handOff(pipeline, 1, 0));
    }

    @Actor
    public void stopper() {
        pipeline.requestStop();
    }

    @Arbiter
    public void arbiter(IIIII_Result r) {
        r.r4 = pipeline.queue(0).size();
        r.r5 = discarded.get();
    }

    private static int code(Pipeline.HandOff h) {
        return h == Pipeline.HandOff.HANDED ? 1 : 2;
    }
}

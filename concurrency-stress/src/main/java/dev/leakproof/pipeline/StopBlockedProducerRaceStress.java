package dev.leakproof.pipeline;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * P1/Q4: a stop request wakes a producer blocked on a full queue (offer timeout 1 hour), and its
 * batch is discarded rather than handed over or lost.
 *
 * <p>A built, not started pipeline with one full queue of capacity 1. The producer hands off batch 1
 * and blocks (r1: 1 handed, 2 discarded); the other actor calls {@code requestStop()}, which closes the
 * queue. The arbiter records the discard count (r2) and the queue's size (r3). A producer that never
 * wakes shows as a hung test.
 *
 * <p>Run alone: {@code java -jar concurrency-stress/target/jcstress.jar -t '\.StopBlockedProducerRaceStress$' -m quick}
 */
@JCStressTest
@Outcome(id = "2, 1, 1", expect = Expect.ACCEPTABLE, desc = "the producer woke (or saw the stop before blocking); its batch was discarded, the queued one kept for the workers")
@Outcome(expect = Expect.FORBIDDEN, desc = "the producer handed a batch into a full, stopped queue, or a batch was lost or discarded twice")
@State
public class StopBlockedProducerRaceStress {

    private final AtomicInteger discarded = new AtomicInteger();
    private final Pipeline<Integer> pipeline = Pipelines.of(1, discarded, Pipelines.counters(2));

    public StopBlockedProducerRaceStress() {
        Pipelines.handOff(pipeline, 0, 0);
    }

    @Actor
    public void blockedProducer(III_Result r) {
        r.r1 = Pipelines.handOff(pipeline, 1, 0) == Pipeline.HandOff.HANDED ? 1 : 2;
    }

    @Actor
    public void stopper() {
        pipeline.requestStop();
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r2 = discarded.get();
        r.r3 = pipeline.queue(0).size();
    }
}

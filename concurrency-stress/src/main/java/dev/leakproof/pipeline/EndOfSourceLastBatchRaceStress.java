package dev.leakproof.pipeline;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * P3: when the producer hands over its last batch and signals the end of the source while a worker
 * is draining, every batch is processed exactly once: none lost behind the end signal, none twice.
 *
 * <p>A built, not started pipeline with one queue of capacity 2. The producer hands off batches 0
 * and 1 and calls {@code endOfSource()}; the worker loops {@code nextBatch(0)} / {@code runBatch}
 * until the end signal. The arbiter records how often each batch was processed (r1, r2), the
 * discard count (r3) and what is left in the queue (r4).
 *
 * <p>Run alone: {@code java -jar concurrency-stress/target/jcstress.jar -t '\.EndOfSourceLastBatchRaceStress$' -m quick}
 */
@JCStressTest
@Outcome(id = "1, 1, 0, 0", expect = Expect.ACCEPTABLE, desc = "both batches were processed once before the worker saw the end of the source")
@Outcome(expect = Expect.FORBIDDEN, desc = "a batch was lost behind the end signal, left in the queue, discarded, or processed twice")
@State
public class EndOfSourceLastBatchRaceStress {

    private final AtomicInteger discarded = new AtomicInteger();
    private final AtomicInteger[] processed = Pipelines.counters(2);
    private final Pipeline<Integer> pipeline = Pipelines.of(2, discarded, processed);

    @Actor
    public void producer() {
        Pipelines.handOff(pipeline, 0, 0);
        Pipelines.handOff(pipeline, 1, 0);
        pipeline.endOfSource();
    }

    @Actor
    public void worker() {
        for (Integer b; (b = Pipelines.nextBatch(pipeline)) != null; ) {
            pipeline.runBatch(0, b);
        }
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r1 = processed[0].get();
        r.r2 = processed[1].get();
        r.r3 = discarded.get();
        r.r4 = pipeline.queue(0).size();
    }
}

package dev.leakproof.pipeline;

import dev.leakproof.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package-private hand-off steps that the jcstress tests drive ({@link Pipeline#handOff},
 * {@link Pipeline#requestStop}, {@link Pipeline#endOfSource}, {@link Pipeline#nextBatch},
 * {@link Pipeline#runBatch}, {@link Pipeline#sweep}), on a pipeline that was built but never
 * started, with the test's own threads in the producer's and the worker's roles.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipelineHandOffTest {

    private static final int ROUNDS = 2_000;

    private final Harness h = new Harness();

    @AfterEach
    void checkEveryThreadEnded() {
        h.tearDown();
    }

    private Pipeline<Integer> unstarted(String name, int capacity, BatchWorker<Integer> worker) {
        return h.<Integer>builder(name).source(() -> null).worker(worker).workers(1).queueCapacity(capacity)
                .offerTimeout(Duration.ofMinutes(5)).build();
    }

    private Thread run(String name, Runnable r) {
        Thread t = h.newThread(r);
        t.setName(name);
        t.start();
        return t;
    }

    @Test
    @DisplayName("P1 (serial): a hand-off after the stop request offers nothing and discards the batch")
    void shouldDiscardAndOfferNothingWhenStopWasRequestedBeforeHandOff() throws InterruptedException {
        Pipeline<Integer> p = unstarted("p1-serial", 4, i -> { });
        assertTrue(p.requestStop());
        assertEquals(Pipeline.HandOff.DISCARDED, p.handOff(7, 0));
        assertEquals(0, p.queue(0).metrics().offered(), "P1: the queue saw an offer after the stop");
        assertEquals(1, h.discarded(DiscardReason.STOPPED));
    }

    @Test
    @DisplayName("P1 (blocked producer vs stop): the stop wakes a blocked hand-off, which discards its batch")
    void shouldDiscardBlockedBatchWhenStopClosesQueueDuringHandOff() throws InterruptedException {
        Pipeline<Integer> p = unstarted("p1-blocked", 1, i -> { });
        assertEquals(Pipeline.HandOff.HANDED, p.handOff(1, 0));
        AtomicReference<Pipeline.HandOff> outcome = new AtomicReference<>();
        Thread producer = run("test-producer", () -> {
            try {
                outcome.set(p.handOff(2, 0));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        Await.parked(producer);
        p.requestStop();
        Await.ended(producer, Harness.LIMIT);
        assertEquals(Pipeline.HandOff.DISCARDED, outcome.get());
        assertEquals(1, p.queue(0).size(), "only the batch handed before the stop is queued");
        assertEquals(java.util.List.of(2), h.discards);
        assertEquals(1, p.nextBatch(0));
        assertNull(p.nextBatch(0), "closed and empty ends the worker");
    }

    @Test
    @DisplayName("Sentinel vs last batch: a worker racing the end of the source takes every batch exactly once")
    void shouldTakeLastBatchExactlyOnceWhenEndOfSourceRacesWorker() throws InterruptedException {
        for (int round = 0; round < ROUNDS; round++) {
            AtomicIntegerArray seen = new AtomicIntegerArray(3);
            Pipeline<Integer> p = unstarted("sentinel-" + round, 2, seen::incrementAndGet);
            Thread producer = run("test-producer", () -> {
                try {
                    for (int i = 0; i < 3; i++) {
                        assertEquals(Pipeline.HandOff.HANDED, p.handOff(i, 0));
                    }
                    p.endOfSource();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            Thread worker = run("test-worker", () -> {
                try {
                    Integer b;
                    while ((b = p.nextBatch(0)) != null) {
                        p.runBatch(0, b);
                    }
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            Await.ended(producer, Harness.LIMIT);
            Await.ended(worker, Harness.LIMIT);
            for (int i = 0; i < 3; i++) {
                assertEquals(1, seen.get(i), "round " + round + ": batch " + i + " processed " + seen.get(i) + " times");
            }
            assertEquals(0, p.sweep(), "nothing may be left behind the end-of-stream signal");
            assertEquals(3, p.metrics().processed());
            h.threads.clear();
        }
    }

    @Test
    @DisplayName("Stop vs hand-off: a batch racing the stop is either queued (then processed or swept) or discarded, once; both outcomes occur")
    void shouldAccountForBatchOnceWhenStopRacesHandOff() throws InterruptedException {
        AtomicInteger handed = new AtomicInteger();
        AtomicInteger dropped = new AtomicInteger();
        // At least ROUNDS rounds, and on until each outcome has been seen (bounded: 10 × ROUNDS).
        for (int round = 0; round < 10 * ROUNDS && (round < ROUNDS || handed.get() == 0 || dropped.get() == 0); round++) {
            Pipeline<Integer> p = unstarted("race-" + round, 1, i -> { });
            CountDownLatch go = new CountDownLatch(1);
            AtomicReference<Pipeline.HandOff> outcome = new AtomicReference<>();
            Thread producer = run("test-producer", () -> {
                try {
                    go.await();
                    outcome.set(p.handOff(42, 0));
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            Thread stopper = run("test-stopper", () -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                p.requestStop();
            });
            go.countDown();
            Await.ended(producer, Harness.LIMIT);
            Await.ended(stopper, Harness.LIMIT);
            int queued = p.queue(0).size();
            int discarded = (int) p.metrics().discarded();
            if (outcome.get() == Pipeline.HandOff.HANDED) {
                handed.incrementAndGet();
                assertEquals(1, queued, "handed but not queued: lost");
                assertEquals(0, discarded, "handed and also discarded");
                assertEquals(1, p.sweep());
            } else {
                dropped.incrementAndGet();
                assertEquals(0, queued, "P1: discarded by the producer but also queued");
                assertEquals(1, discarded);
            }
            assertFalse(p.requestStop(), "the stop was already recorded");
            h.threads.clear();
        }
        assertTrue(handed.get() > 0 && dropped.get() > 0,
                "the race never produced both outcomes: handed " + handed + ", discarded " + dropped);
    }
}

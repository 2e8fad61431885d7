package dev.leakproof.pipeline;

import dev.leakproof.queue.QueueMetrics;
import dev.leakproof.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed's failure, inverted: a producer that can generate batches far faster than its workers
 * consume them. Live batches are counted by the batches themselves (created by the source, released
 * by the worker), not by heap size, so the bound is exact: at most {@code capacity × queues} queued,
 * plus one in each worker's hands and one in the producer's.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipelineBackpressureTest {

    private static final int BATCHES = 2_000;
    private static final int CAPACITY = 5;
    private static final int WORKERS = 2;

    private final Harness h = new Harness();

    @AfterEach
    void checkEveryPipelineClosedAndEveryThreadEnded() {
        h.tearDown();
    }

    /** Counts batches from creation to release, and the most ever alive at once. */
    static final class LiveBatches {
        final AtomicInteger live = new AtomicInteger();
        final AtomicInteger max = new AtomicInteger();

        Batch create(int id) {
            int now = live.incrementAndGet();
            max.accumulateAndGet(now, Math::max);
            return new Batch(id, this);
        }
    }

    /** A batch that knows it is alive until a worker (or the discard listener) releases it. */
    static final class Batch {
        final int id;
        private final LiveBatches owner;
        private final AtomicInteger released = new AtomicInteger();

        Batch(int id, LiveBatches owner) {
            this.id = id;
            this.owner = owner;
        }

        void release() {
            assertEquals(1, released.incrementAndGet(), "batch " + id + " released twice");
            owner.live.decrementAndGet();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    @DisplayName("Backpressure: a fast producer against slow workers never holds more than capacity × queues batches queued")
    void shouldBoundLiveBatchesWhenProducerOutrunsSlowWorkers(boolean shared) throws InterruptedException {
        LiveBatches batches = new LiveBatches();
        AtomicInteger next = new AtomicInteger();
        Semaphore permits = new Semaphore(0);
        int queues = shared ? 1 : WORKERS;
        int bound = CAPACITY * queues + WORKERS + 1;
        Pipeline<Batch> p = h.track(h.<Batch>builder("backpressure-" + (shared ? "shared" : "per-worker"))
                .source(() -> next.get() < BATCHES ? batches.create(next.getAndIncrement()) : null)
                .worker(b -> {
                    permits.acquire();
                    b.release();
                })
                .discardListener((b, reason) -> b.release())
                .workers(WORKERS).queueCapacity(CAPACITY)
                .routing(shared ? Routing.shared() : Routing.roundRobin()).build().start());
        Thread producer = h.thread("-producer");
        try {
            Await.until("queues full, workers busy, producer blocked", Harness.LIMIT,
                    () -> p.metrics().queued() == (long) CAPACITY * queues && p.metrics().inFlight() == WORKERS
                            && producer.getState() == Thread.State.TIMED_WAITING);
            assertEquals(bound, batches.live.get(), "full: every queue, every worker's hands and the producer's hand");
            assertEquals(bound, next.get(), "the producer must stop reading the source while the queues are full");
            for (int i = 0; i < BATCHES; i++) {
                permits.release();
                int live = batches.live.get();
                assertTrue(live <= bound, "live batches " + live + " above the bound " + bound);
            }
        } finally {
            permits.release(BATCHES);
        }
        assertTrue(p.awaitCompletion(Harness.LIMIT));
        ShutdownReport r = p.close(Harness.LIMIT);
        Harness.checkReport(r);
        assertEquals(BATCHES, r.processed());
        assertEquals(0, batches.live.get(), "every batch released");
        assertTrue(batches.max.get() <= bound, "at most " + bound + " batches were ever alive, saw " + batches.max.get());
        for (int q = 0; q < queues; q++) {
            QueueMetrics m = p.queue(q).metrics();
            assertEquals(CAPACITY, m.highWaterMark(), "Q1 through the pipeline: " + m);
        }
    }
}

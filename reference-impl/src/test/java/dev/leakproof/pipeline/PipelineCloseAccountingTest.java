package dev.leakproof.pipeline;

import dev.leakproof.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static dev.leakproof.pipeline.Harness.awaitIgnoringInterrupts;
import static dev.leakproof.pipeline.Harness.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regression tests for the reviewed close and accounting bugs: a batch the producer holds while
 * running user code, Errors from user code, re-entrant and concurrent close, close from a pipeline
 * thread, slow discard listeners, a pending interrupt on the closing thread, and the memory guard's
 * extra read. No test sleeps; every wait is bounded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipelineCloseAccountingTest {

    private final Harness h = new Harness();

    @AfterEach
    void checkEveryPipelineClosedAndEveryThreadEnded() {
        h.tearDown();
    }



    /** Busy for {@code nanos} of real time (no sleep: the point is to take time on this thread). */
    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    private static void assertConserved(PipelineMetrics m) {
        assertEquals(m.produced(), m.processed() + m.failed() + m.discarded(), () -> "P3 in " + m);
    }

    @Test
    @DisplayName("P3: a batch the producer holds while stuck in the routing key function is counted once, before and after it resumes")
    void shouldCountProducerHeldBatchAsAbandonedWhenKeyFunctionIgnoresInterrupts() {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch inKey = new CountDownLatch(1);
        Pipeline<Integer> p = h.track(h.<Integer>builder("stuck-key").source(range(10).iterator())
                .worker(i -> { }).workers(1).grace(Duration.ofMillis(100))
                .routing(Routing.byKey(i -> {
                    if (i == 3) {
                        inKey.countDown();
                        awaitIgnoringInterrupts(gate);
                    }
                    return i;
                })).build().start());
        ShutdownReport r;
        try {
            Await.until("key function stuck", Harness.LIMIT, () -> inKey.getCount() == 0 && p.metrics().processed() == 3);
            r = p.close(Duration.ofMillis(100));
            Harness.checkReport(r);
            assertEquals(List.of("leakproof-pipeline-stuck-key-producer"),
                    r.stuckThreads().stream().map(StuckThread::name).toList());
            assertEquals(4, r.produced());
            assertEquals(1, r.abandoned(), "the producer's batch is failed and abandoned: " + r);
            assertEquals(1, r.failed());
        } finally {
            gate.countDown();
        }
        Await.ended(h.thread("stuck-key-producer"), Harness.LIMIT);
        assertConserved(p.metrics());
        assertEquals(4, p.metrics().produced(), "the resumed producer takes nothing more");
        assertEquals(1, p.metrics().failed(), "the resumed producer counts nothing twice");
        assertEquals(0, p.metrics().discarded());
        assertFalse(h.discards.contains(3), "the abandoned batch is not also discarded");
        assertSame(r, p.close(Duration.ofMillis(1)));
    }

    @Test
    @DisplayName("P3: an AssertionError from the routing key function discards the batch as unroutable")
    void shouldDiscardBatchAsUnroutableWhenKeyFunctionThrowsAnError() throws InterruptedException {
        Pipeline<Integer> p = h.track(h.<Integer>builder("error-key").source(range(10).iterator())
                .worker(i -> { }).workers(2)
                .routing(Routing.byKey(i -> {
                    if (i == 2) {
                        throw new AssertionError("no key for 2");
                    }
                    return i;
                })).build().start());
        assertTrue(p.awaitCompletion(Harness.LIMIT));
        ShutdownReport r = p.close(Harness.LIMIT);
        Harness.checkReport(r);
        assertEquals(StopReason.SOURCE_FAILED, r.reason());
        assertEquals(3, r.produced());
        assertEquals(List.of(2), h.discards);
        assertEquals(1, h.discarded(DiscardReason.UNROUTABLE));
    }

    @Test
    @DisplayName("A discard listener that calls close() on the closing thread gets an IllegalStateException instead of hanging close")
    void shouldRefuseReentrantCloseWhenDiscardListenerCallsClose() {
        AtomicReference<Pipeline<Integer>> self = new AtomicReference<>();
        AtomicReference<Throwable> nested = new AtomicReference<>();
        AtomicReference<Thread> closing = new AtomicReference<>();
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch busy = new CountDownLatch(1);
        Pipeline<Integer> p = h.track(h.<Integer>builder("reentrant").source(range(10).iterator())
                .worker(i -> {
                    busy.countDown();
                    awaitIgnoringInterrupts(gate);
                }).workers(1).queueCapacity(4).grace(Duration.ofMillis(100))
                .discardListener((batch, reason) -> {
                    if (Thread.currentThread() != closing.get()) {
                        return; // the producer discards too; from there close is refused for another reason
                    }
                    try {
                        self.get().close(Duration.ofMillis(10));
                    } catch (Throwable t) {
                        nested.compareAndSet(null, t);
                    }
                }).build());
        self.set(p);
        p.start();
        AtomicReference<ShutdownReport> report = new AtomicReference<>();
        Thread closer = h.newThread(() -> report.set(p.close(Duration.ofMillis(50))));
        closing.set(closer);
        try {
            Await.until("worker busy", Harness.LIMIT, () -> busy.getCount() == 0);
            closer.start();
            Await.ended(closer, Harness.LIMIT);
        } finally {
            gate.countDown();
        }
        assertNotNull(report.get(), "close returned");
        Harness.checkReport(report.get());
        assertTrue(nested.get() instanceof IllegalStateException, () -> "nested close threw " + nested.get());
        assertTrue(nested.get().getMessage().contains("closing"), nested.get().getMessage());
    }

    @Test
    @DisplayName("close() from a pipeline thread is refused, pointing to requestStop()")
    void shouldRefuseCloseWhenCalledFromWorkerThread() throws InterruptedException {
        AtomicReference<Pipeline<Integer>> self = new AtomicReference<>();
        AtomicReference<Throwable> fromWorker = new AtomicReference<>();
        Pipeline<Integer> p = h.track(h.<Integer>builder("self-close").source(range(3).iterator())
                .workers(1).drainTimeout(Duration.ofMillis(200)).grace(Duration.ofMillis(100))
                .worker(i -> {
                    if (i == 0) {
                        try {
                            self.get().close(Duration.ofMillis(100));
                        } catch (Throwable t) {
                            fromWorker.set(t);
                        }
                    }
                }).build());
        self.set(p);
        p.start();
        assertTrue(p.awaitCompletion(Harness.LIMIT));
        assertTrue(fromWorker.get() instanceof IllegalStateException, () -> "close from a worker threw " + fromWorker.get());
        assertTrue(fromWorker.get().getMessage().contains("requestStop()"), fromWorker.get().getMessage());
        ShutdownReport r = p.close(Harness.LIMIT);
        Harness.checkReport(r);
        assertFalse(r.halted());
        assertEquals(3, r.processed());
        assertTrue(r.stuckThreads().isEmpty());
    }

    @Test
    @DisplayName("P2: a slow discard listener for 1000 queued batches runs within the grace period, not before it")
    void shouldReturnWithinTimeoutPlusGraceWhenDiscardListenerIsSlow() {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch busy = new CountDownLatch(1);
        AtomicInteger discards = new AtomicInteger();
        Pipeline<Integer> p = h.track(h.<Integer>builder("slow-listener").source(range(1001).iterator())
                .worker(i -> {
                    busy.countDown();
                    awaitIgnoringInterrupts(gate);
                }).workers(1).queueCapacity(1000).grace(Duration.ofMillis(1500))
                .discardListener((batch, reason) -> {
                    discards.incrementAndGet();
                    spin(TimeUnit.MILLISECONDS.toNanos(1));
                }).build().start());
        try {
            Await.until("1000 batches queued", Harness.LIMIT,
                    () -> busy.getCount() == 0 && p.metrics().queueDepths().get(0) == 1000);
            long t0 = System.nanoTime();
            ShutdownReport r = p.close(Duration.ofMillis(100));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            Harness.checkReport(r);
            assertEquals(1000, discards.get());
            assertTrue(r.halted());
            assertTrue(took.compareTo(Duration.ofMillis(100 + 1500 + 600)) < 0, "P2: close took " + took);
        } finally {
            gate.countDown();
        }
    }

    @Test
    @DisplayName("P2: a second concurrent close waits at most its own timeout plus grace, and an interrupt ends its wait")
    void shouldBoundSecondCloseWhenFirstCloseIsStillRunning() throws InterruptedException {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch inListener = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Pipeline<Integer> p = h.track(h.<Integer>builder("second-close").source(range(10).iterator())
                .worker(i -> {
                    busy.countDown();
                    awaitIgnoringInterrupts(gate);
                }).workers(1).queueCapacity(4).grace(Duration.ofMillis(100))
                .discardListener((batch, reason) -> {
                    inListener.countDown();
                    awaitIgnoringInterrupts(release);
                }).build().start());
        Thread first = h.newThread(() -> p.close(Duration.ofMillis(50)));
        try {
            Await.until("worker busy", Harness.LIMIT, () -> busy.getCount() == 0);
            first.start();
            assertTrue(inListener.await(Harness.LIMIT.toMillis(), TimeUnit.MILLISECONDS));
            long t0 = System.nanoTime();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.close(Duration.ofMillis(100)));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertTrue(took.compareTo(Duration.ofMillis(200 + 1_500)) < 0, "second close took " + took);
            assertTrue(e.getMessage().contains("concurrent close()"), e.getMessage());

            Thread.currentThread().interrupt();
            assertThrows(IllegalStateException.class, () -> p.close(Harness.LIMIT));
            assertTrue(Thread.interrupted(), "the interrupt is kept");
        } finally {
            release.countDown();
            gate.countDown();
        }
        Await.ended(first, Harness.LIMIT);
        assertTrue(p.report().isPresent());
    }

    @Test
    @DisplayName("An interrupt pending on the closing thread does not skip the drain; it is restored afterwards")
    void shouldStillDrainWhenClosingThreadHasPendingInterrupt() {
        AtomicReference<Pipeline<Integer>> self = new AtomicReference<>();
        AtomicInteger next = new AtomicInteger();
        Pipeline<Integer> p = h.track(h.<Integer>builder("interrupted-closer")
                .source(next::getAndIncrement).workers(1).queueCapacity(2)
                .worker(i -> {
                    Await.until("stop", Harness.LIMIT, () -> self.get().stopReason().isPresent());
                    spin(TimeUnit.MILLISECONDS.toNanos(100));
                }).build());
        self.set(p);
        p.start();
        Await.until("queue full", Harness.LIMIT, () -> p.metrics().queueDepths().get(0) == 2);
        Thread.currentThread().interrupt();
        ShutdownReport r;
        try {
            r = p.close(Harness.LIMIT);
        } finally {
            assertTrue(Thread.interrupted(), "close restores the pending interrupt");
        }
        Harness.checkReport(r);
        assertFalse(r.halted(), () -> "the workers had time to drain: " + r);
        assertEquals(0, r.failed());
        assertTrue(r.processed() >= 2, r::toString);
    }

    @Test
    @DisplayName("Memory guard: once the guard trips, nothing more is taken from the source")
    void shouldTakeNothingMoreFromSourceWhenMemoryGuardTrips() throws InterruptedException {
        AtomicLong heapUsed = new AtomicLong(100);
        AtomicLong clock = new AtomicLong();
        AtomicInteger taken = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        Pipeline<Integer> p = h.track(h.<Integer>builder("guard-trip").source(() -> {
            int i = taken.getAndIncrement();
            if (i == 10) {
                heapUsed.set(1_000);
                clock.addAndGet(Duration.ofSeconds(1).toNanos());
            }
            return i;
        }).worker(i -> gate.await(Harness.LIMIT.toMillis(), TimeUnit.MILLISECONDS))
                .workers(1).queueCapacity(100).clock(clock::get)
                .memoryGuard(MemoryGuard.heapLimit(1_000).reading(heapUsed::get).checkInterval(Duration.ofSeconds(1)))
                .build().start());
        try {
            Await.until("guard tripped", Harness.LIMIT, () -> p.stopReason().isPresent());
        } finally {
            gate.countDown();
        }
        assertTrue(p.awaitCompletion(Harness.LIMIT));
        ShutdownReport r = p.close(Harness.LIMIT);
        Harness.checkReport(r);
        assertEquals(StopReason.MEMORY_LIMIT, r.reason());
        assertEquals(11, taken.get(), "the source was read after the guard tripped");
        assertEquals(11, r.produced());
    }

    @Test
    @DisplayName("P3: a batch a stuck worker has taken but not yet claimed is counted as abandoned, and once only")
    void shouldCountTakenButUnclaimedBatchAsAbandonedWhenWorkerIsStuckBetweenTakeAndClaim() {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch taken = new CountDownLatch(1);
        AtomicInteger processed = new AtomicInteger();
        Pipeline<Integer> p = h.track(h.<Integer>builder("unclaimed").source(range(5).iterator())
                .worker(i -> processed.incrementAndGet()).workers(1).queueCapacity(10)
                .grace(Duration.ofMillis(100)).build());
        p.afterTake = () -> {
            taken.countDown();
            awaitIgnoringInterrupts(gate);
        };
        p.start();
        try {
            Await.until("batch taken", Harness.LIMIT, () -> taken.getCount() == 0);
            ShutdownReport r = p.close(Duration.ofMillis(100));
            Harness.checkReport(r);
            assertEquals(List.of("leakproof-pipeline-unclaimed-worker-0"),
                    r.stuckThreads().stream().map(StuckThread::name).toList());
            assertEquals(1, r.abandoned(), r::toString);
            assertEquals(0, r.processed());
        } finally {
            gate.countDown();
        }
        Await.ended(h.thread("unclaimed-worker-0"), Harness.LIMIT);
        assertEquals(0, processed.get(), "the abandoned batch is not processed after the report");
        assertConserved(p.metrics());
        assertEquals(1, p.metrics().failed());
    }

    @Test
    @DisplayName("P3: a batch the producer holds while a memory reading after a timed-out offer ignores interrupts is counted once")
    void shouldCountProducerHeldBatchAsAbandonedWhenMemoryReadingAfterOfferTimeoutIgnoresInterrupts() {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch workerGate = new CountDownLatch(1);
        CountDownLatch inReading = new CountDownLatch(1);
        AtomicLong clock = new AtomicLong();
        AtomicInteger armed = new AtomicInteger();
        CountDownLatch busy = new CountDownLatch(1);
        Pipeline<Integer> p = h.track(h.<Integer>builder("stuck-guard").source(range(100).iterator())
                .worker(i -> {
                    busy.countDown();
                    workerGate.await(Harness.LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                }).workers(1).queueCapacity(1).offerTimeout(Duration.ofMillis(20)).grace(Duration.ofMillis(100))
                .clock(clock::get)
                .memoryGuard(MemoryGuard.heapLimit(1_000).reading(() -> {
                    if (armed.get() == 1) {
                        inReading.countDown();
                        awaitIgnoringInterrupts(gate);
                    }
                    return 10L;
                }).checkInterval(Duration.ofSeconds(1)))
                .build().start());
        ShutdownReport r;
        try {
            Await.until("producer waiting for space", Harness.LIMIT,
                    () -> busy.getCount() == 0 && p.metrics().offerTimeouts() > 0);
            armed.set(1);
            clock.addAndGet(Duration.ofSeconds(1).toNanos());
            Await.until("reading stuck", Harness.LIMIT, () -> inReading.getCount() == 0);
            r = p.close(Duration.ofMillis(100));
            Harness.checkReport(r);
            assertEquals(List.of("leakproof-pipeline-stuck-guard-producer"),
                    r.stuckThreads().stream().map(StuckThread::name).toList());
            assertEquals(3, r.produced(), r::toString);
            assertEquals(1, r.abandoned(), "the producer's batch is failed and abandoned: " + r);
        } finally {
            gate.countDown();
            workerGate.countDown();
        }
        Await.ended(h.thread("stuck-guard-producer"), Harness.LIMIT);
        assertConserved(p.metrics());
        assertEquals(3, p.metrics().produced());
        assertSame(r, p.report().orElseThrow());
    }
}

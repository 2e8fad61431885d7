package dev.leakproof.pipeline;

import dev.leakproof.monitor.QueueMonitor;
import dev.leakproof.monitor.Sample;
import dev.leakproof.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static dev.leakproof.pipeline.Harness.awaitIgnoringInterrupts;
import static dev.leakproof.pipeline.Harness.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract of {@link Pipeline} (P1-P3, the README's invariants), its stops, failures, halting and
 * reporting. Every test is bounded: waits use latches or {@link Await}, every thread is joined
 * with a limit after the test ({@link Harness#tearDown()}), and no test sleeps.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipelineTest {

    private final Harness h = new Harness();

    @AfterEach
    void checkEveryPipelineClosedAndEveryThreadEnded() {
        h.tearDown();
    }



    // ---------------------------------------------------------------- normal end

    @ParameterizedTest
    @ValueSource(strings = {"shared", "roundRobin", "byKey"})
    @DisplayName("P3: every batch of a finite source is processed exactly once, whatever the routing")
    void shouldProcessEveryBatchExactlyOnceWhenSourceEnds(String mode) throws InterruptedException {
        Routing<Integer> routing = switch (mode) {
            case "shared" -> Routing.shared();
            case "roundRobin" -> Routing.roundRobin();
            default -> Routing.byKey(i -> i % 7);
        };
        AtomicIntegerArray seen = new AtomicIntegerArray(2_000);
        Pipeline<Integer> p = h.track(h.<Integer>builder("finite-" + mode).source(range(2_000).iterator())
                .worker(seen::incrementAndGet).workers(3).queueCapacity(4).routing(routing).build());
        assertEquals(PipelineState.NEW, p.state());
        p.start();
        assertTrue(p.awaitCompletion(Harness.LIMIT));
        assertEquals(PipelineState.TERMINATED, p.state());
        ShutdownReport r = p.close(Harness.LIMIT);
        Harness.checkReport(r);
        for (int i = 0; i < 2_000; i++) {
            assertEquals(1, seen.get(i), "batch " + i + " processed " + seen.get(i) + " times");
        }
        assertEquals(StopReason.COMPLETED, r.reason());
        assertEquals(2_000, r.produced());
        assertEquals(2_000, r.processed());
        assertTrue(r.isClean(), r::toString);
        assertFalse(r.halted());
        assertTrue(h.threads.stream().noneMatch(Thread::isAlive), "a pipeline thread outlived close");
    }

    @Test
    @DisplayName("Threads come from the injected factory and are named leakproof-pipeline-<name>-worker-<n>")
    void shouldNameThreadsAndUseInjectedFactoryWhenStarted() throws InterruptedException {
        Set<String> workerThreads = ConcurrentHashMap.newKeySet();
        CountDownLatch bothBusy = new CountDownLatch(2);
        Pipeline<Integer> p = h.track(h.<Integer>builder("names").source(range(2).iterator())
                .worker(i -> {
                    workerThreads.add(Thread.currentThread().getName());
                    bothBusy.countDown();
                    bothBusy.await();
                }).workers(2).routing(Routing.roundRobin()).build().start());
        assertTrue(p.awaitCompletion(Harness.LIMIT));
        assertEquals(Set.of("leakproof-pipeline-names-worker-0", "leakproof-pipeline-names-worker-1"), workerThreads);
        assertEquals(3, h.threads.size(), "2 workers and a producer, all from the factory");
        h.thread("names-producer");
    }

    @Test
    void shouldReadBatchesFromSpliteratorAndFromSupplierWhenGiven() throws InterruptedException {
        List<Integer> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        Pipeline<Integer> fromSpliterator = h.track(h.<Integer>builder("spliterator")
                .source(List.of(1, 2, 3).spliterator()).worker(got::add).workers(1).build().start());
        assertTrue(fromSpliterator.awaitCompletion(Harness.LIMIT));
        AtomicInteger next = new AtomicInteger();
        Pipeline<Integer> fromSupplier = h.track(h.<Integer>builder("supplier")
                .source(() -> next.get() < 3 ? 10 + next.getAndIncrement() : null).worker(got::add).workers(1)
                .build().start());
        assertTrue(fromSupplier.awaitCompletion(Harness.LIMIT));
        assertEquals(List.of(1, 2, 3, 10, 11, 12), got);
    }

    @Test
    void shouldSendEqualKeysToOneWorkerWhenRoutedByKey() throws InterruptedException {
        Map<Integer, Set<String>> threadsByKey = new ConcurrentHashMap<>();
        Pipeline<Integer> p = h.track(h.<Integer>builder("keys").source(range(300).iterator())
                .worker(i -> threadsByKey.computeIfAbsent(i % 5, k -> ConcurrentHashMap.newKeySet())
                        .add(Thread.currentThread().getName()))
                .workers(3).queueCapacity(2).routing(Routing.byKey(i -> i % 5)).build().start());
        assertTrue(p.awaitCompletion(Harness.LIMIT));
        assertEquals(5, threadsByKey.size());
        threadsByKey.forEach((key, names) -> assertEquals(1, names.size(), "key " + key + " went to " + names));
    }

    // ---------------------------------------------------------------- P1: stop flag

    @Test
    @DisplayName("P1: once the producer observes a stop request it hands no further batch to a queue")
    void shouldHandNoFurtherBatchWhenProducerHasObservedStop() throws InterruptedException {
        AtomicInteger taken = new AtomicInteger();
        List<Integer> processed = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicReference<Pipeline<Integer>> self = new AtomicReference<>();
        // The source itself requests the stop while it produces batch 5, so the producer's next
        // check (before handing batch 5 over) is sure to observe it.
        Pipeline<Integer> p = h.track(h.<Integer>builder("p1").source(() -> {
            int i = taken.getAndIncrement();
            if (i == 5) {
                self.get().requestStop();
            }
            return i;
        }).worker(processed::add).workers(2).queueCapacity(100).build());
        self.set(p);
        p.start();
        assertTrue(p.awaitCompletion(Harness.LIMIT));
        ShutdownReport r = p.close(Harness.LIMIT);
        Harness.checkReport(r);
        assertEquals(6, taken.get(), "the source must not be read after the stop was observed");
        assertEquals(Set.of(0, 1, 2, 3, 4), new HashSet<>(processed), "P1: batch 5 was handed over after the stop");
        assertEquals(List.of(5), h.discards);
        assertEquals(1, h.discarded(DiscardReason.STOPPED));
        assertEquals(StopReason.STOP_REQUESTED, r.reason());
        assertEquals(6, r.produced());
        assertEquals(5, p.queue(0).metrics().accepted(), "P1: the queue accepted a batch after the stop");
    }

    @Test
    @DisplayName("P1: an emergency stop wakes a producer blocked on a full queue, which discards its batch")
    void shouldWakeBlockedProducerAndDiscardItsBatchWhenStopRequested() throws InterruptedException {
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger taken = new AtomicInteger();
        Pipeline<Integer> p = h.track(h.<Integer>builder("blocked").source(taken::getAndIncrement)
                .worker(i -> gate.await()).workers(1).queueCapacity(2)
                // Far longer than the test: only the stop can wake the producer in time.
                .offerTimeout(Duration.ofMinutes(5)).build().start());
        Thread producer = h.thread("blocked-producer");
        // Worker holds batch 0, the queue holds 1 and 2, the producer blocks offering 3.
        Await.until("producer blocked on the full queue", Harness.LIMIT,
                () -> taken.get() == 4 && p.queue(0).size() == 2 && isParked(producer));
        assertTrue(p.requestStop());
        assertFalse(p.requestStop(), "the first stop wins");
        Await.until("blocked producer to discard its batch", Harness.LIMIT, () -> h.discards.size() == 1);
        Await.ended(producer, Harness.LIMIT);
        assertEquals(List.of(3), h.discards);
        assertEquals(4, taken.get(), "P1: the source was read after the stop");
        assertEquals(PipelineState.DRAINING, p.state());
        gate.countDown();
        assertTrue(p.awaitCompletion(Harness.LIMIT));
        ShutdownReport r = p.close(Harness.LIMIT);
        Harness.checkReport(r);
        assertEquals(StopReason.STOP_REQUESTED, r.reason());
        assertEquals(4, r.produced());
        assertEquals(3, r.processed(), "the workers drain what was queued before the stop");
        assertEquals(1, r.discarded());
        assertTrue(r.drained() >= 2, "batches 1 and 2 were processed while draining: " + r);
    }

    private static boolean isParked(Thread t) {
        Thread.State s = t.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
    }

    @Test
    @DisplayName("Backpressure: on offer timeout the producer re-checks the stop flag and retries")
    void shouldRetryOfferWhenItTimesOutAndNoStopWasRequested() throws InterruptedException {
        CountDownLatch gate = new CountDownLatch(1);
        Pipeline<Integer> p = h.track(h.<Integer>builder("retry").source(range(5).iterator())
                .worker(i -> gate.await()).workers(1).queueCapacity(1)
                .offerTimeout(Duration.ofMillis(5)).build().start());
        Await.until("several timed-out offers", Harness.LIMIT, () -> p.metrics().offerTimeouts() >= 3);
        assertTrue(p.stopReason().isEmpty(), "a timeout is not a stop");
        gate.countDown();
        assertTrue(p.awaitCompletion(Harness.LIMIT));
        ShutdownReport r = p.close(Harness.LIMIT);
        assertEquals(5, r.processed(), "no batch is lost to a timed-out offer: " + r);
        assertEquals(0, r.discarded());
        assertTrue(r.offerTimeouts() >= 3);
    }

    // ---------------------------------------------------------------- failures

    @Test
    @DisplayName("Fail-fast: a worker exception stops the pipeline, and the report holds it")
    void shouldStopWithWorkerFailedWhenWorkerThrowsUnderFailFast() throws InterruptedException {
        IllegalStateException boom = new IllegalStateException("boom");
        AtomicInteger taken = new AtomicInteger();
        Pipeline<Integer> p = h.track(h.<Integer>builder("failfast").source(taken::getAndIncrement)
                .worker(i -> {
                    if (i == 3) {
                        throw boom;
                    }
                }).workers(2).queueCapacity(2).failurePolicy(FailurePolicy.FAIL_FAST).build().start());
        assertTrue(p.awaitCompletion(Harness.LIMIT), "an endless source must stop after the failure");
        ShutdownReport r = p.close(Harness.LIMIT);
        Harness.checkReport(r);
        assertEquals(StopReason.WORKER_FAILED, r.reason());
        assertSame(boom, r.cause());
        assertSame(boom, p.firstFailure().orElseThrow());
        assertEquals(1, r.failed());
        assertEquals(taken.get(), r.produced());
    }

    @Test
    @DisplayName("Continue: worker exceptions are counted and reported, the pipeline carries on")
    void shouldCountFailuresAndCarryOnWhenWorkerThrowsUnderContinue() throws InterruptedException {
        Pipeline<Integer> p = h.track(h.<Integer>builder("continue").source(range(100).iterator())
                .worker(i -> {
                    if (i % 2 == 1) {
                        throw new java.io.IOException("odd " + i);
                    }
                }).workers(2).queueCapacity(3).failurePolicy(FailurePolicy.CONTINUE).build().start());
        assertTrue(p.awaitCompletion(Harness.LIMIT));
        ShutdownReport r = p.close(Harness.LIMIT);
        Harness.checkReport(r);
        assertEquals(StopReason.COMPLETED, r.reason());
        assertEquals(100, r.produced());
        assertEquals(50, r.processed());
        assertEquals(50, r.failed());
        assertTrue(p.firstFailure().orElseThrow() instanceof java.io.IOException);
        assertFalse(r.isClean());
    }

    @Test
    @DisplayName("A source exception stops the pipeline; what was produced is still processed")
    void shouldStopWithSourceFailedWhenSourceThrows() throws InterruptedException {
        UncheckedIOException broken = new UncheckedIOException(new java.io.IOException("disk gone"));
        AtomicInteger taken = new AtomicInteger();
        Pipeline<Integer> p = h.track(h.<Integer>builder("source-fails").source(() -> {
            int i = taken.getAndIncrement();
            if (i == 4) {
                throw broken;
            }
            return i;
        }).worker(i -> { }).workers(2).build().start());
        assertTrue(p.awaitCompletion(Harness.LIMIT));
        ShutdownReport r = p.close(Harness.LIMIT);
        Harness.checkReport(r);
        assertEquals(StopReason.SOURCE_FAILED, r.reason());
        assertSame(broken, r.cause());
        assertEquals(5, taken.get(), "the source is not read again after it threw");
        assertEquals(4, r.produced());
        assertEquals(4, r.processed());
    }

    @Test
    void shouldStopAndDiscardBatchAsUnroutableWhenKeyFunctionThrows() throws InterruptedException {
        Pipeline<Integer> p = h.track(h.<Integer>builder("bad-key").source(range(10).iterator())
                .worker(i -> { }).workers(2)
                .routing(Routing.byKey(i -> {
                    if (i == 2) {
                        throw new IllegalArgumentException("no key for 2");
                    }
                    return i;
                })).build().start());
        assertTrue(p.awaitCompletion(Harness.LIMIT));
        ShutdownReport r = p.close(Harness.LIMIT);
        Harness.checkReport(r);
        assertEquals(StopReason.SOURCE_FAILED, r.reason());
        assertEquals(List.of(2), h.discards);
        assertEquals(1, h.discarded(DiscardReason.UNROUTABLE));
        assertEquals(2, r.processed());
    }

    // ---------------------------------------------------------------- memory guard

    @Test
    @DisplayName("Memory guard: an injected heap reading at the watermark stops the pipeline, reason recorded")
    void shouldStopWithMemoryLimitWhenInjectedHeapReadingCrossesWatermark() throws InterruptedException {
        AtomicLong heapUsed = new AtomicLong(100);
        AtomicLong clock = new AtomicLong();
        AtomicInteger taken = new AtomicInteger();
        CountDownLatch fiftyTaken = new CountDownLatch(50);
        Pipeline<Integer> p = h.track(h.<Integer>builder("guarded").source(() -> {
            fiftyTaken.countDown();
            return taken.getAndIncrement();
        }).worker(i -> { }).workers(2).queueCapacity(4).clock(clock::get)
                .memoryGuard(MemoryGuard.heapLimit(1_000).reading(heapUsed::get).checkInterval(Duration.ofSeconds(1)))
                .build().start());
        assertTrue(fiftyTaken.await(Harness.LIMIT.toMillis(), TimeUnit.MILLISECONDS));
        assertTrue(p.stopReason().isEmpty(), "below the watermark nothing stops");
        assertEquals(100, p.metrics().lastHeapReading());
        heapUsed.set(1_000);
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertTrue(p.awaitCompletion(Harness.LIMIT), "the guard must stop an endless source");
        ShutdownReport r = p.close(Harness.LIMIT);
        Harness.checkReport(r);
        assertEquals(StopReason.MEMORY_LIMIT, r.reason());
        assertTrue(r.detail().contains("1000 bytes >= limit 1000 bytes"), r.detail());
        assertEquals(r.produced(), taken.get(), "the source was read after the guard tripped");
    }

    @Test
    void shouldReadPostGcHeapWhenNoReadingIsInjected() {
        long used = MemoryGuard.postGcHeapUsed();
        assertTrue(used >= 0 && used <= Runtime.getRuntime().maxMemory() || Runtime.getRuntime().maxMemory() == Long.MAX_VALUE,
                "implausible heap reading " + used);
        assertTrue(MemoryGuard.heapFraction(0.5).limitBytes() > 0);
    }

    // ---------------------------------------------------------------- close, halting, P2

    @Test
    @DisplayName("P2: close returns within timeout plus grace and names a worker that ignores interrupts, with its stack")
    void shouldReportStuckWorkerWithinTimeoutWhenWorkerIgnoresInterrupts() {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch busy = new CountDownLatch(1);
        Pipeline<Integer> p = h.track(h.<Integer>builder("stuck").source(range(10).iterator())
                .worker(i -> {
                    busy.countDown();
                    awaitIgnoringInterrupts(gate);
                }).workers(1).queueCapacity(2).grace(Duration.ofMillis(200)).build().start());
        try {
            Await.until("worker busy", Harness.LIMIT, () -> busy.getCount() == 0);
            // The producer fills the queue behind the stuck worker (it may still be on its way on a slow JVM).
            Await.until("queue full", Harness.LIMIT, () -> p.metrics().queued() == 2);
            long t0 = System.nanoTime();
            ShutdownReport r = p.close(Duration.ofMillis(200));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertTrue(took.compareTo(Duration.ofMillis(400 + 2_000)) < 0, "P2: close took " + took);
            Harness.checkReport(r);
            assertTrue(r.halted());
            assertEquals(1, r.stuckThreads().size(), r::toString);
            StuckThread stuck = r.stuckThreads().get(0);
            assertEquals("leakproof-pipeline-stuck-worker-0", stuck.name());
            assertTrue(stuck.stack().stream().anyMatch(f -> f.getMethodName().contains("awaitIgnoringInterrupts")),
                    () -> "the stack should show where the worker is stuck: " + stuck);
            assertEquals(1, r.abandoned(), "the stuck worker's batch counts as failed and abandoned");
            assertEquals(1, r.failed());
            assertTrue(r.discarded() >= 2, "the queued batches are discarded when halting: " + r);
            assertSame(r, p.close(Duration.ofMillis(1)), "close is idempotent");
            assertTrue(h.threads.stream().filter(Thread::isAlive).allMatch(t -> t.getName().equals(stuck.name())),
                    "P2: only threads named in the report may still run");
        } finally {
            gate.countDown();
        }
        // The zombie finishes its batch later: the report does not change, and it counts nothing twice.
        Await.ended(h.thread("stuck-worker-0"), Harness.LIMIT);
        assertEquals(1, p.report().orElseThrow().failed());
        assertEquals(0, p.metrics().processed(), "an abandoned batch must not also count as processed");
    }

    @Test
    @DisplayName("P2: a producer stuck in its source, ignoring interrupts, is named in the report; P3 still holds")
    void shouldReportStuckProducerWithinTimeoutWhenSourceIgnoresInterrupts() {
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger taken = new AtomicInteger();
        Pipeline<Integer> p = h.track(h.<Integer>builder("stuck-source").source(() -> {
            if (taken.getAndIncrement() == 3) {
                awaitIgnoringInterrupts(gate);
                return null;
            }
            return taken.get();
        }).worker(i -> { }).workers(1).grace(Duration.ofMillis(100)).build().start());
        try {
            Await.until("source stuck", Harness.LIMIT, () -> taken.get() == 4 && p.metrics().processed() == 3);
            long t0 = System.nanoTime();
            ShutdownReport r = p.close(Duration.ofMillis(100));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertTrue(took.compareTo(Duration.ofMillis(200 + 2_000)) < 0, "P2: close took " + took);
            Harness.checkReport(r);
            assertEquals(List.of("leakproof-pipeline-stuck-source-producer"),
                    r.stuckThreads().stream().map(StuckThread::name).toList());
            assertEquals(StopReason.CLOSED, r.reason());
            assertEquals(3, r.produced());
            assertEquals(3, r.processed());
            assertEquals(0, r.abandoned(), "a producer stuck in the source holds no batch");
        } finally {
            gate.countDown();
        }
        Await.ended(h.thread("stuck-source-producer"), Harness.LIMIT);
        PipelineMetrics m = p.metrics();
        assertEquals(3, m.produced(), "the resumed producer's end of source adds nothing");
        assertEquals(m.produced(), m.processed() + m.failed() + m.discarded(), m::toString);
    }

    @Test
    @DisplayName("An interrupt from outside fails the batch it lands in; the queued batches are still drained")
    void shouldFailBatchAndKeepDrainingWhenWorkerIsInterruptedByOthers() throws InterruptedException {
        CountDownLatch gate = new CountDownLatch(1);
        Pipeline<Integer> p = h.track(h.<Integer>builder("foreign-interrupt").source(range(3).iterator())
                .worker(i -> {
                    if (i == 0) {
                        gate.await();
                    }
                }).workers(1).queueCapacity(5).build().start());
        Thread worker = h.thread("foreign-interrupt-worker-0");
        Await.until("worker blocked in its batch", Harness.LIMIT, () -> isParked(worker) && p.metrics().queued() == 2);
        worker.interrupt();
        assertTrue(p.awaitCompletion(Harness.LIMIT));
        ShutdownReport r = p.close(Harness.LIMIT);
        Harness.checkReport(r);
        assertEquals(StopReason.COMPLETED, r.reason(), "the source had ended before the failure: the first stop wins");
        assertTrue(p.firstFailure().orElseThrow() instanceof InterruptedException);
        assertEquals(1, r.failed(), "batch 0 was interrupted: " + r);
        assertEquals(2, r.processed(), "the queued batches are still drained");
    }

    @Test
    void shouldStartNothingWhenMonitorAlreadyWatchesTheQueueNames() {
        try (QueueMonitor monitor = QueueMonitor.builder().interval(Duration.ofHours(1)).build()) {
            CountDownLatch gate = new CountDownLatch(1);
            Pipeline<Integer> first = h.track(h.<Integer>builder("twin").source(range(1).iterator())
                    .worker(i -> gate.await()).workers(2).routing(Routing.roundRobin()).monitor(monitor).build().start());
            Pipeline<Integer> second = h.track(h.<Integer>builder("twin").source(range(1).iterator())
                    .worker(i -> { }).workers(3).routing(Routing.roundRobin()).monitor(monitor).build());
            int before = h.threads.size();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, second::start);
            assertTrue(e.getMessage().contains("twin-queue-0"), e.getMessage());
            assertEquals(PipelineState.NEW, second.state());
            assertTrue(h.threads.subList(before, h.threads.size()).stream().allMatch(t -> t.getState() == Thread.State.NEW));
            assertEquals(2, monitor.sampleNow().size(), "the failed start left the first pipeline's queues watched, and only them");
            gate.countDown();
            first.close(Harness.LIMIT);
        }
    }

    @Test
    @DisplayName("HALTING: when the drain timeout passes, workers are interrupted and queued batches discarded")
    void shouldInterruptWorkersAndDiscardQueuedBatchesWhenDrainTimeoutPasses() throws InterruptedException {
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger taken = new AtomicInteger();
        Pipeline<Integer> p = h.track(h.<Integer>builder("halt").source(taken::getAndIncrement)
                .worker(i -> never.await()).workers(2).queueCapacity(3).routing(Routing.roundRobin())
                .offerTimeout(Duration.ofMinutes(5)).build().start());
        Await.until("queues full and producer blocked", Harness.LIMIT,
                () -> p.metrics().queued() == 6 && p.metrics().inFlight() == 2 && isParked(h.thread("halt-producer")));
        ShutdownReport r = p.close(Duration.ofMillis(50));
        Harness.checkReport(r);
        assertEquals(StopReason.CLOSED, r.reason());
        assertTrue(r.halted());
        assertTrue(r.stuckThreads().isEmpty(), r::toString);
        assertEquals(2, r.failed(), "the interrupted workers' batches failed (InterruptedException)");
        assertEquals(0, r.abandoned());
        assertEquals(6, h.discarded(DiscardReason.HALTED), "every queued batch reaches the listener once");
        assertEquals(1, h.discarded(DiscardReason.STOPPED), "the producer's blocked batch");
        assertEquals(taken.get(), r.produced());
        assertEquals(Set.copyOf(h.discards).size(), h.discards.size(), "a batch was discarded twice");
        assertFalse(r.halting().isNegative());
    }

    @Test
    void shouldReturnSameReportWhenClosedTwice() throws InterruptedException {
        Pipeline<Integer> p = h.track(h.<Integer>builder("twice").source(range(3).iterator()).worker(i -> { })
                .workers(1).build().start());
        assertTrue(p.awaitCompletion(Harness.LIMIT));
        ShutdownReport first = p.close(Harness.LIMIT);
        p.close();
        assertSame(first, p.close(Harness.LIMIT));
        assertSame(first, p.report().orElseThrow());
    }

    @Test
    void shouldReportNotStartedWhenClosedBeforeStart() {
        Pipeline<Integer> p = h.track(h.<Integer>builder("unstarted").source(range(3).iterator()).worker(i -> { }).build());
        ShutdownReport r = p.close(Harness.LIMIT);
        assertEquals(StopReason.NOT_STARTED, r.reason());
        assertEquals(0, r.produced());
        assertEquals(Duration.ZERO, r.total());
        assertTrue(h.threads.isEmpty());
    }

    @Test
    void shouldMeasureDurationsWithInjectedClockWhenClosed() throws InterruptedException {
        AtomicLong clock = new AtomicLong(1_000);
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch sourceEnds = new CountDownLatch(1);
        AtomicInteger taken = new AtomicInteger();
        Pipeline<Integer> p = h.track(h.<Integer>builder("timed").source(() -> {
            if (taken.getAndIncrement() < 3) {
                return taken.get();
            }
            sourceEnds.await();
            return null;
        }).worker(i -> gate.await()).workers(1).clock(clock::get).build().start());
        Await.until("source read", Harness.LIMIT, () -> taken.get() == 4);
        clock.addAndGet(Duration.ofSeconds(7).toNanos());
        sourceEnds.countDown();
        Await.until("source ended", Harness.LIMIT, () -> p.state() == PipelineState.DRAINING);
        clock.addAndGet(Duration.ofSeconds(2).toNanos());
        gate.countDown();
        assertTrue(p.awaitCompletion(Harness.LIMIT));
        ShutdownReport r = p.close(Harness.LIMIT);
        assertEquals(Duration.ofSeconds(9), r.total());
        assertEquals(Duration.ofSeconds(7), r.running());
        assertEquals(Duration.ofSeconds(2), r.draining());
        assertEquals(Duration.ZERO, r.halting());
    }

    // ---------------------------------------------------------------- observation

    @Test
    void shouldSnapshotDepthsInFlightAndCountersWhileRunning() {
        CountDownLatch gate = new CountDownLatch(1);
        Pipeline<Integer> p = h.track(h.<Integer>builder("metrics").source(range(100).iterator())
                .worker(i -> gate.await()).workers(2).queueCapacity(5).routing(Routing.roundRobin())
                .build().start());
        try {
            Await.until("queues full", Harness.LIMIT, () -> p.metrics().queued() == 10 && p.metrics().inFlight() == 2);
            PipelineMetrics m = p.metrics();
            assertEquals(PipelineState.RUNNING, m.state());
            assertEquals(List.of(5, 5), m.queueDepths());
            assertEquals(5, m.queueCapacity());
            assertEquals(13, m.produced(), "10 queued, 2 in flight, 1 in the producer's hand");
            assertEquals(0, m.processed());
            assertEquals(null, m.stopReason());
        } finally {
            gate.countDown();
        }
    }

    @Test
    void shouldRegisterQueuesWithMonitorWhileRunning() throws InterruptedException {
        CountDownLatch gate = new CountDownLatch(1);
        try (QueueMonitor monitor = QueueMonitor.builder().interval(Duration.ofHours(1)).build()) {
            Pipeline<Integer> p = h.track(h.<Integer>builder("watched").source(range(20).iterator())
                    .worker(i -> gate.await()).workers(2).queueCapacity(4).routing(Routing.roundRobin())
                    .monitor(monitor).build().start());
            Await.until("workers busy and queues full", Harness.LIMIT,
                    () -> p.metrics().inFlight() == 2 && p.metrics().queued() == 8);
            List<Sample> samples = monitor.sampleNow();
            assertEquals(Set.of("watched-queue-0", "watched-queue-1"),
                    samples.stream().map(Sample::source).collect(java.util.stream.Collectors.toSet()));
            assertTrue(samples.stream().allMatch(s -> s.utilisation() == 1.0));
            gate.countDown();
            assertTrue(p.awaitCompletion(Harness.LIMIT));
            p.close(Harness.LIMIT);
            assertTrue(monitor.sampleNow().isEmpty(), "close unregisters the queues");
        } finally {
            gate.countDown();
        }
    }

    @Test
    void shouldCountDiscardListenerFailuresAndStillCountTheBatchWhenListenerThrows() throws InterruptedException {
        AtomicBoolean called = new AtomicBoolean();
        AtomicReference<Pipeline<Integer>> self = new AtomicReference<>();
        Pipeline<Integer> p = h.track(Pipeline.<Integer>builder().name("bad-listener").threadFactory(h)
                .source(() -> {
                    self.get().requestStop();
                    return 1;
                }).worker(i -> { }).workers(1)
                .discardListener((b, reason) -> {
                    called.set(true);
                    throw new IllegalStateException("listener broke");
                }).build());
        self.set(p);
        p.start();
        assertTrue(p.awaitCompletion(Harness.LIMIT));
        ShutdownReport r = p.close(Harness.LIMIT);
        assertTrue(called.get());
        assertEquals(1, r.discarded());
        assertEquals(1, r.listenerFailures());
        Harness.checkReport(r);
    }

    @Test
    @DisplayName("P3: produced = processed + failed + discarded in every report, whenever the pipeline is stopped, closed or halted")
    void shouldKeepEveryReportConservedWhenStoppedAtRandomPoints() throws InterruptedException {
        for (int round = 0; round < 20; round++) {
            AtomicInteger taken = new AtomicInteger();
            int stopAt = 50 + round * 37;
            // Every third round halts: the workers then block (interruptibly) once the stop point is passed.
            boolean halting = round % 3 == 2;
            CountDownLatch released = new CountDownLatch(1);
            AtomicInteger blocked = new AtomicInteger();
            Pipeline<Integer> p = h.track(h.<Integer>builder("conserve-" + round).source(taken::getAndIncrement)
                    .worker(i -> {
                        if (halting && i >= stopAt) {
                            blocked.incrementAndGet();
                            if (!released.await(Harness.LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                                throw new AssertionError("never released");
                            }
                        }
                        if (i % 13 == 0) {
                            throw new IllegalStateException("unlucky " + i);
                        }
                    }).workers(3).queueCapacity(2).failurePolicy(FailurePolicy.CONTINUE)
                    .routing(round % 2 == 0 ? Routing.shared() : Routing.roundRobin()).build().start());
            Await.until("some progress", Harness.LIMIT, () -> taken.get() >= stopAt);
            if (round % 3 == 0) {
                p.requestStop();
            }
            ShutdownReport r;
            try {
                if (halting) {
                    Await.until("a worker blocked", Harness.LIMIT, () -> blocked.get() > 0);
                }
                r = p.close(halting ? Duration.ofMillis(20) : Harness.LIMIT);
            } finally {
                released.countDown();
            }
            Harness.checkReport(r);
            assertEquals(halting, r.halted(), r::toString);
            assertTrue(r.stuckThreads().isEmpty(), r::toString);
            assertEquals(r.discarded(), h.discards.size(), "every discarded batch reached the listener once");
            h.discards.clear();
            h.discardsByReason.clear();
        }
    }
}

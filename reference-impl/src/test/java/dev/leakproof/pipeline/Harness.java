package dev.leakproof.pipeline;

import dev.leakproof.testing.Await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every pipeline test shares: a thread factory that remembers the threads it made, a discard
 * listener that remembers what it got, and the after-test checks (Caffeine's validation idea):
 * every pipeline closed, its report conserving batches (P3), and every thread ended.
 */
final class Harness implements ThreadFactory {

    /** Bounds every wait of a test: generous, since the machine is small and shared. */
    static final Duration LIMIT = Duration.ofSeconds(10);

    final List<Thread> threads = new CopyOnWriteArrayList<>();
    final List<Object> discards = new CopyOnWriteArrayList<>();
    final Map<DiscardReason, AtomicInteger> discardsByReason = new ConcurrentHashMap<>();
    private final List<Pipeline<?>> pipelines = new ArrayList<>();

    @Override
    public Thread newThread(Runnable r) {
        Thread t = new Thread(r);
        t.setDaemon(true);
        threads.add(t);
        return t;
    }

    <T> DiscardListener<T> discardListener() {
        return (batch, reason) -> {
            discards.add(batch);
            discardsByReason.computeIfAbsent(reason, k -> new AtomicInteger()).incrementAndGet();
        };
    }

    int discarded(DiscardReason reason) {
        AtomicInteger n = discardsByReason.get(reason);
        return n == null ? 0 : n.get();
    }

    /** A builder wired to this harness: its thread factory and discard listener, short timeouts. */
    <T> Pipeline.Builder<T> builder(String name) {
        return Pipeline.<T>builder().name(name).threadFactory(this).discardListener(discardListener())
                .offerTimeout(Duration.ofSeconds(5)).drainTimeout(LIMIT).grace(Duration.ofSeconds(2));
    }

    <T> Pipeline<T> track(Pipeline<T> p) {
        pipelines.add(p);
        return p;
    }

    Thread thread(String suffix) {
        for (Thread t : threads) {
            if (t.getName().endsWith(suffix)) {
                return t;
            }
        }
        throw new AssertionError("no thread named *" + suffix + " in " + threads);
    }

    /** P3 and the subset relations, on any report. */
    static void checkReport(ShutdownReport r) {
        assertEquals(r.produced(), r.processed() + r.failed() + r.discarded(),
                () -> "P3: produced != processed + failed + discarded in " + r);
        assertTrue(r.isConserved(), r::toString);
        assertTrue(r.drained() >= 0 && r.drained() <= r.processed(), () -> "drained not a part of processed in " + r);
        assertTrue(r.abandoned() >= 0 && r.abandoned() <= r.failed(), () -> "abandoned not a part of failed in " + r);
    }

    /** After each test: close what is open, check every report, join every thread with a bound. */
    void tearDown() {
        for (Pipeline<?> p : pipelines) {
            ShutdownReport r = p.close(LIMIT);
            checkReport(r);
            assertEquals(PipelineState.TERMINATED, p.state());
        }
        for (Thread t : threads) {
            Await.ended(t, LIMIT);
        }
    }

    static Iterable<Integer> range(int n) {
        return () -> IntStream.range(0, n).iterator();
    }

    /** A worker that waits for the test to open {@code gate}, whatever interrupts it gets meanwhile. */
    static void awaitIgnoringInterrupts(CountDownLatch gate) {
        boolean interrupted = false;
        while (true) {
            try {
                if (gate.await(Harness.LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    break;
                }
                throw new AssertionError("gate never opened");
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

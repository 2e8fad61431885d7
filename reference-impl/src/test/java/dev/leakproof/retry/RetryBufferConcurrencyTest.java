package dev.leakproof.retry;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real concurrency, bounded in time and counted: adders, synchronous and asynchronous processors
 * and a thread that runs cleanup and checks R1/R3 on every snapshot, over a fixed set of items.
 * At the end every item has left through exactly one exit (R1, R2) and none was attempted more
 * than {@code maxAttempts} times (R2).
 */
@Timeout(120)
class RetryBufferConcurrencyTest extends RetryBufferTestSupport {

    private static final int ADDERS = 3;
    private static final int PER_ADDER = 20_000;
    private static final int ITEMS = ADDERS * PER_ADDER;
    private static final int MAX_ATTEMPTS = 3;
    private static final int BATCH = 50;
    private static final int CAPACITY = 1000;

    /** An item with its index, so that per-item counters need no map; identity-distinct by construction. */
    private record Item(int id) {
    }

    /**
     * @param tickNanos {@code 0}: the real clock and a 1 h in-flight timeout, so no batch goes stale;
     *                  otherwise a clock that advances by this much on every read and a 1 ms timeout,
     *                  so that stale reclaims race with completions (without any sleep)
     */
    @ParameterizedTest(name = "clock tick {0} ns")
    @ValueSource(longs = {0L, 100_000L})
    @DisplayName("R1, R2, R3 under concurrent adders, processors and cleanup: every item leaves through exactly one exit")
    void shouldConserveEveryItemExactlyWhenAddersProcessorsAndCleanupRunConcurrently(long tickNanos) throws Exception {
        boolean stale = tickNanos > 0;
        AtomicLong ticking = new AtomicLong();
        DeadLetters<Item> letters = new DeadLetters<>();
        RetryBuffer<Item> buffer = track(RetryBuffer.<Item>builder()
                .name("concurrent")
                .clock(stale ? () -> ticking.addAndGet(tickNanos) : System::nanoTime)
                .maxBufferSize(CAPACITY)
                .maxAttempts(MAX_ATTEMPTS)
                .maxAge(Duration.ofHours(1))
                .inFlightTimeout(stale ? Duration.ofMillis(1) : Duration.ofHours(1))
                .backoff(BackoffPolicy.none())
                .periodicCleanup(false)
                .deadLetterListener(letters)
                .build(), letters);

        // In the stale variant about one batch in eight "takes 2 ms": it moves the clock past the
        // in-flight timeout while its processor runs and then runs cleanup(), as the periodic cleanup
        // would. That reclaims this batch (its completion is then late) and, racing with the other
        // processors, any of their batches that are past the deadline too: either way each item must
        // still leave through exactly one exit.
        Runnable slow = () -> {
            if (stale && ThreadLocalRandom.current().nextInt(8) == 0) {
                ticking.addAndGet(Duration.ofMillis(2).toNanos());
                buffer.cleanup();
            }
        };
        AtomicIntegerArray attempts = new AtomicIntegerArray(ITEMS);
        AtomicIntegerArray succeededExits = new AtomicIntegerArray(ITEMS);
        AtomicLong snapshots = new AtomicLong();
        AtomicBoolean addersDone = new AtomicBoolean();
        AtomicBoolean processorsDone = new AtomicBoolean();
        ExecutorService threads = Executors.newFixedThreadPool(ADDERS + 4);
        ExecutorService asyncCompleter = Executors.newSingleThreadExecutor();
        try {
            List<Future<?>> adders = new ArrayList<>();
            for (int a = 0; a < ADDERS; a++) {
                int from = a * PER_ADDER;
                adders.add(threads.submit(() -> {
                    for (int i = from; i < from + PER_ADDER; i++) {
                        // Back off near capacity so that most items reach a processor; failed items
                        // returning to a full buffer (and a few adds) still evict.
                        while (i % 100 != 0 && buffer.size() > CAPACITY - 50) {
                            Thread.yield();
                        }
                        buffer.add(new Item(i));
                    }
                }));
            }
            List<Future<?>> processors = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                processors.add(threads.submit(() -> {
                    while (!finished(buffer, addersDone)) {
                        List<Item> succeeded = new ArrayList<>();
                        BatchOutcome outcome = buffer.process(BATCH, batch -> decide(batch, attempts, succeeded, slow));
                        recordIfApplied(outcome, succeeded, succeededExits);
                        if (outcome.status() == BatchOutcome.Status.EMPTY) {
                            Thread.yield();
                        }
                    }
                    return null;
                }));
            }
            processors.add(threads.submit(() -> {
                while (!finished(buffer, addersDone)) {
                    List<Item> succeeded = new ArrayList<>();
                    BatchOutcome outcome = buffer.processAsync(BATCH, batch ->
                            CompletableFuture.supplyAsync(() -> decide(batch, attempts, succeeded, slow), asyncCompleter))
                            .toCompletableFuture().get(30, TimeUnit.SECONDS);
                    recordIfApplied(outcome, succeeded, succeededExits);
                    if (outcome.status() == BatchOutcome.Status.EMPTY) {
                        Thread.yield();
                    }
                }
                return null;
            }));
            Future<?> monitor = threads.submit(() -> {
                while (!processorsDone.get()) {
                    RetryBufferHealth h = buffer.health().checkInvariants(); // R1 and R3 at every observation
                    assertTrue(h.size() <= CAPACITY, "R3");
                    snapshots.incrementAndGet();
                    buffer.cleanup();
                    Thread.yield();
                }
                return null;
            });

            for (Future<?> f : adders) {
                f.get(60, TimeUnit.SECONDS);
            }
            addersDone.set(true);
            for (Future<?> f : processors) {
                f.get(60, TimeUnit.SECONDS);
            }
            processorsDone.set(true);
            monitor.get(30, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
            asyncCompleter.shutdownNow();
            assertTrue(threads.awaitTermination(30, TimeUnit.SECONDS));
            assertTrue(asyncCompleter.awaitTermination(30, TimeUnit.SECONDS));
        }

        RetryBufferHealth h = checked(buffer);
        assertEquals(ITEMS, h.added());
        assertEquals(0, h.size());
        assertEquals(0, h.inFlightItems());
        assertTrue(snapshots.get() > 0);

        int[] exits = new int[ITEMS];
        long succeeded = 0;
        for (int i = 0; i < ITEMS; i++) {
            exits[i] += succeededExits.get(i);
            succeeded += succeededExits.get(i);
            assertTrue(attempts.get(i) <= MAX_ATTEMPTS, "R2: item " + i + " attempted " + attempts.get(i) + " times");
        }
        for (Abandoned<Item> a : letters.all) {
            exits[a.item().id()]++;
            assertTrue(a.attempts() <= MAX_ATTEMPTS, "R2");
        }
        for (int i = 0; i < ITEMS; i++) {
            assertEquals(1, exits[i], "R1/R2: item " + i + " left through exactly one exit (succeeded or abandoned)");
        }
        assertEquals(succeeded, h.succeeded(), "succeeded counter matches the applied successes");
        assertEquals(letters.all.size(), h.abandonedTotal(), "every abandoned item reached the listener once");
        assertEquals(ITEMS, h.succeeded() + h.abandonedTotal(), "R1 when quiescent");
        assertTrue(h.succeeded() > ITEMS / 2, "most items reached a processor and succeeded: " + h);
        assertTrue(h.abandoned(AbandonReason.MAX_ATTEMPTS) > 0, "some items used up their attempts: " + h);
        if (stale) {
            assertTrue(h.reclaimedBatches() > 0, "stale reclaims raced with completions: " + h);
        } else {
            assertEquals(0, h.lateCompletions());
            assertEquals(0, h.reclaimedBatches());
        }
    }

    private static boolean finished(RetryBuffer<Item> buffer, AtomicBoolean addersDone) {
        if (!addersDone.get()) {
            return false;
        }
        RetryBufferHealth h = buffer.health();
        return h.size() == 0 && h.inFlightItems() == 0;
    }

    /** About half the batches succeed, a quarter fail, a quarter succeed for even ids only. */
    private static BatchResult decide(List<Item> batch, AtomicIntegerArray attempts, List<Item> succeeded, Runnable slow) {
        for (Item item : batch) {
            attempts.incrementAndGet(item.id());
        }
        slow.run();
        int dice = ThreadLocalRandom.current().nextInt(4);
        if (dice < 2) {
            succeeded.addAll(batch);
            return BatchResult.succeeded();
        }
        if (dice == 2) {
            return BatchResult.failed(new IOException("batch call failed"));
        }
        for (Item item : batch) {
            if (item.id() % 2 == 0) {
                succeeded.add(item);
            }
        }
        return BatchResult.partial(succeeded, new IOException("odd ids failed"));
    }

    private static void recordIfApplied(BatchOutcome outcome, List<Item> succeeded, AtomicIntegerArray exits) {
        if (outcome.isApplied()) {
            assertEquals(succeeded.size(), outcome.succeeded());
            for (Item item : succeeded) {
                exits.incrementAndGet(item.id());
            }
        }
    }
}

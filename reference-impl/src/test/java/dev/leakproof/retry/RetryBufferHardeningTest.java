package dev.leakproof.retry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Regressions found in review: extreme backoff delays, throwing user code, concurrent close, re-entry. */
@Timeout(60)
class RetryBufferHardeningTest extends RetryBufferTestSupport {

    // ------------------------------------------------------------------ 1. huge backoff delays

    @Test
    void shouldNotStarveAnEligibleRetryBehindAnItemWithAHugeBackoffDelay() {
        AtomicInteger calls = new AtomicInteger();
        // First failure: retry at once; second failure: "never" (Long.MAX_VALUE ns).
        BackoffPolicy policy = attempts -> calls.getAndIncrement() == 0 ? 0L : Long.MAX_VALUE;
        RetryBuffer<String> buffer = build(builder().backoff(policy).maxAge(Duration.ofHours(1)));
        buffer.add("a");
        buffer.add("b");
        RetryBuffer.Batch<String> first = buffer.take(1).orElseThrow();
        RetryBuffer.Batch<String> second = buffer.take(1).orElseThrow();
        first.complete(BatchResult.failed(new IOException("a fails"))); // a is eligible again at once
        clock.advance(Duration.ofSeconds(1));
        second.complete(BatchResult.failed(new IOException("b fails"))); // b waits "forever"
        Optional<RetryBuffer.Batch<String>> next = buffer.take(1);
        assertTrue(next.isPresent(), "a is eligible and must not be starved by b's overflowing eligible time");
        assertEquals(List.of("a"), next.get().items());
        next.get().complete(BatchResult.succeeded());
        assertEquals(1, checked(buffer).size());
    }

    @Test
    void shouldKeepEveryItemOnOneExitWhenBackoffDelaysAreMixedAndExtreme() {
        long[] delays = {0L, 1L, Long.MAX_VALUE, Long.MAX_VALUE / 2, Long.MAX_VALUE / 2 + 7, Long.MIN_VALUE, -1L,
                Duration.ofSeconds(1).toNanos(), Duration.ofMinutes(59).toNanos(), Duration.ofHours(2).toNanos()};
        SplittableRandom random = new SplittableRandom(42);
        BackoffPolicy policy = attempts -> delays[random.nextInt(delays.length)];
        RetryBuffer<String> buffer = build(builder().backoff(policy).maxAge(Duration.ofHours(1)).maxAttempts(50)
                .maxBufferSize(64).inFlightTimeout(Duration.ofMinutes(10)));
        Map<String, Integer> succeeded = new HashMap<>();
        List<RetryBuffer.Batch<String>> open = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            int op = random.nextInt(10);
            if (op < 3) {
                buffer.add("item-" + i);
            } else if (op < 6) {
                buffer.take(1 + random.nextInt(8)).ifPresent(open::add);
            } else if (op < 9 && !open.isEmpty()) {
                RetryBuffer.Batch<String> batch = open.remove(random.nextInt(open.size()));
                if (random.nextInt(4) == 0) {
                    BatchOutcome outcome = batch.complete(BatchResult.succeeded());
                    if (outcome.isApplied()) {
                        batch.items().forEach(item -> succeeded.merge(item, 1, Integer::sum));
                    }
                } else {
                    batch.complete(BatchResult.failed(new IOException("fail")));
                }
            } else {
                clock.advance(Duration.ofSeconds(random.nextInt(300)));
            }
            if (i % 1000 == 0) {
                checked(buffer);
            }
        }
        buffer.close();
        RetryBufferHealth h = checked(buffer);
        assertEquals(0, h.size());
        Map<String, Integer> exits = new HashMap<>(succeeded);
        deadLetters.items().forEach(item -> exits.merge(item, 1, Integer::sum));
        assertEquals(h.added(), exits.size(), "every added item left the buffer");
        exits.forEach((item, count) -> assertEquals(1, count, () -> item + " left through " + count + " exits"));
    }

    // ------------------------------------------------------------------ 2. throwing user code

    /** The manual clock, made to throw on demand. */
    private final class FailingClock implements java.util.function.LongSupplier {
        volatile boolean failing;

        @Override
        public long getAsLong() {
            if (failing) {
                throw new IllegalStateException("clock failure (test)");
            }
            return clock.getAsLong();
        }
    }

    @Test
    void shouldKeepTheLeaseWhenTheClockThrowsOnComplete() {
        FailingClock failingClock = new FailingClock();
        RetryBuffer<String> buffer = build(builder().clock(failingClock));
        buffer.add("a");
        buffer.add("b");
        RetryBuffer.Batch<String> batch = buffer.take(2).orElseThrow();
        failingClock.failing = true;
        assertThrows(IllegalStateException.class, () -> batch.complete(BatchResult.succeeded()));
        failingClock.failing = false;
        RetryBufferHealth h = checked(buffer);
        assertEquals(2, h.inFlightItems(), "the batch is still in flight, not lost");
        assertFalse(batch.outcome().toCompletableFuture().isDone());
        BatchOutcome outcome = batch.complete(BatchResult.succeeded());
        assertEquals(BatchOutcome.Status.APPLIED, outcome.status(), "the lease survived the clock failure");
        assertTrue(batch.outcome().toCompletableFuture().isDone());
        assertEquals(2, checked(buffer).succeeded());
    }

    @Test
    void shouldCloseEverythingAndEndTheCleanupThreadWhenTheClockThrowsOnClose() throws InterruptedException {
        FailingClock failingClock = new FailingClock();
        DeadLetters<String> letters = new DeadLetters<>();
        RetryBuffer<String> buffer = track(RetryBuffer.<String>builder().name("clockclose").clock(failingClock)
                .backoff(BackoffPolicy.none()).cleanupInterval(Duration.ofHours(1)).deadLetterListener(letters).build(), letters);
        buffer.add("a");
        buffer.add("b");
        RetryBuffer.Batch<String> batch = buffer.take(1).orElseThrow();
        Thread cleanup = findThread("leakproof-retry-cleanup-clockclose");
        failingClock.failing = true;
        buffer.close();
        assertTrue(buffer.isClosed());
        assertTrue(cleanup == null || !cleanup.isAlive(), "close() ended the cleanup thread despite the clock");
        assertEquals(List.of("a", "b"), letters.items(AbandonReason.CLOSED).stream().sorted().toList());
        assertEquals(BatchOutcome.Status.CLOSED, batch.outcome().toCompletableFuture().getNow(null).status());
        failingClock.failing = false;
    }

    @Test
    void shouldReturnEveryFailedItemWhenTheBackoffPolicyThrowsAnError() {
        BackoffPolicy policy = attempts -> {
            throw new AssertionError("policy failure (test)");
        };
        RetryBuffer<String> buffer = build(builder().backoff(policy));
        buffer.add("a");
        buffer.add("b");
        buffer.add("c");
        BatchOutcome outcome = buffer.process(3, batch -> BatchResult.failed(new IOException("down")));
        assertEquals(BatchOutcome.Status.APPLIED, outcome.status());
        assertEquals(3, outcome.failed());
        RetryBufferHealth h = checked(buffer);
        assertEquals(3, h.size(), "every failed item is back in the buffer, retried without delay");
        assertEquals(0, h.inFlightItems());
        assertEquals(3, buffer.process(3, batch -> BatchResult.succeeded()).succeeded());
    }

    static Thread findThread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst().orElse(null);
    }

    // ------------------------------------------------------------------ 3. concurrent close

    @Test
    void shouldReturnFromEveryConcurrentCloseOnlyWhenTheBufferIsFullyClosed() throws Exception {
        CountDownLatch firstInListener = new CountDownLatch(1);
        Thread[] second = new Thread[1];
        DeadLetters<String> letters = new DeadLetters<>() {
            @Override
            public void onAbandoned(Abandoned<String> abandoned) {
                super.onAbandoned(abandoned);
                if (all.size() == 1) {
                    firstInListener.countDown();
                    // Hold the first close in its listener until the second close has returned or waits.
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (second[0] == null || (second[0].getState() != Thread.State.TIMED_WAITING
                            && second[0].getState() != Thread.State.TERMINATED)) {
                        if (System.nanoTime() - deadline > 0) {
                            throw new AssertionError("second close neither returned nor waited");
                        }
                        Thread.onSpinWait();
                    }
                }
            }
        };
        RetryBuffer<String> buffer = track(RetryBuffer.<String>builder().name("twoclosers").clock(clock)
                .backoff(BackoffPolicy.none()).cleanupInterval(Duration.ofHours(1)).deadLetterListener(letters).build(), letters);
        buffer.add("a");
        buffer.add("b");
        buffer.add("c");
        Thread cleanup = findThread("leakproof-retry-cleanup-twoclosers");
        int[] delivered = new int[2];
        boolean[] cleanupAlive = new boolean[2];
        Thread first = new Thread(() -> {
            buffer.close();
            delivered[0] = letters.all.size();
            cleanupAlive[0] = cleanup != null && cleanup.isAlive();
        });
        first.start();
        assertTrue(firstInListener.await(10, TimeUnit.SECONDS));
        Thread closer = new Thread(() -> {
            buffer.close();
            delivered[1] = letters.all.size();
            cleanupAlive[1] = cleanup != null && cleanup.isAlive();
        });
        second[0] = closer;
        closer.start();
        first.join(TimeUnit.SECONDS.toMillis(20));
        closer.join(TimeUnit.SECONDS.toMillis(20));
        assertFalse(first.isAlive());
        assertFalse(closer.isAlive());
        assertEquals(3, delivered[0], "first close returned after delivering every item");
        assertEquals(3, delivered[1], "second close returned only after the first had delivered every item");
        assertFalse(cleanupAlive[0], "no cleanup thread alive when the first close returned");
        assertFalse(cleanupAlive[1], "no cleanup thread alive when the second close returned");
    }

    @Test
    void shouldReturnFromACloseDuringCloseAndDrainOnlyWhenTheDrainHasFinished() throws Exception {
        RetryBuffer<String> buffer = build(builder());
        buffer.add("a");
        buffer.add("b");
        buffer.add("c");
        Thread[] second = new Thread[1];
        CountDownLatch draining = new CountDownLatch(1);
        long[] selfCloseNanos = {-1};
        int[] sizeAtReturn = {-1};
        Thread drainer = new Thread(() -> buffer.closeAndDrain(1, batch -> {
            if (draining.getCount() == 1) {
                long start = System.nanoTime();
                buffer.close(); // the draining thread closing again must not wait for itself
                selfCloseNanos[0] = System.nanoTime() - start;
                draining.countDown();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (second[0] == null || (second[0].getState() != Thread.State.TIMED_WAITING
                        && second[0].getState() != Thread.State.TERMINATED)) {
                    if (System.nanoTime() - deadline > 0) {
                        throw new AssertionError("second close neither returned nor waited");
                    }
                    Thread.onSpinWait();
                }
            }
            return BatchResult.succeeded();
        }));
        drainer.start();
        assertTrue(draining.await(10, TimeUnit.SECONDS));
        Thread closer = new Thread(() -> {
            buffer.close();
            sizeAtReturn[0] = buffer.size();
        });
        second[0] = closer;
        closer.start();
        drainer.join(TimeUnit.SECONDS.toMillis(20));
        closer.join(TimeUnit.SECONDS.toMillis(20));
        assertFalse(drainer.isAlive());
        assertFalse(closer.isAlive());
        assertTrue(selfCloseNanos[0] >= 0 && selfCloseNanos[0] < TimeUnit.SECONDS.toNanos(1),
                () -> "close from the draining thread took " + selfCloseNanos[0] / 1_000_000 + " ms");
        assertEquals(0, sizeAtReturn[0], "close during closeAndDrain returned only once the drain had finished");
        assertEquals(3, checked(buffer).succeeded(), "every item had its last attempt");
    }

    // ------------------------------------------------------------------ 4. re-entry

    @Test
    void shouldRefuseUnboundedReAddsFromTheListenerWithoutLosingAnyItem() {
        RetryBuffer<?>[] self = new RetryBuffer<?>[1];
        DeadLetters<String> letters = new DeadLetters<>() {
            @Override
            public void onAbandoned(Abandoned<String> abandoned) {
                super.onAbandoned(abandoned);
                @SuppressWarnings("unchecked")
                RetryBuffer<String> buffer = (RetryBuffer<String>) self[0];
                buffer.add(abandoned.item()); // always re-adds to the same full buffer: evicts, and so on
            }
        };
        RetryBuffer<String> buffer = track(builder().maxBufferSize(1).deadLetterListener(letters).build(), letters);
        self[0] = buffer;
        buffer.add("a");
        buffer.add("b"); // without a bound: StackOverflowError
        RetryBufferHealth h = checked(buffer);
        assertEquals(1, h.size());
        assertEquals(1, h.listenerFailures(), "the innermost re-add was refused, once");
        assertEquals(RetryBuffer.MAX_NESTED_DELIVERIES, h.abandoned(AbandonReason.EVICTED_CAPACITY));
        assertEquals(h.abandonedTotal(), letters.all.size(), "every abandoned item reached the listener");
    }

    @Test
    void shouldRefuseACallFromTheClockBackIntoTheBuffer() {
        RetryBuffer<?>[] self = new RetryBuffer<?>[1];
        boolean[] armed = new boolean[1];
        java.util.function.LongSupplier reentrant = () -> {
            if (armed[0]) {
                self[0].size();
            }
            return clock.getAsLong();
        };
        RetryBuffer<String> buffer = build(builder().clock(reentrant));
        self[0] = buffer;
        armed[0] = true;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> buffer.add("a"));
        assertTrue(e.getMessage().contains("clock or backoff"), e.getMessage());
        armed[0] = false;
        assertEquals(0, checked(buffer).added(), "the refused add changed nothing");
    }

    @Test
    void shouldRefuseACallFromTheBackoffPolicyBackIntoTheBufferAndStillReturnTheItem() {
        RetryBuffer<?>[] self = new RetryBuffer<?>[1];
        AtomicInteger refused = new AtomicInteger();
        BackoffPolicy policy = attempts -> {
            try {
                @SuppressWarnings("unchecked")
                RetryBuffer<String> buffer = (RetryBuffer<String>) self[0];
                buffer.add("from-policy");
            } catch (IllegalStateException expected) {
                refused.incrementAndGet();
            }
            return 0L;
        };
        RetryBuffer<String> buffer = build(builder().backoff(policy));
        self[0] = buffer;
        buffer.add("a");
        buffer.process(1, batch -> BatchResult.failed(new IOException("down")));
        assertEquals(1, refused.get(), "the policy's call back into the buffer was refused");
        RetryBufferHealth h = checked(buffer);
        assertEquals(1, h.added());
        assertEquals(1, h.size(), "the failed item is back in the buffer");
    }

    // ------------------------------------------------------------------ 6. polling allocates nothing

    @Test
    void shouldAllocateNothingWhenPollingABufferWithNoEligibleItem() {
        java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean,
                "needs per-thread allocation counters");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        org.junit.jupiter.api.Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported()
                && threads.isThreadAllocatedMemoryEnabled(), "needs per-thread allocation counters");
        RetryBuffer<String> buffer = build(builder().backoff(BackoffPolicy.fixed(Duration.ofMinutes(30)))
                .maxAge(Duration.ofHours(1)));
        for (int i = 0; i < 50; i++) {
            buffer.add("item-" + i);
        }
        buffer.process(50, batch -> BatchResult.failed(new IOException("down"))); // 50 retries, none eligible
        int polls = 20_000;
        long tid = Thread.currentThread().getId();
        int empty = 0;
        for (int i = 0; i < polls; i++) { // warm up
            empty += buffer.take(1000).isEmpty() ? 1 : 0;
        }
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < polls; i++) {
            empty += buffer.take(1000).isEmpty() ? 1 : 0;
        }
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertEquals(2 * polls, empty, "nothing was eligible");
        assertTrue(allocated < polls * 8L, () -> "polling allocated " + allocated / polls + " bytes per take");
    }

    // ------------------------------------------------------------------ 7. partial results by index

    @Test
    void shouldMatchPartialResultsByIndexWhenTheProcessorWorksOnCopies() {
        RetryBuffer<String> buffer = build(builder());
        buffer.add(new String("a"));
        buffer.add(new String("b"));
        buffer.add(new String("c"));
        // By identity, copies of the items match nothing: every item counts as failed.
        BatchOutcome byIdentity = buffer.process(3, batch -> BatchResult.partial(
                batch.stream().map(String::new).toList(), new IOException("copies")));
        assertEquals(0, byIdentity.succeeded());
        assertEquals(3, byIdentity.failed());
        // By index, the processor names positions in the batch list instead.
        java.util.BitSet ok = new java.util.BitSet();
        java.util.List<String> seen = new ArrayList<>();
        BatchOutcome byIndex = buffer.process(3, batch -> {
            seen.addAll(batch);
            ok.set(batch.indexOf("b"));
            ok.set(7); // beyond the batch: ignored
            return BatchResult.partialByIndex(ok, new IOException("a and c failed"));
        });
        assertEquals(1, byIndex.succeeded());
        assertEquals(2, byIndex.failed());
        assertEquals(3, seen.size());
        java.util.List<String> retried = new ArrayList<>();
        buffer.process(3, batch -> {
            retried.addAll(batch);
            return BatchResult.succeeded();
        });
        assertEquals(List.of("a", "c"), retried.stream().sorted().toList(), "only the items not at a set index are retried");
        assertThrows(IllegalStateException.class, () -> BatchResult.partialByIndex(ok, new IOException()).isSucceeded("b"));
        assertTrue(BatchResult.partialByIndex(ok, new IOException()).isSucceeded(7, "x"));
    }
}

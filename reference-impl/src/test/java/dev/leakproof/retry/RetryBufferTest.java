package dev.leakproof.retry;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract of {@link RetryBuffer}: R1–R3, each abandonment reason, backoff, partial results, leases. */
class RetryBufferTest extends RetryBufferTestSupport {

    private static final Duration HOUR = Duration.ofHours(1);

    private static BatchProcessor<String> failing(Throwable cause) {
        return batch -> BatchResult.failed(cause);
    }

    private static BatchProcessor<String> succeeding() {
        return batch -> BatchResult.succeeded();
    }

    private static void addAll(RetryBuffer<String> buffer, String... items) {
        for (String item : items) {
            buffer.add(item);
        }
    }

    // ------------------------------------------------------------------ R1

    @Test
    @DisplayName("R1: added = succeeded + abandoned + buffered + inFlight through success, failure, expiry and eviction")
    void shouldConserveItemsR1WhenItemsSucceedFailExpireAndAreEvicted() {
        RetryBuffer<String> buffer = build(builder().maxBufferSize(4).maxAttempts(2).maxAge(HOUR));
        addAll(buffer, "a", "b", "c", "d");
        assertTrue(checked(buffer).isConserved());
        buffer.add("e"); // evicts a
        assertEquals(List.of("a"), deadLetters.items(AbandonReason.EVICTED_CAPACITY));

        Optional<RetryBuffer.Batch<String>> batch = buffer.take(2); // b, c in flight
        RetryBufferHealth h = checked(buffer);
        assertEquals(2, h.inFlightItems());
        assertEquals(2, h.size()); // d, e buffered
        assertTrue(h.isConserved(), "R1 with a batch in flight");
        batch.orElseThrow().complete(BatchResult.partial(List.of("b"), new IOException("c failed")));
        h = checked(buffer);
        assertEquals(1, h.succeeded());
        assertEquals(3, h.size()); // c (retry), d, e

        buffer.process(10, failing(new IOException("down"))); // c reaches 2 attempts, d and e have 1
        assertEquals(List.of("c"), deadLetters.items(AbandonReason.MAX_ATTEMPTS));
        clock.advance(HOUR.plusSeconds(1));
        assertEquals(2, buffer.cleanup());
        assertEquals(List.of("d", "e"), deadLetters.items(AbandonReason.EXPIRED));

        h = checked(buffer);
        assertEquals(5, h.added());
        assertEquals(h.added(), h.succeeded() + h.abandonedTotal() + h.size() + h.inFlightItems(), "R1");
        assertEquals(0, h.size());
    }

    // ------------------------------------------------------------------ R2

    @Test
    @DisplayName("R2: an item is attempted at most maxAttempts times, then abandoned as MAX_ATTEMPTS")
    void shouldAttemptAtMostMaxAttemptsR2WhenProcessorAlwaysFails() {
        RetryBuffer<String> buffer = build(builder().maxAttempts(3));
        buffer.add("x");
        AtomicInteger calls = new AtomicInteger();
        IOException cause = new IOException("always");
        for (int i = 0; i < 10; i++) {
            buffer.process(5, batch -> {
                calls.incrementAndGet();
                throw cause;
            });
        }
        assertEquals(3, calls.get(), "R2: attempted exactly maxAttempts times");
        Abandoned<String> a = deadLetters.only();
        assertEquals("x", a.item());
        assertEquals(AbandonReason.MAX_ATTEMPTS, a.reason());
        assertEquals(3, a.attempts());
        assertSame(cause, a.lastFailure());
        RetryBufferHealth h = checked(buffer);
        assertEquals(3, h.attempts());
        assertEquals(3, h.failedBatches());
        assertEquals(0, h.succeeded());
    }

    @Test
    @DisplayName("R2: a success that arrives after its batch was reclaimed and abandoned is not counted as succeeded")
    void shouldNeverCountSucceededAndAbandonedR2WhenSuccessArrivesAfterStaleAbandonment() {
        RetryBuffer<String> buffer = build(builder().maxAttempts(1).inFlightTimeout(Duration.ofMinutes(1)));
        buffer.add("x");
        RetryBuffer.Batch<String> batch = buffer.take(1).orElseThrow();
        clock.advance(Duration.ofMinutes(1));
        buffer.cleanup();
        assertEquals(AbandonReason.STALE_IN_FLIGHT, deadLetters.only().reason());

        BatchOutcome late = batch.complete(BatchResult.succeeded());
        assertEquals(BatchOutcome.Status.LATE, late.status());
        RetryBufferHealth h = checked(buffer);
        assertEquals(0, h.succeeded(), "R2: abandoned, so never succeeded");
        assertEquals(1, h.abandoned(AbandonReason.STALE_IN_FLIGHT));
        assertEquals(1, h.lateCompletions());
    }

    // ------------------------------------------------------------------ R3

    @Test
    @DisplayName("R3: size <= maxSize; at capacity the oldest item is evicted as EVICTED_CAPACITY")
    void shouldEvictOldestR3WhenAddingBeyondCapacity() {
        RetryBuffer<String> buffer = build(builder().maxBufferSize(3));
        for (int i = 0; i < 10; i++) {
            buffer.add("i" + i);
            assertTrue(buffer.size() <= 3, "R3");
            checked(buffer);
        }
        assertEquals(List.of("i0", "i1", "i2", "i3", "i4", "i5", "i6"), deadLetters.items(AbandonReason.EVICTED_CAPACITY));
        List<String> seen = new ArrayList<>();
        buffer.process(10, batch -> {
            seen.addAll(batch);
            return BatchResult.succeeded();
        });
        assertEquals(List.of("i7", "i8", "i9"), seen);
        assertEquals(0.0, checked(buffer).utilisation(), 0.0);
    }

    @Test
    @DisplayName("R3: failed items returning to a full buffer evict the oldest (here themselves)")
    void shouldKeepSizeWithinCapacityR3WhenFailedItemsReturnToFullBuffer() {
        RetryBuffer<String> buffer = build(builder().maxBufferSize(2));
        addAll(buffer, "old1", "old2");
        RetryBuffer.Batch<String> batch = buffer.take(2).orElseThrow();
        addAll(buffer, "new1", "new2"); // buffer full again while the batch is in flight
        batch.complete(BatchResult.failed(new IOException("down")));
        RetryBufferHealth h = checked(buffer);
        assertEquals(2, h.size(), "R3");
        assertEquals(List.of("old1", "old2"), deadLetters.items(AbandonReason.EVICTED_CAPACITY));
        assertEquals(1, deadLetters.all.peek().attempts());
    }

    // ------------------------------------------------------------------ expiry

    @Test
    void shouldExpireOldItemsWhenAdding() {
        RetryBuffer<String> buffer = build(builder().maxAge(HOUR));
        buffer.add("old");
        clock.advance(HOUR);
        buffer.add("edge"); // exactly maxAge old is not yet older than maxAge
        assertEquals(0, deadLetters.all.size());
        clock.advance(Duration.ofNanos(1));
        buffer.add("new");
        Abandoned<String> a = deadLetters.only();
        assertEquals("old", a.item());
        assertEquals(AbandonReason.EXPIRED, a.reason());
        assertEquals(HOUR.plusNanos(1), a.age());
        assertEquals(0, a.attempts());
        assertEquals(2, checked(buffer).size());
    }

    @Test
    void shouldExpireOldItemsWhenTakingBatch() {
        RetryBuffer<String> buffer = build(builder().maxAge(HOUR));
        buffer.add("old");
        clock.advance(Duration.ofMinutes(30));
        buffer.add("young");
        clock.advance(Duration.ofMinutes(31));
        List<String> seen = new ArrayList<>();
        buffer.process(10, batch -> {
            seen.addAll(batch);
            return BatchResult.succeeded();
        });
        assertEquals(List.of("young"), seen);
        assertEquals(List.of("old"), deadLetters.items(AbandonReason.EXPIRED));
    }

    @Test
    void shouldExpireOnlyOldItemsWhenCleanupRuns() {
        RetryBuffer<String> buffer = build(builder().maxAge(HOUR));
        addAll(buffer, "a", "b");
        clock.advance(Duration.ofMinutes(40));
        addAll(buffer, "c");
        clock.advance(Duration.ofMinutes(21));
        assertEquals(2, buffer.cleanup());
        assertEquals(List.of("a", "b"), deadLetters.items(AbandonReason.EXPIRED));
        assertEquals(1, checked(buffer).size());
        assertEquals(0, buffer.cleanup());
    }

    @Test
    void shouldMeasureAgeFromFirstAddWhenItemIsRetried() {
        RetryBuffer<String> buffer = build(builder().maxAge(HOUR).maxAttempts(10));
        buffer.add("x");
        clock.advance(Duration.ofMinutes(50));
        buffer.process(1, failing(new IOException("down"))); // returned for a retry, arrival kept
        clock.advance(Duration.ofMinutes(11));
        assertEquals(1, buffer.cleanup());
        Abandoned<String> a = deadLetters.only();
        assertEquals(AbandonReason.EXPIRED, a.reason());
        assertEquals(Duration.ofMinutes(61), a.age());
        assertEquals(1, a.attempts());
    }

    @Test
    void shouldAbandonAsExpiredWhenBatchFailsAfterMaxAge() {
        RetryBuffer<String> buffer = build(builder().maxAge(HOUR).maxAttempts(10));
        buffer.add("x");
        RetryBuffer.Batch<String> batch = buffer.take(1).orElseThrow();
        clock.advance(HOUR.plusSeconds(1));
        batch.complete(BatchResult.failed(new IOException("slow failure")));
        assertEquals(AbandonReason.EXPIRED, deadLetters.only().reason());
    }

    // ------------------------------------------------------------------ backoff

    @Test
    void shouldWaitFixedBackoffWhenBatchFails() {
        RetryBuffer<String> buffer = build(builder().backoff(BackoffPolicy.fixed(Duration.ofSeconds(10))).maxAttempts(5));
        buffer.add("x");
        buffer.process(1, failing(new IOException("down")));
        clock.advance(Duration.ofSeconds(9));
        assertEquals(BatchOutcome.Status.EMPTY, buffer.process(1, succeeding()).status(), "not eligible before 10 s");
        assertEquals(1, checked(buffer).size());
        clock.advance(Duration.ofSeconds(1));
        BatchOutcome outcome = buffer.process(1, succeeding());
        assertEquals(BatchOutcome.Status.APPLIED, outcome.status());
        assertEquals(1, outcome.succeeded());
    }

    @Test
    void shouldDoubleTheWaitWhenExponentialBackoffAndRepeatedFailures() {
        RetryBuffer<String> buffer = build(builder()
                .backoff(BackoffPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(3)))
                .maxAttempts(10));
        buffer.add("x");
        long[] expectedWaitsSeconds = {1, 2, 3, 3};
        for (long wait : expectedWaitsSeconds) {
            assertEquals(1, buffer.process(1, failing(new IOException("down"))).failed());
            clock.advance(Duration.ofSeconds(wait).minusNanos(1));
            assertEquals(BatchOutcome.Status.EMPTY, buffer.process(1, succeeding()).status(), "still waiting " + wait + " s");
            clock.advance(Duration.ofNanos(1));
        }
        assertEquals(1, buffer.process(1, succeeding()).succeeded());
        assertEquals(5, checked(buffer).attempts());
    }

    @Test
    void shouldTakeNeverAttemptedItemsWhenRetriesWaitForBackoff() {
        RetryBuffer<String> buffer = build(builder().backoff(BackoffPolicy.fixed(Duration.ofMinutes(1))));
        buffer.add("retry");
        buffer.process(1, failing(new IOException("down")));
        buffer.add("fresh");
        List<String> seen = new ArrayList<>();
        buffer.process(10, batch -> {
            seen.addAll(batch);
            return BatchResult.succeeded();
        });
        assertEquals(List.of("fresh"), seen);
        clock.advance(Duration.ofMinutes(1));
        seen.clear();
        buffer.add("fresh2");
        buffer.process(10, batch -> {
            seen.addAll(batch);
            return BatchResult.succeeded();
        });
        assertEquals(List.of("retry", "fresh2"), seen, "eligible retries first, then never-attempted items");
    }

    @Test
    void shouldRetryWithoutDelayWhenBackoffPolicyThrows() {
        RetryBuffer<String> buffer = build(builder().backoff(attempts -> {
            throw new IllegalStateException("broken policy");
        }));
        buffer.add("x");
        buffer.process(1, failing(new IOException("down")));
        assertEquals(1, buffer.process(1, succeeding()).succeeded(), "item not lost, eligible at once");
    }

    // ------------------------------------------------------------------ partial results

    @Test
    void shouldRemoveSucceededAndRetryFailedWhenResultIsPartial() {
        RetryBuffer<String> buffer = build(builder());
        addAll(buffer, "good1", "bad", "good2");
        BatchOutcome outcome = buffer.process(3, batch -> BatchResult.partial(List.of(batch.get(0), batch.get(2)),
                new IOException("bad item")));
        assertEquals(new BatchOutcome(outcome.batchId(), 3, 2, 1, BatchOutcome.Status.APPLIED), outcome);
        List<String> seen = new ArrayList<>();
        buffer.process(3, batch -> {
            seen.addAll(batch);
            return BatchResult.succeeded();
        });
        assertEquals(List.of("bad"), seen, "only the failed item is retried");
        RetryBufferHealth h = checked(buffer);
        assertEquals(3, h.succeeded());
        assertEquals(1, h.failedItems());
        assertEquals(1, h.failedBatches());
    }

    @Test
    void shouldAbandonOnlyTheBadItemWhenItAlwaysFailsInPartialResults() {
        RetryBuffer<String> buffer = build(builder().maxAttempts(2));
        addAll(buffer, "poison", "a", "b");
        BatchProcessor<String> processor = batch -> {
            List<String> ok = new ArrayList<>();
            for (String s : batch) {
                if (!s.equals("poison")) {
                    ok.add(s);
                }
            }
            return BatchResult.partial(ok, new IOException("poison"));
        };
        buffer.process(10, processor);
        buffer.process(10, processor);
        assertEquals(List.of("poison"), deadLetters.items(AbandonReason.MAX_ATTEMPTS));
        assertEquals(2, checked(buffer).succeeded());
    }

    @Test
    void shouldCountUnmentionedItemsAsFailedWhenResultIsPartial() {
        RetryBuffer<String> buffer = build(builder());
        String first = new String("same");
        String second = new String("same"); // equal, but a different item
        buffer.add(first);
        buffer.add(second);
        BatchOutcome outcome = buffer.process(2, batch -> BatchResult.partial(List.of(first, "not-in-batch"),
                new IOException("x")));
        assertEquals(1, outcome.succeeded(), "matched by identity, not equals");
        assertEquals(1, outcome.failed());
        List<String> seen = new ArrayList<>();
        buffer.process(2, batch -> {
            seen.addAll(batch);
            return BatchResult.succeeded();
        });
        assertEquals(1, seen.size());
        assertSame(second, seen.get(0));
    }

    // ------------------------------------------------------------------ in-flight leases

    @Test
    void shouldReclaimStaleBatchWhenInFlightTimeoutPasses() {
        RetryBuffer<String> buffer = build(builder().inFlightTimeout(Duration.ofMinutes(5)));
        addAll(buffer, "a", "b");
        RetryBuffer.Batch<String> batch = buffer.take(2).orElseThrow();
        clock.advance(Duration.ofMinutes(5).minusNanos(1));
        buffer.cleanup();
        assertEquals(2, checked(buffer).inFlightItems(), "not stale before the timeout");
        clock.advance(Duration.ofNanos(1));
        buffer.cleanup();
        RetryBufferHealth h = checked(buffer);
        assertEquals(0, h.inFlightBatches());
        assertEquals(2, h.size(), "returned to the buffer, attempts left");
        assertEquals(1, h.reclaimedBatches());
        assertEquals(BatchOutcome.Status.RECLAIMED,
                batch.outcome().toCompletableFuture().getNow(null).status());
        assertEquals(0, deadLetters.all.size());
    }

    @Test
    void shouldAbandonAsStaleInFlightWhenReclaimedBatchHasNoAttemptsLeft() {
        RetryBuffer<String> buffer = build(builder().maxAttempts(2).inFlightTimeout(Duration.ofMinutes(1)));
        buffer.add("x");
        buffer.take(1).orElseThrow();
        clock.advance(Duration.ofMinutes(1));
        buffer.take(1).orElseThrow(); // reclaims the first lease, then takes x again (attempt 2)
        clock.advance(Duration.ofMinutes(1));
        buffer.cleanup();
        Abandoned<String> a = deadLetters.only();
        assertEquals(AbandonReason.STALE_IN_FLIGHT, a.reason());
        assertEquals(2, a.attempts(), "R2: the lost attempts count");
        assertEquals(2, checked(buffer).reclaimedBatches());
    }

    @Test
    void shouldIgnoreAndCountLateCompletionWhenBatchWasReclaimed() {
        RetryBuffer<String> buffer = build(builder().inFlightTimeout(Duration.ofMinutes(1)));
        buffer.add("x");
        RetryBuffer.Batch<String> stale = buffer.take(1).orElseThrow();
        clock.advance(Duration.ofMinutes(1));
        RetryBuffer.Batch<String> again = buffer.take(1).orElseThrow();
        assertEquals(List.of("x"), again.items());

        BatchOutcome late = stale.complete(BatchResult.succeeded());
        assertEquals(BatchOutcome.Status.LATE, late.status());
        assertFalse(late.isApplied());
        RetryBufferHealth h = checked(buffer);
        assertEquals(0, h.succeeded(), "not applied twice");
        assertEquals(1, h.lateCompletions());
        assertEquals(1, h.inFlightItems());
        assertTrue(again.complete(BatchResult.succeeded()).isApplied());
        assertEquals(1, checked(buffer).succeeded());
    }

    @Test
    void shouldIgnoreAndCountSecondCompletionWhenBatchCompletedTwice() {
        RetryBuffer<String> buffer = build(builder());
        buffer.add("x");
        RetryBuffer.Batch<String> batch = buffer.take(1).orElseThrow();
        assertTrue(batch.complete(BatchResult.failed(new IOException("first"))).isApplied());
        assertEquals(BatchOutcome.Status.LATE, batch.complete(BatchResult.succeeded()).status());
        RetryBufferHealth h = checked(buffer);
        assertEquals(0, h.succeeded());
        assertEquals(1, h.size());
        assertEquals(1, h.lateCompletions());
        assertEquals(BatchOutcome.Status.APPLIED, batch.outcome().toCompletableFuture().getNow(null).status());
    }

    @Test
    void shouldReturnLateWhenSyncProcessorOverrunsTheTimeout() {
        RetryBuffer<String> buffer = build(builder().inFlightTimeout(Duration.ofMinutes(1)));
        buffer.add("x");
        BatchOutcome outcome = buffer.process(1, batch -> {
            clock.advance(Duration.ofMinutes(2));
            buffer.cleanup(); // as the periodic cleanup would, while this processor is stuck
            return BatchResult.succeeded();
        });
        assertEquals(BatchOutcome.Status.LATE, outcome.status());
        RetryBufferHealth h = checked(buffer);
        assertEquals(1, h.size(), "reclaimed item is back in the buffer");
        assertEquals(1, h.lateCompletions());
    }

    @Test
    void shouldIgnoreLateAsyncCompletionWhenStageCompletesAfterReclaim() {
        RetryBuffer<String> buffer = build(builder().inFlightTimeout(Duration.ofMinutes(1)));
        buffer.add("x");
        CompletableFuture<BatchResult> never = new CompletableFuture<>();
        CompletableFuture<BatchOutcome> outcome = buffer.processAsync(1, batch -> never).toCompletableFuture();
        assertFalse(outcome.isDone());
        clock.advance(Duration.ofMinutes(1));
        buffer.cleanup();
        assertEquals(BatchOutcome.Status.RECLAIMED, outcome.getNow(null).status());
        never.complete(BatchResult.succeeded());
        RetryBufferHealth h = checked(buffer);
        assertEquals(1, h.lateCompletions());
        assertEquals(0, h.succeeded());
        assertEquals(1, h.size());
    }

    @Test
    void shouldApplyAsyncResultWhenStageCompletes() {
        RetryBuffer<String> buffer = build(builder());
        addAll(buffer, "a", "b");
        CompletableFuture<BatchResult> stage = new CompletableFuture<>();
        CompletableFuture<BatchOutcome> outcome = buffer.processAsync(2, batch -> stage).toCompletableFuture();
        assertEquals(2, checked(buffer).inFlightItems());
        stage.complete(BatchResult.partial(List.of("a"), new IOException("b")));
        assertEquals(new BatchOutcome(outcome.getNow(null).batchId(), 2, 1, 1, BatchOutcome.Status.APPLIED), outcome.getNow(null));
        assertEquals(1, checked(buffer).size());
    }

    // ------------------------------------------------------------------ bad processors

    @Test
    void shouldCountFailureAndKeepItemsWhenProcessorThrows() {
        RetryBuffer<String> buffer = build(builder());
        addAll(buffer, "a", "b");
        BatchOutcome outcome = buffer.process(2, batch -> {
            throw new IllegalStateException("bug");
        });
        assertEquals(2, outcome.failed());
        RetryBufferHealth h = checked(buffer);
        assertEquals(2, h.size());
        assertEquals(1, h.failedBatches());
    }

    @Test
    void shouldCountFailureAndKeepItemsWhenProcessorReturnsNull() {
        RetryBuffer<String> buffer = build(builder().maxAttempts(1));
        buffer.add("a");
        assertEquals(1, buffer.process(1, batch -> null).failed());
        Abandoned<String> a = deadLetters.only();
        assertEquals(AbandonReason.MAX_ATTEMPTS, a.reason());
        assertTrue(a.lastFailure() instanceof NullPointerException);
    }

    @Test
    void shouldCountFailureWhenAsyncProcessorMisbehaves() {
        RetryBuffer<String> buffer = build(builder().maxAttempts(10));
        buffer.add("a");
        List<AsyncBatchProcessor<String>> bad = List.of(
                batch -> null,
                batch -> CompletableFuture.completedFuture(null),
                batch -> CompletableFuture.failedFuture(new IOException("async failure")),
                batch -> {
                    throw new IllegalStateException("threw before returning a stage");
                });
        for (AsyncBatchProcessor<String> p : bad) {
            BatchOutcome outcome = buffer.processAsync(1, p).toCompletableFuture().getNow(null);
            assertEquals(BatchOutcome.Status.APPLIED, outcome.status());
            assertEquals(1, outcome.failed());
        }
        RetryBufferHealth h = checked(buffer);
        assertEquals(4, h.failedBatches());
        assertEquals(1, h.size(), "item never lost");
    }

    @Test
    void shouldKeepInterruptStatusWhenProcessorIsInterrupted() {
        RetryBuffer<String> buffer = build(builder());
        buffer.add("a");
        try {
            BatchOutcome outcome = buffer.process(1, batch -> {
                throw new InterruptedException("stop");
            });
            assertEquals(1, outcome.failed());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
        assertEquals(1, checked(buffer).size());
    }

    @Test
    void shouldNotCallProcessorWhenNoItemIsEligible() {
        RetryBuffer<String> buffer = build(builder());
        BatchOutcome outcome = buffer.process(5, batch -> {
            throw new AssertionError("called with " + batch);
        });
        assertEquals(BatchOutcome.Status.EMPTY, outcome.status());
        assertEquals(BatchOutcome.Status.EMPTY,
                buffer.processAsync(5, batch -> CompletableFuture.completedFuture(BatchResult.succeeded()))
                        .toCompletableFuture().getNow(null).status());
        assertTrue(buffer.take(5).isEmpty());
        assertEquals(0, checked(buffer).attempts());
    }

    // ------------------------------------------------------------------ listener

    @Test
    void shouldCountListenerFailureAndCarryOnWhenDeadLetterListenerThrows() {
        DeadLetters<String> recorded = new DeadLetters<>() {
            @Override
            public void onAbandoned(Abandoned<String> abandoned) {
                super.onAbandoned(abandoned);
                throw new IllegalStateException("listener bug");
            }
        };
        RetryBuffer<String> buffer = track(builder().maxBufferSize(1).deadLetterListener(recorded).build(), recorded);
        addAll(buffer, "a", "b", "c");
        RetryBufferHealth h = checked(buffer);
        assertEquals(2, h.listenerFailures());
        assertEquals(2, h.abandoned(AbandonReason.EVICTED_CAPACITY));
        assertEquals(List.of("a", "b"), recorded.items());
        assertEquals(1, buffer.process(1, succeeding()).succeeded());
    }

    @Test
    void shouldCallListenerOutsideTheLockWhenItemIsAbandoned() {
        List<RetryBuffer<String>> self = new ArrayList<>();
        Map<String, RetryBufferHealth> seenByListener = new ConcurrentHashMap<>();
        DeadLetters<String> recorded = new DeadLetters<>() {
            @Override
            public void onAbandoned(Abandoned<String> abandoned) {
                super.onAbandoned(abandoned);
                // Re-entering the buffer from the listener must not deadlock, and R1 already holds.
                seenByListener.put(abandoned.item(), self.get(0).health().checkInvariants());
                if (!abandoned.item().startsWith("re-")) {
                    self.get(0).add("re-" + abandoned.item());
                }
            }
        };
        RetryBuffer<String> buffer = track(builder().maxBufferSize(1).deadLetterListener(recorded).build(), recorded);
        self.add(buffer);
        buffer.add("a");
        buffer.add("b"); // evicts a; the listener adds re-a, which evicts b; its listener call adds re-b, evicting re-a
        assertEquals(List.of("a", "b", "re-a"), recorded.items());
        assertTrue(seenByListener.containsKey("a"));
        assertEquals(1, checked(buffer).size());
    }

    // ------------------------------------------------------------------ health

    @Test
    void shouldReportSizeUtilisationAndAgesWhenHealthIsTaken() {
        RetryBuffer<String> buffer = build(builder().maxBufferSize(4).name("ages"));
        buffer.add("a");
        clock.advance(Duration.ofSeconds(10));
        buffer.add("b");
        clock.advance(Duration.ofSeconds(10));
        RetryBufferHealth h = checked(buffer);
        assertEquals("ages", h.name());
        assertEquals(2, h.size());
        assertEquals(4, h.capacity());
        assertEquals(0.5, h.utilisation(), 0.0);
        assertEquals(Duration.ofSeconds(20), h.maxItemAge());
        assertEquals(Duration.ofSeconds(15), h.averageItemAge());
        buffer.process(1, failing(new IOException("x"))); // a becomes a retry: ages unchanged
        h = checked(buffer);
        assertEquals(Duration.ofSeconds(20), h.maxItemAge());
        assertEquals(Duration.ofSeconds(15), h.averageItemAge());
        assertEquals(1, h.failedBatches());
        assertEquals(Map.of(AbandonReason.EVICTED_CAPACITY, 0L, AbandonReason.EXPIRED, 0L, AbandonReason.MAX_ATTEMPTS, 0L,
                AbandonReason.STALE_IN_FLIGHT, 0L, AbandonReason.CLOSED, 0L), h.abandoned());
    }

    @Test
    void shouldReportR1ViolationWhenSnapshotIsNotConserved() {
        RetryBufferHealth broken = new RetryBufferHealth("x", 1, 10, 3, Duration.ZERO, Duration.ZERO, 0, 0,
                5, 0, 1, 0, 0, 0, 0, Map.of(AbandonReason.EXPIRED, 1L), 0, false);
        assertFalse(broken.isConserved());
        IllegalStateException e = assertThrows(IllegalStateException.class, broken::checkInvariants);
        assertTrue(e.getMessage().startsWith("R1 violated"), e.getMessage());
        RetryBufferHealth oversize = new RetryBufferHealth("x", 11, 10, 3, Duration.ZERO, Duration.ZERO, 0, 0,
                11, 0, 0, 0, 0, 0, 0, Map.of(), 0, false);
        assertTrue(assertThrows(IllegalStateException.class, oversize::checkInvariants).getMessage().startsWith("R3 violated"));
    }

    // ------------------------------------------------------------------ close

    @Test
    void shouldAbandonBufferedAndInFlightAsClosedWhenClosed() {
        RetryBuffer<String> buffer = build(builder());
        addAll(buffer, "a", "b", "c");
        RetryBuffer.Batch<String> batch = buffer.take(1).orElseThrow();
        buffer.close();
        assertEquals(List.of("a", "b", "c"), deadLetters.items(AbandonReason.CLOSED));
        assertEquals(BatchOutcome.Status.CLOSED, batch.outcome().toCompletableFuture().getNow(null).status());
        assertEquals(BatchOutcome.Status.LATE, batch.complete(BatchResult.succeeded()).status());
        RetryBufferHealth h = checked(buffer);
        assertTrue(h.closed());
        assertEquals(3, h.abandoned(AbandonReason.CLOSED));
        assertEquals(0, h.succeeded());
    }

    @Test
    void shouldBeIdempotentWhenClosedTwice() {
        RetryBuffer<String> buffer = build(builder());
        buffer.add("a");
        buffer.close();
        buffer.close();
        buffer.closeAndDrain(1, succeeding());
        assertEquals(1, deadLetters.all.size());
        assertEquals(0, buffer.cleanup());
    }

    @Test
    void shouldThrowWhenUsedAfterClose() {
        RetryBuffer<String> buffer = build(builder().name("shut"));
        buffer.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> buffer.process(1, succeeding()));
        assertTrue(e.getMessage().contains("'shut' is closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> buffer.processAsync(1, b -> null));
        assertThrows(IllegalStateException.class, () -> buffer.take(1));
        assertThrows(IllegalStateException.class, () -> buffer.add("late"));
        assertTrue(buffer.isClosed());
        assertEquals(0, checked(buffer).added());
    }

    @Test
    void shouldDrainThroughProcessorWhenClosedAndDrained() {
        RetryBuffer<String> buffer = build(builder().backoff(BackoffPolicy.fixed(Duration.ofHours(1))).maxAttempts(3));
        addAll(buffer, "waiting", "good", "bad");
        buffer.process(1, failing(new IOException("down"))); // "waiting" now waits an hour for its retry
        List<String> drained = new ArrayList<>();
        buffer.closeAndDrain(2, batch -> {
            drained.addAll(batch);
            return BatchResult.partial(batch.contains("bad") ? List.of() : batch, new IOException("bad"));
        });
        assertEquals(List.of("waiting", "good", "bad"), drained, "backoff ignored on drain");
        assertEquals(List.of("bad"), deadLetters.items(AbandonReason.CLOSED));
        RetryBufferHealth h = checked(buffer);
        assertEquals(2, h.succeeded());
        assertTrue(h.closed());
        assertThrows(IllegalStateException.class, () -> buffer.add("x"));
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void shouldRejectBadArgumentsWhenCalled() {
        RetryBuffer<String> buffer = build(builder());
        NullPointerException npe = assertThrows(NullPointerException.class, () -> buffer.add(null));
        assertTrue(npe.getMessage().contains("item"));
        IllegalArgumentException iae = assertThrows(IllegalArgumentException.class, () -> buffer.process(0, succeeding()));
        assertEquals("batchSize must be >= 1 but was 0", iae.getMessage());
        assertThrows(IllegalArgumentException.class, () -> buffer.take(-1));
        assertThrows(IllegalArgumentException.class, () -> buffer.processAsync(0, b -> null));
        assertThrows(NullPointerException.class, () -> buffer.process(1, null));
        assertThrows(IllegalArgumentException.class, () -> buffer.closeAndDrain(0, succeeding()));
        assertNull(deadLetters.all.peek());
        assertFalse(buffer.isClosed());
        assertEquals(0, checked(buffer).added());
    }
}

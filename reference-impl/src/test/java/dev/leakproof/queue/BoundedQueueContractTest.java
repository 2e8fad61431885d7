package dev.leakproof.queue;

import dev.leakproof.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract of {@link BoundedQueue} (Q1-Q4, the README's invariants), run against every
 * {@link OverflowStrategy}: adding a strategy means adding one nested class at the bottom.
 * After every test the invariants Q1 and Q2 are checked on each queue the test built.
 */
final class BoundedQueueContractTest {

    /** The contract: every test here runs once per strategy, through the nested classes below. */
    abstract static class Contract {

        private final List<BoundedQueue<?>> built = new ArrayList<>();
        final RecordingListener<Integer> drops = new RecordingListener<>();

        abstract OverflowStrategy strategy();

        /** A queue of this strategy whose BLOCK offers do not wait unless a test asks them to. */
        BoundedQueue<Integer> queue(int capacity) {
            BoundedQueue<Integer> q = BoundedQueue.<Integer>builder()
                    .name(strategy() + "-test").capacity(capacity).strategy(strategy())
                    .blockTimeout(Duration.ZERO).dropListener(drops).build();
            built.add(q);
            return q;
        }

        /** Offers and reports acceptance, whatever way the strategy refuses. */
        static boolean offerAnyway(BoundedQueue<Integer> q, int e) {
            try {
                return q.offer(e);
            } catch (QueueFullException refused) {
                return false;
            }
        }

        @AfterEach
        void checkInvariants() {
            built.forEach(QueueInvariants::check);
        }

        // ---------------------------------------------------------------- Q1

        @Test
        @DisplayName("Q1: size stays within the exact capacity when overfilled")
        void shouldKeepSizeWithinExactCapacityWhenOverfilled() {
            BoundedQueue<Integer> q = queue(5);
            for (int i = 0; i < 20; i++) {
                offerAnyway(q, i);
                assertTrue(q.size() <= 5, "Q1: size " + q.size() + " above capacity 5");
            }
            assertEquals(5, q.size());
            assertEquals(5, q.capacity());
            assertEquals(0, q.remainingCapacity());
            assertEquals(5, q.metrics().highWaterMark());
        }

        @Test
        @DisplayName("Q1: capacity is exact for sizes that are not powers of two")
        void shouldHonourExactCapacityWhenNotPowerOfTwo() {
            for (int capacity : new int[] {1, 3, 7, 100, 1000}) {
                BoundedQueue<Integer> q = queue(capacity);
                int accepted = 0;
                for (int i = 0; i < capacity; i++) {
                    assertTrue(offerAnyway(q, i), "offer " + i + " of " + capacity + " refused below capacity");
                    accepted++;
                }
                assertEquals(capacity, accepted);
                assertEquals(capacity, q.size());
                offerAnyway(q, -1);
                assertEquals(capacity, q.size(), "Q1: size must not exceed " + capacity);
                q.clear();
            }
        }

        // ---------------------------------------------------------------- FIFO and delivery

        @Test
        void shouldDeliverInFifoOrderWhenNotFull() throws InterruptedException {
            BoundedQueue<Integer> q = queue(10);
            for (int i = 0; i < 10; i++) {
                assertTrue(offerAnyway(q, i));
            }
            assertEquals(0, q.peek());
            for (int i = 0; i < 5; i++) {
                assertEquals(i, q.poll());
            }
            assertEquals(5, q.take());
            assertEquals(6, q.poll(1, TimeUnit.SECONDS));
            List<Integer> rest = new ArrayList<>();
            assertEquals(3, q.drainTo(rest));
            assertEquals(List.of(7, 8, 9), rest);
            assertNull(q.poll());
            assertNull(q.peek());
            assertEquals(10, q.metrics().delivered());
        }

        @Test
        void shouldWrapAroundTheRingManyTimesWhenUsedContinuously() {
            BoundedQueue<Integer> q = queue(3);
            for (int i = 0; i < 10_000; i++) {
                assertTrue(offerAnyway(q, i));
                if (i % 2 == 1) {
                    assertEquals(i - 1, q.poll());
                    assertEquals(i, q.poll());
                }
            }
            assertEquals(10_000, q.metrics().delivered());
        }

        @Test
        void shouldIterateOverElementsHeadFirstWhenAsked() {
            BoundedQueue<Integer> q = queue(4);
            for (int i = 0; i < 3; i++) {
                offerAnyway(q, i);
            }
            List<Integer> seen = new ArrayList<>();
            q.iterator().forEachRemaining(seen::add);
            assertEquals(List.of(0, 1, 2), seen);
            assertTrue(q.contains(1));
            assertThrows(UnsupportedOperationException.class, () -> q.remove((Object) 1));
        }

        // ---------------------------------------------------------------- Q2 and Q3

        @Test
        @DisplayName("Q2/Q3: every element is delivered or handed to the listener exactly once")
        void shouldAccountForEveryElementExactlyOnceWhenOverfilled() {
            BoundedQueue<Integer> q = queue(4);
            Set<Integer> delivered = new HashSet<>();
            for (int i = 0; i < 100; i++) {
                offerAnyway(q, i);
                if (i % 3 == 0) {
                    Integer e = q.poll();
                    if (e != null) {
                        assertTrue(delivered.add(e), "delivered twice: " + e);
                    }
                }
            }
            q.close();
            Integer e;
            while ((e = q.poll()) != null) {
                assertTrue(delivered.add(e), "delivered twice: " + e);
            }
            Set<Integer> dropped = new HashSet<>(drops.list());
            assertEquals(drops.list().size(), dropped.size(), "Q3: an element reached the listener twice");
            for (Integer d : dropped) {
                assertFalse(delivered.contains(d), "Q3: element " + d + " both delivered and dropped");
            }
            assertEquals(100, delivered.size() + dropped.size(), "Q3: an element was lost");
            QueueMetrics m = q.metrics();
            assertEquals(100, m.offered());
            assertEquals(delivered.size(), m.delivered());
            assertEquals(dropped.size(), m.dropped());
        }

        @Test
        @DisplayName("Q3: clear() hands what it removes to the listener")
        void shouldHandClearedElementsToListenerWhenCleared() {
            BoundedQueue<Integer> q = queue(4);
            offerAnyway(q, 1);
            offerAnyway(q, 2);
            q.clear();
            assertEquals(0, q.size());
            assertEquals(List.of(1, 2), drops.list());
            assertEquals(2, drops.count(DropReason.DISCARDED));
            assertEquals(2, q.metrics().discarded());
        }

        // ---------------------------------------------------------------- close

        @Test
        @DisplayName("Q3: an offer after close is refused and reaches the listener")
        void shouldRefuseOfferWhenClosed() throws InterruptedException {
            BoundedQueue<Integer> q = queue(4);
            q.close();
            assertTrue(q.isClosed());
            assertFalse(q.offer(1));
            assertFalse(q.offer(2, 10, TimeUnit.MILLISECONDS));
            assertThrows(QueueClosedException.class, () -> q.put(3));
            assertThrows(QueueClosedException.class, () -> q.add(4));
            assertEquals(List.of(1, 2, 3, 4), drops.list());
            assertEquals(4, drops.count(DropReason.CLOSED));
            assertEquals(4, q.metrics().rejected());
        }

        @Test
        void shouldLetConsumersDrainWhenClosed() throws InterruptedException {
            BoundedQueue<Integer> q = queue(4);
            offerAnyway(q, 1);
            offerAnyway(q, 2);
            q.close();
            q.close();
            assertEquals(1, q.take());
            assertEquals(2, q.poll(1, TimeUnit.SECONDS));
            assertThrows(QueueClosedException.class, q::take);
            assertNull(q.poll(1, TimeUnit.SECONDS), "a closed empty queue must not wait");
            assertTrue(drops.list().isEmpty());
        }

        @Test
        @DisplayName("Q3: closeAndDiscard hands everything left to the listener")
        void shouldDiscardRemainingWhenClosedAndDiscarded() {
            BoundedQueue<Integer> q = queue(4);
            offerAnyway(q, 1);
            offerAnyway(q, 2);
            offerAnyway(q, 3);
            assertEquals(3, q.closeAndDiscard());
            assertEquals(0, q.closeAndDiscard());
            assertEquals(List.of(1, 2, 3), drops.list());
            assertEquals(3, q.metrics().discarded());
            assertNull(q.poll());
        }

        @Test
        void shouldDiscardOnPlainCloseWhenBuiltToDiscard() {
            BoundedQueue<Integer> q = BoundedQueue.<Integer>builder().capacity(3).strategy(strategy())
                    .discardOnClose(true).dropListener(drops).build();
            built.add(q);
            q.offer(1);
            q.close();
            assertEquals(List.of(1), drops.list());
        }

        @Test
        @DisplayName("Q4: a consumer blocked in take() wakes on close")
        void shouldWakeBlockedConsumerWhenClosed() throws InterruptedException {
            BoundedQueue<Integer> q = queue(2);
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread consumer = new Thread(() -> {
                try {
                    q.take();
                } catch (Throwable t) {
                    outcome.set(t);
                }
            }, "blocked-consumer");
            consumer.start();
            Await.parked(consumer);
            q.close();
            Await.ended(consumer, Duration.ofSeconds(5));
            assertTrue(outcome.get() instanceof QueueClosedException, "take() must end with QueueClosedException, got " + outcome.get());
        }

        @Test
        @DisplayName("Q4: a consumer blocked in poll(timeout) wakes on interrupt")
        void shouldWakeBlockedConsumerWhenInterrupted() {
            BoundedQueue<Integer> q = queue(2);
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread consumer = new Thread(() -> {
                try {
                    q.poll(1, TimeUnit.MINUTES);
                } catch (Throwable t) {
                    outcome.set(t);
                }
            }, "interrupted-consumer");
            consumer.start();
            Await.parked(consumer);
            consumer.interrupt();
            Await.ended(consumer, Duration.ofSeconds(5));
            assertTrue(outcome.get() instanceof InterruptedException, "expected InterruptedException, got " + outcome.get());
        }

        @Test
        @DisplayName("Q4: a consumer blocked in take() wakes when an element arrives")
        void shouldWakeBlockedConsumerWhenElementArrives() throws InterruptedException {
            BoundedQueue<Integer> q = queue(2);
            AtomicReference<Integer> got = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            Thread consumer = new Thread(() -> {
                try {
                    got.set(q.take());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                done.countDown();
            }, "waiting-consumer");
            consumer.start();
            Await.parked(consumer);
            assertTrue(offerAnyway(q, 42));
            assertTrue(done.await(5, TimeUnit.SECONDS), "consumer did not wake");
            assertEquals(42, got.get());
        }

        @Test
        @DisplayName("Q4: poll(timeout) returns null once its timeout passes")
        void shouldReturnNullWhenPollTimesOut() throws InterruptedException {
            BoundedQueue<Integer> q = queue(2);
            assertNull(q.poll(20, TimeUnit.MILLISECONDS));
            assertNull(q.poll(0, TimeUnit.MILLISECONDS));
        }

        // ---------------------------------------------------------------- listener failures

        @Test
        void shouldCountListenerFailureAndKeepWorkingWhenListenerThrows() {
            BoundedQueue<Integer> q = BoundedQueue.<Integer>builder().capacity(1).strategy(strategy())
                    .blockTimeout(Duration.ZERO)
                    .dropListener((e, r) -> {
                        throw new IllegalStateException("listener failure for the test");
                    }).build();
            built.add(q);
            for (int i = 0; i < 10; i++) {
                offerAnyway(q, i);
            }
            QueueMetrics m = q.metrics();
            assertEquals(1, m.size());
            assertEquals(9, m.dropped());
            assertEquals(9, m.listenerFailures());
            assertTrue(q.poll() != null);
            assertTrue(offerAnyway(q, 100), "queue must keep working after listener failures");
        }

        // ---------------------------------------------------------------- bad input

        @Test
        void shouldRejectNullElementWithoutCountingIt() {
            BoundedQueue<Integer> q = queue(2);
            NullPointerException e = assertThrows(NullPointerException.class, () -> q.offer(null));
            assertTrue(e.getMessage().contains("element"));
            assertThrows(NullPointerException.class, () -> q.put(null));
            assertThrows(NullPointerException.class, () -> q.add(null));
            assertThrows(NullPointerException.class, () -> q.offer(null, 1, TimeUnit.SECONDS));
            assertEquals(0, q.metrics().offered());
        }

        @Test
        void shouldRejectCapacityWhenZeroNegativeOrTooLarge() {
            for (int bad : new int[] {0, -1, Integer.MIN_VALUE, BoundedQueue.MAX_CAPACITY + 1}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> BoundedQueue.builder().capacity(bad));
                assertTrue(e.getMessage().contains(String.valueOf(bad)), e.getMessage());
                assertTrue(e.getMessage().contains("capacity"), e.getMessage());
            }
        }

        @Test
        void shouldRejectNegativeTimeoutWhenOfferingOrPolling() {
            BoundedQueue<Integer> q = queue(2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.offer(1, -1, TimeUnit.SECONDS));
            assertTrue(e.getMessage().contains("-1"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> q.poll(-5, TimeUnit.MILLISECONDS));
            assertThrows(IllegalArgumentException.class, () -> BoundedQueue.builder().blockTimeout(Duration.ofMillis(-1)));
            assertEquals(0, q.size(), "a refused call leaves the queue unchanged");
            assertEquals(0, q.metrics().offered());
        }

        @Test
        void shouldRejectDrainIntoItselfWhenAsked() {
            BoundedQueue<Integer> q = queue(2);
            offerAnyway(q, 1);
            assertThrows(IllegalArgumentException.class, () -> q.drainTo(q));
            assertEquals(1, q.size());
        }

    }

    // ---------------------------------------------------------------- per strategy

    @Nested
    class Block extends Contract {
        @Override
        OverflowStrategy strategy() {
            return OverflowStrategy.BLOCK;
        }

        @Test
        void shouldTimeOutAndDropWhenFullForTheWholeTimeout() throws InterruptedException {
            BoundedQueue<Integer> q = queue(1);
            assertTrue(q.offer(1));
            assertFalse(q.offer(2, 20, TimeUnit.MILLISECONDS));
            assertFalse(q.offer(3), "zero block timeout refuses at once");
            assertEquals(List.of(2, 3), drops.list());
            assertEquals(2, q.metrics().timedOut());
        }

        @Test
        @DisplayName("Q4: a producer blocked on a full queue wakes when a consumer frees space")
        void shouldWakeBlockedProducerWhenSpaceFrees() throws InterruptedException {
            BoundedQueue<Integer> q = queue(1);
            q.offer(1);
            AtomicReference<Boolean> accepted = new AtomicReference<>();
            Thread producer = new Thread(() -> {
                try {
                    accepted.set(q.offer(2, 1, TimeUnit.MINUTES));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "blocked-producer");
            producer.start();
            Await.parked(producer);
            assertEquals(1, q.poll());
            Await.ended(producer, Duration.ofSeconds(5));
            assertEquals(Boolean.TRUE, accepted.get());
            assertEquals(2, q.poll());
        }

        @Test
        @DisplayName("Q4: put() waits without a limit until space frees")
        void shouldWaitInPutUntilSpaceFrees() {
            BoundedQueue<Integer> q = queue(1);
            q.offer(1);
            Thread producer = new Thread(() -> {
                try {
                    q.put(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "put-producer");
            producer.start();
            Await.parked(producer);
            assertEquals(1, q.poll());
            Await.ended(producer, Duration.ofSeconds(5));
            assertEquals(2, q.poll());
        }

        @Test
        @DisplayName("Q4/Q3: a producer blocked on a full queue wakes on close and its element is dropped")
        void shouldWakeBlockedProducerAndDropItsElementWhenClosed() {
            BoundedQueue<Integer> q = queue(1);
            q.offer(1);
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread producer = new Thread(() -> {
                try {
                    outcome.set(q.offer(2, 1, TimeUnit.MINUTES));
                } catch (Throwable t) {
                    outcome.set(t);
                }
            }, "closing-producer");
            producer.start();
            Await.parked(producer);
            q.close();
            Await.ended(producer, Duration.ofSeconds(5));
            assertEquals(Boolean.FALSE, outcome.get());
            assertEquals(List.of(2), drops.list());
            assertEquals(1, drops.count(DropReason.CLOSED));
        }

        @Test
        @DisplayName("Q4/Q3: a producer blocked on a full queue wakes on interrupt and its element is dropped")
        void shouldWakeBlockedProducerAndDropItsElementWhenInterrupted() {
            BoundedQueue<Integer> q = queue(1);
            q.offer(1);
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread producer = new Thread(() -> {
                try {
                    outcome.set(q.offer(2, 1, TimeUnit.MINUTES));
                } catch (Throwable t) {
                    outcome.set(t);
                }
            }, "interrupted-producer");
            producer.start();
            Await.parked(producer);
            producer.interrupt();
            Await.ended(producer, Duration.ofSeconds(5));
            assertTrue(outcome.get() instanceof InterruptedException, "got " + outcome.get());
            assertEquals(List.of(2), drops.list());
            assertEquals(1, drops.count(DropReason.INTERRUPTED));
        }

        @Test
        void shouldRestoreInterruptWhenPlainOfferIsInterrupted() {
            BoundedQueue<Integer> q = BoundedQueue.<Integer>builder().capacity(1).strategy(OverflowStrategy.BLOCK)
                    .blockTimeout(Duration.ofMinutes(1)).dropListener(drops).build();
            q.offer(1);
            Thread.currentThread().interrupt();
            try {
                assertFalse(q.offer(2));
                assertTrue(Thread.currentThread().isInterrupted(), "interrupt status must be kept");
            } finally {
                Thread.interrupted();
            }
            assertEquals(1, drops.count(DropReason.INTERRUPTED));
        }
    }

    @Nested
    class DropOldest extends Contract {
        @Override
        OverflowStrategy strategy() {
            return OverflowStrategy.DROP_OLDEST;
        }

        @Test
        void shouldEvictHeadAndKeepNewestWhenFull() {
            BoundedQueue<Integer> q = queue(3);
            for (int i = 0; i < 5; i++) {
                assertTrue(q.offer(i), "DROP_OLDEST always accepts");
            }
            assertEquals(List.of(0, 1), drops.list());
            assertEquals(2, drops.count(DropReason.EVICTED_OLDEST));
            assertEquals(2, q.metrics().droppedOldest());
            assertEquals(2, q.poll());
            assertEquals(3, q.poll());
            assertEquals(4, q.poll());
        }

        @Test
        void shouldNotBlockPutWhenFull() throws InterruptedException {
            BoundedQueue<Integer> q = queue(1);
            q.put(1);
            q.put(2);
            assertEquals(2, q.poll());
        }
    }

    @Nested
    class DropNewest extends Contract {
        @Override
        OverflowStrategy strategy() {
            return OverflowStrategy.DROP_NEWEST;
        }

        @Test
        void shouldRefuseNewElementAndKeepOldestWhenFull() {
            BoundedQueue<Integer> q = queue(3);
            for (int i = 0; i < 5; i++) {
                assertEquals(i < 3, q.offer(i));
            }
            assertEquals(List.of(3, 4), drops.list());
            assertEquals(2, q.metrics().droppedNewest());
            assertEquals(0, q.poll());
        }

        @Test
        void shouldThrowFromAddWhenFull() {
            BoundedQueue<Integer> q = queue(1);
            q.add(1);
            assertThrows(QueueFullException.class, () -> q.add(2));
            assertEquals(1, drops.count(DropReason.REFUSED_FULL));
        }
    }

    @Nested
    class Fail extends Contract {
        @Override
        OverflowStrategy strategy() {
            return OverflowStrategy.FAIL;
        }

        @Test
        void shouldThrowAndDropWhenFull() {
            BoundedQueue<Integer> q = queue(2);
            q.offer(1);
            q.offer(2);
            QueueFullException e = assertThrows(QueueFullException.class, () -> q.offer(3));
            assertTrue(e.getMessage().contains("capacity 2"), e.getMessage());
            assertThrows(QueueFullException.class, () -> q.put(4));
            assertEquals(List.of(3, 4), drops.list());
            assertEquals(2, q.metrics().rejected());
            assertEquals(2, q.size());
        }
    }

    // ---------------------------------------------------------------- configuration (strategy-independent)

    @Nested
    class Configuration {
        @Test
        void shouldReadSettingsWhenEnvironmentHasThem() {
            BoundedQueue<Object> q = BoundedQueue.builder().fromEnvironment(Map.of(
                    BoundedQueue.ENV_MAX_SIZE, "250",
                    BoundedQueue.ENV_STRATEGY, "drop-newest",
                    BoundedQueue.ENV_BLOCK_TIMEOUT, "250ms")).build();
            assertEquals(250, q.capacity());
            assertEquals(OverflowStrategy.DROP_NEWEST, q.strategy());
        }

        @Test
        void shouldReadSettingsWhenPropertiesHaveThem() {
            Properties p = new Properties();
            p.setProperty(BoundedQueue.PROP_MAX_SIZE, "7");
            p.setProperty(BoundedQueue.PROP_STRATEGY, "BLOCK");
            BoundedQueue<Object> q = BoundedQueue.builder().fromProperties(p).build();
            assertEquals(7, q.capacity());
            assertEquals(OverflowStrategy.BLOCK, q.strategy());
        }

        @Test
        void shouldKeepDefaultsWhenNothingIsSet() {
            BoundedQueue<Object> q = BoundedQueue.builder().fromEnvironment(Map.of()).build();
            assertEquals(BoundedQueue.DEFAULT_CAPACITY, q.capacity());
            assertEquals(BoundedQueue.DEFAULT_STRATEGY, q.strategy());
        }

        @Test
        void shouldNameKeyValueAndRangeWhenSettingIsBad() {
            assertBad(Map.of(BoundedQueue.ENV_MAX_SIZE, "0"), BoundedQueue.ENV_MAX_SIZE, "'0'", "1 to");
            assertBad(Map.of(BoundedQueue.ENV_MAX_SIZE, "lots"), BoundedQueue.ENV_MAX_SIZE, "'lots'", "integer");
            assertBad(Map.of(BoundedQueue.ENV_STRATEGY, "sometimes"), BoundedQueue.ENV_STRATEGY, "'sometimes'", "DROP_OLDEST");
            assertBad(Map.of(BoundedQueue.ENV_BLOCK_TIMEOUT, "-3s"), BoundedQueue.ENV_BLOCK_TIMEOUT, "'-3s'", "duration");
        }

        @Test
        void shouldLeaveBuilderUnchangedWhenOneSettingIsBad() {
            BoundedQueue.Builder<Object> b = BoundedQueue.builder().capacity(9);
            assertThrows(IllegalArgumentException.class, () -> b.fromEnvironment(Map.of(
                    BoundedQueue.ENV_MAX_SIZE, "20", BoundedQueue.ENV_STRATEGY, "nope")));
            assertEquals(9, b.build().capacity());
        }

        private void assertBad(Map<String, String> env, String... mustMention) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BoundedQueue.builder().fromEnvironment(env));
            for (String s : mustMention) {
                assertTrue(e.getMessage().contains(s), () -> "'" + e.getMessage() + "' should mention " + s);
            }
        }
    }
}

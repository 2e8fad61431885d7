package dev.leakproof.queue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several producers and consumers move a fixed count of distinct elements through a small queue;
 * afterwards every element must have been delivered or handed to the drop listener, exactly once
 * (Q2, Q3). Bounded in count and by the test timeout; the queue is small so that every strategy's
 * overflow path runs many times.
 */
class BoundedQueueConservationTest {

    private static final int PRODUCERS = 2;
    private static final int CONSUMERS = 2;
    private static final int PER_PRODUCER = 100_000;
    private static final int TOTAL = PRODUCERS * PER_PRODUCER;

    /** Capacity 1 is the smallest ring; 7 is not a power of two, so the producer limit is exercised. */
    static Stream<Arguments> strategiesAndCapacities() {
        return Stream.of(OverflowStrategy.values())
                .flatMap(s -> Stream.of(Arguments.of(s, 1), Arguments.of(s, 7)));
    }

    @ParameterizedTest(name = "{0}, capacity {1}")
    @MethodSource("strategiesAndCapacities")
    @DisplayName("Q2/Q3: concurrent producers and consumers lose and duplicate nothing")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldDeliverOrDropEveryElementExactlyOnceWhenProducersAndConsumersRace(OverflowStrategy strategy, int capacity)
            throws InterruptedException {
        AtomicIntegerArray seen = new AtomicIntegerArray(TOTAL);
        AtomicInteger droppedSeen = new AtomicInteger();
        BoundedQueue<Integer> q = BoundedQueue.<Integer>builder().name("conservation-" + strategy)
                .capacity(capacity).strategy(strategy)
                .dropListener((e, r) -> {
                    seen.incrementAndGet(e);
                    droppedSeen.incrementAndGet();
                })
                .build();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch producersDone = new CountDownLatch(PRODUCERS);
        AtomicInteger deliveredSeen = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            int base = p * PER_PRODUCER;
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < PER_PRODUCER; i++) {
                        try {
                            q.offer(base + i, 50, TimeUnit.MICROSECONDS);
                        } catch (QueueFullException refused) {
                            // FAIL: the element went to the listener; the test counts it there.
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    producersDone.countDown();
                }
            }, "producer-" + p));
        }
        for (int c = 0; c < CONSUMERS; c++) {
            threads.add(new Thread(() -> {
                try {
                    for (;;) {
                        Integer e = q.poll(100, TimeUnit.MICROSECONDS);
                        if (e != null) {
                            seen.incrementAndGet(e);
                            deliveredSeen.incrementAndGet();
                        } else if (producersDone.getCount() == 0 && q.isEmpty()) {
                            return;
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "consumer-" + c));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(50));
            assertTrue(!t.isAlive(), t.getName() + " did not finish");
        }
        assertNull(failure.get(), () -> "a worker thread failed: " + failure.get());
        for (int i = 0; i < TOTAL; i++) {
            int count = seen.get(i);
            if (count != 1) {
                throw new AssertionError("Q3: element " + i + " was delivered or dropped " + count + " times");
            }
        }
        QueueMetrics m = q.metrics();
        assertEquals(TOTAL, m.offered());
        assertEquals(deliveredSeen.get(), m.delivered());
        assertEquals(droppedSeen.get(), m.dropped());
        assertEquals(0, m.size());
        QueueInvariants.check(q);
    }
}

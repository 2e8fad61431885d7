package dev.leakproof.retry;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ring that holds never-attempted items: order across wrap-around, growth and shrinking,
 * the oldest item chosen between the ring and the retries, and no item kept after it left.
 */
class RetryBufferRingTest extends RetryBufferTestSupport {

    private static final Duration HOUR = Duration.ofHours(1);

    @Test
    @DisplayName("R1, R2: items leave in arrival order while the ring wraps and grows; a small ring is kept")
    void shouldKeepArrivalOrderWhenRingWrapsAndGrows() {
        RetryBuffer<String> buffer = build(builder().maxBufferSize(1000).maxAge(HOUR));
        List<String> added = new ArrayList<>();
        List<String> taken = new ArrayList<>();
        int next = 0;
        // Add 5 and take 3 per round: the head moves through the ring while it fills and grows.
        for (int round = 0; round < 60; round++) {
            for (int k = 0; k < 5; k++) {
                String item = "i" + next++;
                added.add(item);
                buffer.add(item);
            }
            takeAndSucceed(buffer, 3, taken);
            assertTrue(checked(buffer).isConserved(), "R1 in round " + round);
        }
        assertEquals(120, buffer.size());
        assertEquals(128, buffer.ringLength(), "grown to the next power of two above the items held");
        while (buffer.size() > 0) {
            takeAndSucceed(buffer, 7, taken);
        }
        assertEquals(added, taken, "every item taken once, oldest first (R2)");
        assertEquals(128, buffer.ringLength(), "a ring of at most RING_KEEP slots is kept when it empties");
        assertTrue(checked(buffer).isConserved());
    }

    @Test
    @DisplayName("R3: eviction takes the older of the ring's head and the first retry, across wrap-around")
    void shouldEvictOldestAcrossRingAndRetriesWhenFull() {
        RetryBuffer<String> buffer = build(builder().maxBufferSize(12).maxAttempts(5).maxAge(HOUR));
        for (int i = 0; i < 12; i++) {
            buffer.add("a" + i); // slots 0..11 of the 16-slot ring
        }
        // a0..a2 fail once and wait for a retry: they are older than everything in the ring.
        buffer.take(3).orElseThrow().complete(BatchResult.failed(new IOException("down")));
        for (int i = 0; i < 9; i++) {
            buffer.add("b" + i); // slots 12..15, then 0..4: the ring wraps without growing
        }
        // Full at 12: b0..b2 evicted the retries a0..a2 (oldest), b3..b8 evicted a3..a8 from the ring.
        assertEquals(List.of("a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"),
                deadLetters.items(AbandonReason.EVICTED_CAPACITY));
        assertEquals(1, deadLetters.all.stream().filter(a -> a.item().equals("a0")).findFirst().orElseThrow().attempts());
        assertEquals(0, deadLetters.all.stream().filter(a -> a.item().equals("a3")).findFirst().orElseThrow().attempts());
        assertEquals(12, buffer.size(), "R3");
        assertEquals(16, buffer.ringLength(), "wrapped, not grown");
        List<String> taken = new ArrayList<>();
        takeAndSucceed(buffer, 100, taken);
        List<String> expected = new ArrayList<>(List.of("a9", "a10", "a11"));
        for (int i = 0; i < 9; i++) {
            expected.add("b" + i);
        }
        assertEquals(expected, taken);
    }

    @Test
    @DisplayName("R1: items expire from the ring oldest first, with their age, while the ring is wrapped")
    void shouldExpireFromRingOldestFirstWhenMaxAgePasses() {
        RetryBuffer<String> buffer = build(builder().maxBufferSize(100).maxAge(Duration.ofMinutes(10)));
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            buffer.add("old" + i);
        }
        takeAndSucceed(buffer, 4, taken); // the head is now at slot 4
        clock.advance(Duration.ofMinutes(6));
        for (int i = 0; i < 10; i++) {
            buffer.add("new" + i); // slots 10..15, then 0..3: full and wrapped, not grown
        }
        assertEquals(16, buffer.ringLength());
        clock.advance(Duration.ofMinutes(5)); // old* are 11 minutes old, new* 5
        assertEquals(Duration.ofMinutes(11), buffer.health().maxItemAge(), "the oldest item's age is read from the ring");
        assertEquals(6, buffer.cleanup(), "old4..old9 expire");
        assertEquals(List.of("old4", "old5", "old6", "old7", "old8", "old9"), deadLetters.items(AbandonReason.EXPIRED));
        assertEquals(Duration.ofMinutes(11), deadLetters.all.peek().age());
        assertEquals(10, buffer.size());
        assertEquals(Duration.ofMinutes(5), buffer.health().maxItemAge());
        takeAndSucceed(buffer, 100, taken);
        assertEquals(List.of("old0", "old1", "old2", "old3", "new0", "new1", "new2", "new3", "new4", "new5", "new6",
                "new7", "new8", "new9"), taken);
        assertTrue(checked(buffer).isConserved());
    }

    @Test
    @DisplayName("The buffer keeps no reference to an item once it is evicted or taken")
    void shouldNotRetainItemWhenItLeftTheRing() throws InterruptedException {
        // Not tracked by the fixture: its recording listener would itself keep the evicted item.
        AtomicInteger abandoned = new AtomicInteger();
        RetryBuffer<Object> buffer = RetryBuffer.builder().clock(clock).periodicCleanup(false).backoff(BackoffPolicy.none())
                .maxBufferSize(2).maxAge(HOUR).deadLetterListener(a -> abandoned.incrementAndGet()).build();
        try {
            WeakReference<Object> evicted = addWeakly(buffer);
            WeakReference<Object> taken = addWeakly(buffer);
            buffer.add(new Object()); // full at 2: evicts the first
            buffer.take(1).orElseThrow().complete(BatchResult.succeeded()); // takes the second
            assertEquals(1, abandoned.get());
            assertTrue(awaitCleared(evicted), "an evicted item is not kept by the ring");
            assertTrue(awaitCleared(taken), "a taken and completed item is not kept by the ring");
            assertEquals(1, buffer.size());
        } finally {
            buffer.close();
        }
    }

    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

    private WeakReference<Object> addWeakly(RetryBuffer<Object> buffer) {
        Object item = new Object();
        buffer.add(item);
        return new WeakReference<>(item, collected);
    }

    /** Whether the collector clears {@code ref}, asking for a collection up to 50 times, 20 ms of waiting each. */
    private boolean awaitCleared(WeakReference<Object> ref) throws InterruptedException {
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            collected.remove(20); // returns as soon as a reference is enqueued
        }
        return ref.get() == null;
    }

    private static void takeAndSucceed(RetryBuffer<String> buffer, int n, List<String> taken) {
        buffer.take(n).ifPresent(batch -> {
            taken.addAll(batch.items());
            batch.complete(BatchResult.succeeded());
        });
    }

    @Test
    @DisplayName("A large ring halves as it empties, down to RING_KEEP slots, and keeps its items in order")
    void shouldShrinkLargeRingAndKeepOrderWhenItEmpties() {
        RetryBuffer<String> buffer = build(builder().maxBufferSize(10_000).maxAge(HOUR));
        for (int i = 0; i < 5000; i++) {
            buffer.add("x" + i);
        }
        assertEquals(8192, buffer.ringLength());
        List<String> taken = new ArrayList<>();
        // Leaves 1000: below a quarter of 8192 the ring halves to 4096, below a quarter of that to 2048.
        takeAndSucceed(buffer, 4000, taken);
        assertEquals(2048, buffer.ringLength());
        buffer.add("y"); // the ring, shrunk while its head was mid-way, still appends in order
        takeAndSucceed(buffer, 10_000, taken);
        assertEquals(RetryBuffer.RING_KEEP, buffer.ringLength(), "halved down to RING_KEEP, never below");
        assertEquals(5001, taken.size());
        for (int i = 0; i < 5000; i++) {
            assertEquals("x" + i, taken.get(i));
        }
        assertEquals("y", taken.get(5000));
        assertNull(buffer.take(1).orElse(null));
        assertTrue(checked(buffer).isConserved());
    }
}

package dev.leakproof.retry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Periodic cleanup on an owned or an injected scheduler, and no thread left running after close. */
@Timeout(30)
class RetryBufferSchedulerTest extends RetryBufferTestSupport {

    private static Thread findThread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst().orElse(null);
    }

    @Test
    void shouldEndOwnedCleanupThreadWhenClosed() throws InterruptedException {
        CountDownLatch expired = new CountDownLatch(1);
        DeadLetters<String> letters = new DeadLetters<>() {
            @Override
            public void onAbandoned(Abandoned<String> abandoned) {
                super.onAbandoned(abandoned);
                expired.countDown();
            }
        };
        RetryBuffer<String> buffer = track(RetryBuffer.<String>builder().name("owned").clock(clock)
                .maxAge(Duration.ofMinutes(1)).cleanupInterval(Duration.ofMillis(1)).deadLetterListener(letters).build(), letters);
        buffer.add("x");
        clock.advance(Duration.ofMinutes(2));
        assertTrue(expired.await(20, TimeUnit.SECONDS), "periodic cleanup on the owned thread expired the item");
        assertEquals(AbandonReason.EXPIRED, letters.only().reason());

        Thread cleanup = findThread("leakproof-retry-cleanup-owned");
        assertTrue(cleanup != null && cleanup.isDaemon(), "a named daemon cleanup thread");
        buffer.close();
        assertFalse(cleanup.isAlive(), "close() leaves no thread running");
    }

    @Test
    void shouldCancelTaskButNotShutDownInjectedSchedulerWhenClosed() throws InterruptedException {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
        scheduler.setRemoveOnCancelPolicy(true);
        try {
            CountDownLatch expired = new CountDownLatch(1);
            DeadLetters<String> letters = new DeadLetters<>() {
                @Override
                public void onAbandoned(Abandoned<String> abandoned) {
                    super.onAbandoned(abandoned);
                    expired.countDown();
                }
            };
            RetryBuffer<String> buffer = track(RetryBuffer.<String>builder().clock(clock).scheduler(scheduler)
                    .maxAge(Duration.ofMinutes(1)).cleanupInterval(Duration.ofMillis(1)).deadLetterListener(letters).build(), letters);
            assertEquals(1, scheduler.getQueue().size(), "one periodic cleanup task");
            buffer.add("x");
            clock.advance(Duration.ofMinutes(2));
            assertTrue(expired.await(20, TimeUnit.SECONDS), "periodic cleanup on the injected scheduler expired the item");
            buffer.close();
            assertFalse(scheduler.isShutdown(), "the caller owns the scheduler");
            assertEquals(0, scheduler.getQueue().size(), "the task was cancelled");
        } finally {
            scheduler.shutdownNow();
            assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldEndOwnedCleanupThreadWhenBufferIsCollectedWithoutClose() throws InterruptedException {
        Thread cleanup = startAndDropBuffer();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (cleanup.isAlive() && System.nanoTime() - deadline < 0) {
            System.gc();
            cleanup.join(50);
        }
        assertFalse(cleanup.isAlive(), "a forgotten buffer must not keep its cleanup thread alive");
    }

    /** Builds a buffer with an owned scheduler and returns only its cleanup thread: the buffer is then unreachable. */
    private static Thread startAndDropBuffer() throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        RetryBuffer<String> buffer = RetryBuffer.<String>builder().name("forgotten").cleanupInterval(Duration.ofMillis(1))
                .maxAge(Duration.ofMillis(1)).deadLetterListener(a -> ran.countDown()).build();
        buffer.add("x"); // expires after 1 ms: its dead letter shows that the cleanup thread runs
        assertTrue(ran.await(20, TimeUnit.SECONDS));
        Thread cleanup = findThread("leakproof-retry-cleanup-forgotten");
        assertTrue(cleanup != null && cleanup.isAlive());
        return cleanup;
    }

    @Test
    void shouldStartNoThreadWhenPeriodicCleanupIsOff() {
        RetryBuffer<String> buffer = build(builder().name("quiet"));
        assertEquals(null, findThread("leakproof-retry-cleanup-quiet"));
        buffer.add("x");
        assertEquals(1, buffer.size());
    }

    @Test
    void shouldNotWaitForItselfWhenClosedFromTheCleanupThread() throws InterruptedException {
        CountDownLatch closed = new CountDownLatch(1);
        long[] closeNanos = {-1};
        RetryBuffer<?>[] self = new RetryBuffer<?>[1];
        DeadLetters<String> letters = new DeadLetters<>() {
            @Override
            public void onAbandoned(Abandoned<String> abandoned) {
                super.onAbandoned(abandoned);
                if (abandoned.reason() == AbandonReason.EXPIRED) {
                    long start = System.nanoTime();
                    self[0].close(); // a listener that closes the buffer from the cleanup thread
                    closeNanos[0] = System.nanoTime() - start;
                    closed.countDown();
                }
            }
        };
        RetryBuffer<String> buffer = track(RetryBuffer.<String>builder().name("selfclose").clock(clock)
                .maxAge(Duration.ofMinutes(1)).cleanupInterval(Duration.ofMillis(1)).deadLetterListener(letters).build(), letters);
        self[0] = buffer;
        buffer.add("old");
        clock.advance(Duration.ofMinutes(2));
        assertTrue(closed.await(20, TimeUnit.SECONDS), "close from the cleanup thread returned");
        // Waiting for itself would block for the scheduler's 10 s await: close must not wait at all.
        assertTrue(closeNanos[0] < TimeUnit.SECONDS.toNanos(1),
                () -> "close from the cleanup thread took " + closeNanos[0] / 1_000_000 + " ms; it must not wait for itself");
        Thread cleanup = findThread("leakproof-retry-cleanup-selfclose");
        if (cleanup != null) {
            cleanup.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(cleanup.isAlive(), "the cleanup thread ends once its task returns");
        }
        assertTrue(buffer.isClosed());
    }
}

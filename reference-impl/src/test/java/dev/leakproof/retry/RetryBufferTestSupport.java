package dev.leakproof.retry;

import org.junit.jupiter.api.AfterEach;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shared fixture: a manual clock, a recording dead-letter listener, and a check after each test
 * (Caffeine's validation habit) that R1–R3 hold on every buffer the test built, that closing it
 * leaves nothing buffered or in flight, and that every abandoned item reached the listener once.
 */
abstract class RetryBufferTestSupport {

    /**
     * A clock that moves only when told to. It starts 30 minutes before {@code Long.MAX_VALUE} so
     * that tests which advance it past that point check that every time comparison is made by
     * difference, as {@link System#nanoTime()} requires.
     */
    static final class ManualClock implements LongSupplier {
        private final AtomicLong now = new AtomicLong(Long.MAX_VALUE - Duration.ofMinutes(30).toNanos());

        @Override
        public long getAsLong() {
            return now.get();
        }

        void advance(Duration d) {
            now.addAndGet(d.toNanos());
        }
    }

    /** Records every abandoned item, in order. */
    static class DeadLetters<T> implements DeadLetterListener<T> {
        final ConcurrentLinkedQueue<Abandoned<T>> all = new ConcurrentLinkedQueue<>();

        @Override
        public void onAbandoned(Abandoned<T> abandoned) {
            all.add(abandoned);
        }

        List<T> items(AbandonReason reason) {
            return all.stream().filter(a -> a.reason() == reason).map(Abandoned::item).collect(Collectors.toList());
        }

        List<T> items() {
            return all.stream().map(Abandoned::item).collect(Collectors.toList());
        }

        Abandoned<T> only() {
            assertEquals(1, all.size(), () -> "expected exactly one abandoned item but got " + all);
            return all.peek();
        }
    }

    final ManualClock clock = new ManualClock();
    final DeadLetters<String> deadLetters = new DeadLetters<>();
    private final List<RetryBuffer<?>> built = new ArrayList<>();
    private final List<DeadLetters<?>> listeners = new ArrayList<>();

    /** A builder on the manual clock, without periodic cleanup or backoff, recording dead letters. */
    RetryBuffer.Builder<String> builder() {
        return RetryBuffer.<String>builder()
                .clock(clock)
                .periodicCleanup(false)
                .backoff(BackoffPolicy.none())
                .deadLetterListener(deadLetters);
    }

    /** Builds and registers the buffer for the after-each check. */
    <T> RetryBuffer<T> track(RetryBuffer<T> buffer, DeadLetters<T> letters) {
        built.add(buffer);
        listeners.add(letters);
        return buffer;
    }

    RetryBuffer<String> build(RetryBuffer.Builder<String> builder) {
        return track(builder.build(), deadLetters);
    }

    static RetryBufferHealth checked(RetryBuffer<?> buffer) {
        return buffer.health().checkInvariants();
    }

    @AfterEach
    void checkInvariantsAndClose() {
        for (int i = 0; i < built.size(); i++) {
            RetryBuffer<?> buffer = built.get(i);
            checked(buffer);
            buffer.close();
            RetryBufferHealth h = checked(buffer);
            assertEquals(0, h.size(), "R1 after close: nothing buffered");
            assertEquals(0, h.inFlightItems(), "R1 after close: nothing in flight");
            assertEquals(h.added(), h.succeeded() + h.abandonedTotal(), "R1 after close: every item left through one exit");
            // Each abandoned item reached the listener exactly once (the listener may have thrown; it was still called).
            long delivered = listeners.get(i).all.size();
            assertTrue(delivered <= h.abandonedTotal(), "listener called more often than items were abandoned");
            if (h.listenerFailures() == 0) {
                assertEquals(h.abandonedTotal(), delivered, "every abandoned item reached the dead-letter listener once");
            }
        }
    }
}

package dev.leakproof.retry;

import dev.leakproof.stress.Quiet;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** Retry buffers for stress states: no cleanup thread, an injected clock the state moves by hand. */
final class Buffers {

    static {
        Quiet.logs();
    }

    private Buffers() {
    }

    /** A state's clock: nanoseconds, moved by the state before the actors run. */
    static final class Clock {
        volatile long now;
    }

    static RetryBuffer<Integer> of(Clock clock, Duration maxAge, AtomicInteger deadLetters) {
        return RetryBuffer.<Integer>builder().name("stress").maxBufferSize(4).maxAge(maxAge).maxAttempts(3)
                .inFlightTimeout(Duration.ofSeconds(1)).backoff(BackoffPolicy.none()).clock(() -> clock.now)
                .periodicCleanup(false).deadLetterListener(a -> deadLetters.incrementAndGet()).build();
    }
}

package dev.leakproof.retry;

import java.time.Duration;
import java.util.Objects;

/**
 * An item that a {@link RetryBuffer} gave up, as handed to the {@link DeadLetterListener}.
 *
 * @param item        the item, never {@code null}
 * @param reason      why it was given up
 * @param attempts    how many times it was handed to a processor ({@code 0} if never), at most {@code maxAttempts}
 * @param age         time since it was first added (retries keep the original arrival time)
 * @param lastFailure the cause of its last failed batch, or {@code null} when none failed
 * @param <T>         the item type
 */
public record Abandoned<T>(T item, AbandonReason reason, int attempts, Duration age, Throwable lastFailure) {

    public Abandoned {
        Objects.requireNonNull(item, "item");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(age, "age");
    }
}

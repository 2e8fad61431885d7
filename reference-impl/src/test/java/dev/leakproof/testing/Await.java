package dev.leakproof.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Bounded waits on a condition, for tests: never a bare sleep. */
public final class Await {

    private Await() {
    }

    /** Waits until {@code condition} holds, failing after {@code limit}. */
    public static void until(String what, Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + limit + " waiting for: " + what);
            }
            LockSupport.parkNanos(200_000);
        }
    }

    /** Waits until {@code thread} is parked (waiting, with or without a timeout). */
    public static void parked(Thread thread) {
        until(thread.getName() + " to block", Duration.ofSeconds(10), () -> {
            Thread.State s = thread.getState();
            return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
        });
    }

    /** Joins {@code thread}, failing if it has not ended within {@code limit}. */
    public static void ended(Thread thread, Duration limit) {
        try {
            thread.join(limit.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while joining " + thread.getName(), e);
        }
        if (thread.isAlive()) {
            throw new AssertionError(thread.getName() + " still running after " + limit);
        }
    }
}

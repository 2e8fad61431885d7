package dev.leakproof.retry;

import dev.leakproof.internal.Checks;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * How long an item waits after a failed attempt before it is eligible for another batch.
 * The wait is measured on the buffer's clock from the moment the failure is applied.
 *
 * <p>A policy is called under the buffer's lock: it must be fast and must not call back into
 * the buffer (such a call is refused with an {@link IllegalStateException}). A policy that throws
 * (anything, even an {@link Error}) is treated as "no delay" and logged (the 1st, 2nd, 4th, 8th, ...
 * failure); a negative delay is silently treated as "no delay". Either way no item is lost. A delay
 * longer than the buffer's maximum age is cut to just over the maximum age: such an item expires
 * before it would become eligible anyway.
 */
@FunctionalInterface
public interface BackoffPolicy {

    /**
     * @param attempts how many times the item has been attempted so far, {@code >= 1}
     * @return the delay in nanoseconds, {@code >= 0}
     */
    long delayNanos(int attempts);

    /** Retry at once (in the next batch). */
    static BackoffPolicy none() {
        return attempts -> 0L;
    }

    /** Wait {@code delay} after every failure. */
    static BackoffPolicy fixed(Duration delay) {
        long nanos = Checks.toNanos(Checks.nonNegative("delay", delay));
        return attempts -> nanos;
    }

    /**
     * {@code initial * 2^(attempts-1)}, capped at {@code max}, without jitter: with
     * {@code initial = 1s, max = 1min} the waits are 1 s, 2 s, 4 s, ... 60 s.
     */
    static BackoffPolicy exponential(Duration initial, Duration max) {
        return exponential(initial, max, 2.0, 0.0);
    }

    /**
     * {@code min(max, initial * multiplier^(attempts-1)) * (1 - jitter * r)} with {@code r}
     * uniform in {@code [0, 1)} from {@link ThreadLocalRandom}. The jitter only shortens a delay
     * (so {@code max} is a true ceiling) and spreads the retries of items that failed together.
     *
     * @param multiplier {@code >= 1.0}
     * @param jitter     the fraction of the delay that may be taken off, in {@code [0, 1]}
     */
    static BackoffPolicy exponential(Duration initial, Duration max, double multiplier, double jitter) {
        return exponential(initial, max, multiplier, jitter, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** As {@link #exponential(Duration, Duration, double, double)}, with the random numbers (in {@code [0, 1)}) from {@code random}. */
    static BackoffPolicy exponential(Duration initial, Duration max, double multiplier, double jitter, DoubleSupplier random) {
        Checks.positive("initial", initial);
        Checks.positive("max", max);
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max must be >= initial (" + initial + ") but was " + max);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be a finite number >= 1.0 but was " + multiplier);
        }
        Checks.fraction("jitter", jitter, 0.0, 1.0);
        Objects.requireNonNull(random, "random");
        return new ExponentialBackoff(Checks.toNanos(initial), Checks.toNanos(max), multiplier, jitter, random);
    }
}

/** The exponential policy; see {@link BackoffPolicy#exponential(Duration, Duration, double, double, DoubleSupplier)}. */
final class ExponentialBackoff implements BackoffPolicy {

    private final long initialNanos;
    private final long maxNanos;
    private final double multiplier;
    private final double jitter;
    private final DoubleSupplier random;

    ExponentialBackoff(long initialNanos, long maxNanos, double multiplier, double jitter, DoubleSupplier random) {
        this.initialNanos = initialNanos;
        this.maxNanos = maxNanos;
        this.multiplier = multiplier;
        this.jitter = jitter;
        this.random = random;
    }

    @Override
    public long delayNanos(int attempts) {
        double delay = initialNanos * Math.pow(multiplier, Math.max(0, attempts - 1));
        long base = delay >= maxNanos ? maxNanos : (long) delay;
        if (jitter == 0.0) {
            return base;
        }
        double r = random.getAsDouble();
        r = r < 0.0 ? 0.0 : Math.min(r, 1.0);
        return (long) (base * (1.0 - jitter * r));
    }

    @Override
    public String toString() {
        return "ExponentialBackoff[initial " + initialNanos + " ns, max " + maxNanos + " ns, x" + multiplier
                + ", jitter " + jitter + "]";
    }
}

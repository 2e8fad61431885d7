package dev.leakproof.retry;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackoffPolicyTest {

    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    @Test
    void shouldReturnZeroWhenNone() {
        assertEquals(0, BackoffPolicy.none().delayNanos(1));
        assertEquals(0, BackoffPolicy.none().delayNanos(100));
    }

    @Test
    void shouldReturnSameDelayWhenFixed() {
        BackoffPolicy p = BackoffPolicy.fixed(Duration.ofSeconds(5));
        assertEquals(5 * SECOND, p.delayNanos(1));
        assertEquals(5 * SECOND, p.delayNanos(7));
    }

    @Test
    void shouldDoubleUpToTheCapWhenExponential() {
        BackoffPolicy p = BackoffPolicy.exponential(Duration.ofSeconds(1), Duration.ofMinutes(1));
        long[] expected = {1, 2, 4, 8, 16, 32, 60, 60};
        for (int attempt = 1; attempt <= expected.length; attempt++) {
            assertEquals(expected[attempt - 1] * SECOND, p.delayNanos(attempt), "attempt " + attempt);
        }
        assertEquals(60 * SECOND, p.delayNanos(Integer.MAX_VALUE), "no overflow on huge attempt counts");
    }

    @Test
    void shouldShortenDelayByAtMostJitterWhenJitterIsSet() {
        double[] randoms = {0.0, 0.5, 0.999_999};
        int[] next = {0};
        BackoffPolicy p = BackoffPolicy.exponential(Duration.ofSeconds(10), Duration.ofSeconds(10), 3.0, 0.2,
                () -> randoms[next[0]++]);
        assertEquals(10 * SECOND, p.delayNanos(1), "r = 0: full delay");
        assertEquals(9 * SECOND, p.delayNanos(1), "r = 0.5: 10% off");
        long shortest = p.delayNanos(1);
        assertTrue(shortest >= 8 * SECOND && shortest <= 8 * SECOND + 10_000, "r ~ 1: 20% off, got " + shortest);
    }

    @Test
    void shouldStayWithinBoundsWhenRandomJitter() {
        BackoffPolicy p = BackoffPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(4), 2.0, 0.5);
        for (int i = 0; i < 1000; i++) {
            long d = p.delayNanos(3);
            assertTrue(d > 2 * SECOND - 1 && d <= 4 * SECOND, "delay " + d);
        }
    }

    @Test
    void shouldNameTheValueWhenArgumentsAreBad() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackoffPolicy.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().startsWith("max must be >= initial"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BackoffPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(2), 0.5, 0.0));
        assertTrue(e.getMessage().startsWith("multiplier must be"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BackoffPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(2), 2.0, 1.5));
        assertEquals("jitter must be in [0.0, 1.0] but was 1.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BackoffPolicy.fixed(Duration.ofSeconds(-1)));
        assertTrue(e.getMessage().startsWith("delay must be >= 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BackoffPolicy.exponential(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(NullPointerException.class, () -> BackoffPolicy.fixed(null));
    }
}

package dev.leakproof.retry;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configuration: the seed's defaults, the {@code LEAKPROOF_RETRY_*} / {@code leakproof.retry.*} keys, bad values. */
class RetryBufferConfigTest extends RetryBufferTestSupport {

    @Test
    void shouldUseSeedDefaultsWhenNothingIsConfigured() {
        assertEquals(1000, RetryBuffer.DEFAULT_MAX_BUFFER_SIZE);
        assertEquals(Duration.ofHours(1), RetryBuffer.DEFAULT_MAX_AGE);
        assertEquals(Duration.ofMinutes(15), RetryBuffer.DEFAULT_CLEANUP_INTERVAL);
        assertEquals(3, RetryBuffer.DEFAULT_MAX_ATTEMPTS);
        RetryBuffer<String> buffer = build(builder().fromEnvironment(Map.of()).fromProperties(new Properties()));
        RetryBufferHealth h = checked(buffer);
        assertEquals(1000, h.capacity());
        assertEquals(3, h.maxAttempts());
        assertEquals("retry", h.name());
    }

    @Test
    void shouldReadEveryKeyWhenFromEnvironment() {
        RetryBuffer<String> buffer = build(builder().fromEnvironment(Map.of(
                RetryBuffer.ENV_MAX_BUFFER_SIZE, "2",
                RetryBuffer.ENV_MAX_AGE, "10m",
                RetryBuffer.ENV_CLEANUP_INTERVAL, "30s",
                RetryBuffer.ENV_MAX_ATTEMPTS, "1",
                RetryBuffer.ENV_IN_FLIGHT_TIMEOUT, "PT2M")));
        assertEquals("LEAKPROOF_RETRY_MAX_BUFFER_SIZE", RetryBuffer.ENV_MAX_BUFFER_SIZE);
        assertEquals(2, buffer.maxBufferSize());
        assertEquals(1, buffer.maxAttempts());
        checkAgeAndTimeout(buffer, Duration.ofMinutes(10), Duration.ofMinutes(2));
    }

    @Test
    void shouldReadEveryKeyWhenFromProperties() {
        Properties p = new Properties();
        p.setProperty(RetryBuffer.PROP_MAX_BUFFER_SIZE, "2");
        p.setProperty(RetryBuffer.PROP_MAX_AGE, "10m");
        p.setProperty(RetryBuffer.PROP_CLEANUP_INTERVAL, "30s");
        p.setProperty(RetryBuffer.PROP_MAX_ATTEMPTS, "1");
        p.setProperty(RetryBuffer.PROP_IN_FLIGHT_TIMEOUT, "120000");
        RetryBuffer<String> buffer = build(builder().fromProperties(p));
        assertEquals("leakproof.retry.maxBufferSize", RetryBuffer.PROP_MAX_BUFFER_SIZE);
        assertEquals(2, buffer.maxBufferSize());
        assertEquals(1, buffer.maxAttempts());
        checkAgeAndTimeout(buffer, Duration.ofMinutes(10), Duration.ofMinutes(2));
    }

    /** The maximum age and in-flight timeout, observed through behaviour on the manual clock. */
    private void checkAgeAndTimeout(RetryBuffer<String> buffer, Duration maxAge, Duration timeout) {
        buffer.add("in-flight");
        buffer.take(1).orElseThrow();
        clock.advance(timeout.minusNanos(1));
        buffer.cleanup();
        assertEquals(1, checked(buffer).inFlightItems());
        clock.advance(Duration.ofNanos(1));
        buffer.cleanup();
        assertEquals(1, checked(buffer).abandoned(AbandonReason.STALE_IN_FLIGHT), "maxAttempts 1: abandoned when stale");

        buffer.add("aging");
        clock.advance(maxAge);
        assertEquals(0, buffer.cleanup());
        clock.advance(Duration.ofNanos(1));
        assertEquals(1, buffer.cleanup());
        assertEquals(1, checked(buffer).abandoned(AbandonReason.EXPIRED));
    }

    @Test
    void shouldNameKeyValueAndRangeWhenEnvironmentValueIsBad() {
        assertBad(RetryBuffer.ENV_MAX_BUFFER_SIZE, "0",
                "environment variable LEAKPROOF_RETRY_MAX_BUFFER_SIZE='0' is invalid: expected an integer from 1 to 1073741824");
        assertBad(RetryBuffer.ENV_MAX_ATTEMPTS, "three",
                "environment variable LEAKPROOF_RETRY_MAX_ATTEMPTS='three' is invalid: expected an integer from 1 to 1000000");
        assertBad(RetryBuffer.ENV_MAX_AGE, "-5s", "environment variable LEAKPROOF_RETRY_MAX_AGE='-5s' is invalid: expected a duration from 1ms to PT8760H");
        assertBad(RetryBuffer.ENV_CLEANUP_INTERVAL, "0", "LEAKPROOF_RETRY_CLEANUP_INTERVAL='0' is invalid");
        assertBad(RetryBuffer.ENV_IN_FLIGHT_TIMEOUT, "400d", "LEAKPROOF_RETRY_IN_FLIGHT_TIMEOUT='400d' is invalid");
    }

    private void assertBad(String key, String value, String expectedMessageStart) {
        RetryBuffer.Builder<String> b = builder();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.fromEnvironment(Map.of(key, value)));
        assertTrue(e.getMessage().contains(expectedMessageStart), e.getMessage());
    }

    @Test
    void shouldLeaveBuilderUnchangedWhenOneValueIsBad() {
        RetryBuffer.Builder<String> b = builder().maxBufferSize(7);
        assertThrows(IllegalArgumentException.class, () -> b.fromEnvironment(Map.of(
                RetryBuffer.ENV_MAX_BUFFER_SIZE, "5",
                RetryBuffer.ENV_MAX_ATTEMPTS, "0")));
        assertEquals(7, build(b).maxBufferSize());
    }

    @Test
    void shouldNameValueAndLimitWhenBuilderLimitIsNotPositive() {
        RetryBuffer.Builder<String> b = builder();
        assertEquals("maxBufferSize must be in [1, 1073741824] but was 0",
                assertThrows(IllegalArgumentException.class, () -> b.maxBufferSize(0)).getMessage());
        assertEquals("maxAttempts must be in [1, 1000000] but was -1",
                assertThrows(IllegalArgumentException.class, () -> b.maxAttempts(-1)).getMessage());
        assertEquals("maxAge must be in [PT0.001S, PT8760H] but was PT0S",
                assertThrows(IllegalArgumentException.class, () -> b.maxAge(Duration.ZERO)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.inFlightTimeout(Duration.ofSeconds(-1)))
                .getMessage().startsWith("inFlightTimeout must be in"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.cleanupInterval(Duration.ofDays(366)))
                .getMessage().startsWith("cleanupInterval must be in"));
        assertThrows(NullPointerException.class, () -> b.maxAge(null));
        assertThrows(NullPointerException.class, () -> b.backoff(null));
        assertThrows(NullPointerException.class, () -> b.deadLetterListener(null));
        assertThrows(NullPointerException.class, () -> b.clock(null));
        assertThrows(NullPointerException.class, () -> b.scheduler(null));
        assertThrows(IllegalArgumentException.class, () -> b.name(" "));
    }
}

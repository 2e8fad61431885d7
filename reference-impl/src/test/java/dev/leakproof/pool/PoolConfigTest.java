package dev.leakproof.pool;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configuration from environment variables and system properties. */
class PoolConfigTest {

    @Test
    @DisplayName("every LEAKPROOF_POOL_* variable is read")
    void shouldApplyEveryVariableWhenEnvironmentIsSet() {
        Map<String, String> env = Map.of(
                BufferPool.ENV_MAX_TOTAL_BYTES, "2_000_000",
                BufferPool.ENV_MAX_BUFFER_SIZE, "100000",
                BufferPool.ENV_TRACKING, "all",
                BufferPool.ENV_SAMPLE_RATE, "4",
                BufferPool.ENV_LEASE_TIMEOUT, "10s",
                BufferPool.ENV_FORCE_RELEASE, "true",
                BufferPool.ENV_SCRUB, "false",
                BufferPool.ENV_DIRECT, "true",
                BufferPool.ENV_ACQUIRE_TIMEOUT, "0",
                BufferPool.ENV_MAINTENANCE_INTERVAL, "0");
        try (BufferPool p = BufferPool.builder().fromEnvironment(env).build()) {
            assertEquals(2_000_000, p.maxTotalBytes());
            assertEquals(100_000, p.maxBufferSize());
            assertEquals(TrackingLevel.ALL, p.trackingLevel());
            try (Lease lease = p.acquire(64)) {
                assertTrue(lease.isTracked());
            }
            try (Lease big = p.acquire(100_000)) {
                assertEquals(100_000, big.size());
            }
        }
    }

    @Test
    @DisplayName("leakproof.pool.* properties are read; absent keys keep the defaults")
    void shouldApplyPropertiesWhenSet() {
        Properties props = new Properties();
        props.setProperty(BufferPool.PROP_MAX_TOTAL_BYTES, "4096");
        props.setProperty(BufferPool.PROP_MAX_BUFFER_SIZE, "1024");
        props.setProperty(BufferPool.PROP_TRACKING, "OFF");
        props.setProperty(BufferPool.PROP_MAINTENANCE_INTERVAL, "0");
        try (BufferPool p = BufferPool.builder().fromProperties(props).build()) {
            assertEquals(4096, p.maxTotalBytes());
            assertEquals(1024, p.maxBufferSize());
            assertEquals(TrackingLevel.OFF, p.trackingLevel());
        }
        try (BufferPool p = BufferPool.builder().maintenanceInterval(Duration.ZERO).fromProperties(new Properties()).build()) {
            assertEquals(BufferPool.DEFAULT_MAX_TOTAL_BYTES, p.maxTotalBytes());
            assertEquals(BufferPool.DEFAULT_MAX_BUFFER_SIZE, p.maxBufferSize());
            assertEquals(TrackingLevel.SAMPLED, p.trackingLevel());
        }
    }

    @Test
    @DisplayName("a bad value names the key and the allowed range, and leaves the builder unchanged")
    void shouldNameKeyWhenValueIsBad() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BufferPool.builder().fromEnvironment(Map.of(BufferPool.ENV_MAX_TOTAL_BYTES, "-5")));
        assertTrue(e.getMessage().contains(BufferPool.ENV_MAX_TOTAL_BYTES), e.getMessage());
        assertTrue(e.getMessage().contains("from 1 to"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BufferPool.builder().fromEnvironment(Map.of(BufferPool.ENV_TRACKING, "sometimes")));
        assertTrue(e.getMessage().contains("OFF, SAMPLED, ALL"), e.getMessage());
        Properties props = new Properties();
        props.setProperty(BufferPool.PROP_FORCE_RELEASE, "yes");
        e = assertThrows(IllegalArgumentException.class, () -> BufferPool.builder().fromProperties(props));
        assertTrue(e.getMessage().contains("property " + BufferPool.PROP_FORCE_RELEASE + "='yes'"), e.getMessage());
        assertTrue(e.getMessage().contains("true or false"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BufferPool.builder().fromEnvironment(Map.of(BufferPool.ENV_LEASE_TIMEOUT, "0s")));
        assertTrue(e.getMessage().contains(BufferPool.ENV_LEASE_TIMEOUT), e.getMessage());
        BufferPool.Builder b = BufferPool.builder().maintenanceInterval(Duration.ZERO);
        assertThrows(IllegalArgumentException.class, () -> b.fromEnvironment(Map.of(
                BufferPool.ENV_MAX_TOTAL_BYTES, "1000", BufferPool.ENV_SAMPLE_RATE, "0")));
        try (BufferPool p = b.build()) {
            assertEquals(BufferPool.DEFAULT_MAX_TOTAL_BYTES, p.maxTotalBytes(), "a bad value leaves the builder unchanged");
        }
    }
}

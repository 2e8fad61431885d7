package dev.leakproof.pool;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Optional JMX registration of a pool's statistics. */
class PoolJmxTest {

    @Test
    @DisplayName("the statistics are readable through JMX and unregistered on close")
    void shouldExposeStatsWhenRegistered() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name;
        try (BufferPool p = BufferPool.builder().name("jmx test").maxTotalBytes(1 << 20).maxBufferSize(1 << 16)
                .maintenanceInterval(Duration.ZERO).build()) {
            name = p.registerMBean();
            assertSame(name, p.registerMBean(), "idempotent");
            try (Lease lease = p.acquire(100)) {
                assertEquals(128L, server.getAttribute(name, "UsedBytes"));
                assertEquals(1L, server.getAttribute(name, "ActiveLeases"));
            }
            assertEquals(1L, server.getAttribute(name, "Releases"));
            assertEquals(0, server.invoke(name, "scanForLongHolds", new Object[0], new String[0]));
            try (BufferPool twin = BufferPool.builder().name("jmx test").maintenanceInterval(Duration.ZERO).build()) {
                assertThrows(IllegalStateException.class, twin::registerMBean);
            }
            assertTrue(server.isRegistered(name));
        }
        assertFalse(server.isRegistered(name));
    }
}

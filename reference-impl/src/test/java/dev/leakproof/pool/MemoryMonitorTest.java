package dev.leakproof.pool;

import dev.leakproof.monitor.Level;
import dev.leakproof.monitor.LevelChange;
import dev.leakproof.monitor.MonitorListener;
import dev.leakproof.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The memory monitor's alerts on pool usage: warning at 80 %, critical at 95 %, hysteresis. */
class MemoryMonitorTest {

    private final List<LevelChange> changes = new CopyOnWriteArrayList<>();
    private final BufferPool pool = BufferPool.builder().name("watched").maxTotalBytes(100 * 64).maxBufferSize(64)
            .maintenanceInterval(Duration.ZERO).acquireTimeout(Duration.ZERO).build();
    private final List<Lease> held = new ArrayList<>();

    private MemoryMonitor monitor(Duration interval) {
        return monitor("pool-test", interval);
    }

    private MemoryMonitor monitor(String name, Duration interval) {
        return MemoryMonitor.builder().name(name).interval(interval).listener(new MonitorListener() {
            @Override
            public void onLevelChange(LevelChange change) {
                changes.add(change);
            }
        }).build().watch(pool);
    }

    /** Leases or releases 64 B buffers until {@code percent} of the pool is in use. */
    private void use(int percent) {
        while (held.size() < percent) {
            held.add(pool.acquire(64));
        }
        while (held.size() > percent) {
            held.remove(held.size() - 1).close();
        }
    }

    @AfterEach
    void release() {
        use(0);
        PoolInvariants.checkQuiescent(pool);
        pool.close();
    }

    @Test
    @DisplayName("alerts are raised at 80 % and 95 % and cleared once below the hysteresis band")
    void shouldRaiseAndClearAlertsWhenUsageCrossesThresholds() {
        try (MemoryMonitor m = monitor(Duration.ofHours(1))) {
            use(79);
            m.sampleNow();
            assertEquals(Level.NORMAL, m.level("watched"));
            use(80);
            m.sampleNow();
            use(82);
            m.sampleNow();
            assertEquals(Level.WARNING, m.level("watched"));
            use(95);
            m.sampleNow();
            assertEquals(Level.CRITICAL, m.level("watched"));
            use(91);
            m.sampleNow();
            assertEquals(Level.CRITICAL, m.level("watched"), "91 % is above the critical clear mark 90 %");
            use(50);
            m.sampleNow();
            assertEquals(Level.NORMAL, m.level("watched"));
            assertEquals(List.of(Level.WARNING, Level.CRITICAL, Level.NORMAL), changes.stream().map(LevelChange::to).toList());
            assertEquals(Map.of("watched", Level.NORMAL), m.levels());
        }
    }

    @Test
    @DisplayName("sampling on the monitor's own thread raises the alert; close stops the thread")
    void shouldAlertInBackgroundWhenIntervalPasses() {
        try (MemoryMonitor m = monitor("background", Duration.ofMillis(5))) {
            use(96);
            Await.until("critical alert", Duration.ofSeconds(10), () -> !changes.isEmpty());
            assertEquals(Level.CRITICAL, changes.get(0).to());
        }
        Await.until("monitor thread ended", Duration.ofSeconds(10), () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("leakproof-monitor-background-") && t.isAlive()));
    }

    @Test
    @DisplayName("thresholds come from the environment; bad values name the key")
    void shouldReadThresholdsWhenEnvironmentIsSet() {
        try (MemoryMonitor m = MemoryMonitor.builder().interval(Duration.ofHours(1))
                .fromEnvironment(Map.of(MemoryMonitor.ENV_WARNING_THRESHOLD, "50%", MemoryMonitor.ENV_CRITICAL_THRESHOLD, "0.6"))
                .listener(new MonitorListener() {
                    @Override
                    public void onLevelChange(LevelChange change) {
                        changes.add(change);
                    }
                }).build().watch(pool)) {
            use(55);
            m.sampleNow();
            assertEquals(Level.WARNING, m.level("watched"));
            use(60);
            m.sampleNow();
            assertEquals(Level.CRITICAL, m.level("watched"));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MemoryMonitor.builder()
                .fromEnvironment(Map.of(MemoryMonitor.ENV_WARNING_THRESHOLD, "180%")));
        assertTrue(e.getMessage().contains(MemoryMonitor.ENV_WARNING_THRESHOLD), e.getMessage());
        assertThrows(NullPointerException.class, () -> MemoryMonitor.builder().listener(null));
        try (MemoryMonitor m = monitor(Duration.ofHours(1))) {
            assertThrows(NullPointerException.class, () -> m.watch((BufferPool) null));
        }
    }

    @Test
    @DisplayName("the JVM heap can be watched beside the pools")
    void shouldReadHeapWhenWatched() {
        try (MemoryMonitor m = monitor(Duration.ofHours(1)).watchHeap()) {
            assertEquals(2, m.sampleNow().size());
            assertTrue(m.levels().containsKey(MemoryMonitor.HEAP_SOURCE));
        }
    }
}

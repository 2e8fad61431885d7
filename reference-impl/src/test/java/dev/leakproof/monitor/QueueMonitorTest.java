package dev.leakproof.monitor;

import dev.leakproof.queue.BoundedQueue;
import dev.leakproof.queue.OverflowStrategy;
import dev.leakproof.testing.Await;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueueMonitorTest {

    private final AtomicLong clock = new AtomicLong();
    private final List<LevelChange> changes = new CopyOnWriteArrayList<>();
    private final MonitorListener recorder = new MonitorListener() {
        @Override
        public void onLevelChange(LevelChange change) {
            changes.add(change);
        }
    };

    @Test
    void shouldRaiseAndClearWarningWhenQueueFillsAndEmpties() {
        BoundedQueue<Integer> q = BoundedQueue.<Integer>builder().name("orders").capacity(10)
                .strategy(OverflowStrategy.DROP_NEWEST).build();
        try (QueueMonitor monitor = QueueMonitor.builder().interval(Duration.ofHours(1)).clock(clock::get)
                .listener(recorder).build()) {
            monitor.watch(q);
            for (int i = 0; i < 8; i++) {
                q.offer(i);
            }
            clock.addAndGet(5);
            Sample s = monitor.sampleNow().get(0);
            assertEquals(Level.WARNING, s.level());
            assertEquals(0.8, s.utilisation(), 1e-9);
            assertEquals(5, s.nanoTime());
            for (int i = 0; i < 5; i++) {
                q.offer(100 + i);
            }
            s = monitor.sampleNow().get(0);
            assertEquals(Level.CRITICAL, s.level());
            assertEquals(3, s.dropsSinceLast(), "3 refused since the last sample");
            q.clear();
            monitor.sampleNow();
            assertEquals(Map.of("orders", Level.NORMAL), monitor.levels());
            assertEquals(List.of(Level.WARNING, Level.CRITICAL, Level.NORMAL), changes.stream().map(LevelChange::to).toList());
        }
    }

    @Test
    void shouldSampleOnItsOwnThreadAndLeaveNoThreadWhenClosed() {
        BoundedQueue<Integer> q = BoundedQueue.<Integer>builder().name("fast").capacity(2).build();
        q.offer(1);
        q.offer(2);
        QueueMonitor monitor = QueueMonitor.builder().name("sched-test").interval(Duration.ofMillis(10))
                .listener(recorder).build();
        monitor.watch(q);
        Await.until("a scheduled sample to raise CRITICAL", Duration.ofSeconds(10), () -> !changes.isEmpty());
        assertTrue(liveThreads("leakproof-monitor-sched-test") > 0);
        monitor.close();
        monitor.close();
        assertEquals(0, liveThreads("leakproof-monitor-sched-test"), "no monitor thread may outlive close()");
        assertThrows(IllegalStateException.class, () -> monitor.watch(q));
        assertTrue(monitor.sampleNow().isEmpty());
    }

    @Test
    void shouldKeepSamplingWhenProbeThrows() {
        try (PeriodicMonitor monitor = PeriodicMonitor.builder("probe-failures").interval(Duration.ofHours(1)).build()) {
            monitor.watch("broken", () -> {
                throw new IllegalStateException("probe failure for the test");
            });
            monitor.watch("fine", () -> new Reading(0.99, 0));
            List<Sample> samples = monitor.sampleNow();
            assertEquals(1, samples.size());
            assertEquals(Level.CRITICAL, samples.get(0).level());
            assertEquals(1, monitor.probeFailures());
            assertThrows(IllegalArgumentException.class, () -> monitor.watch("fine", () -> new Reading(0, 0)));
            assertTrue(monitor.unwatch("broken"));
            assertFalse(monitor.unwatch("broken"));
        }
    }

    @Test
    void shouldReadIntervalAndWarningWhenEnvironmentHasThem() {
        try (QueueMonitor monitor = QueueMonitor.builder().fromEnvironment(Map.of(
                QueueMonitor.ENV_MONITOR_INTERVAL, "250ms",
                QueueMonitor.ENV_WARNING_THRESHOLD, "50%")).clock(clock::get).listener(recorder).build()) {
            assertEquals(Duration.ofMillis(250), monitor.interval());
            BoundedQueue<Integer> q = BoundedQueue.<Integer>builder().name("half").capacity(4).build();
            q.offer(1);
            q.offer(2);
            monitor.watch(q);
            assertEquals(Level.WARNING, monitor.sampleNow().get(0).level());
        }
    }

    @Test
    void shouldNameKeyWhenSettingIsBad() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QueueMonitor.builder().fromEnvironment(Map.of(QueueMonitor.ENV_WARNING_THRESHOLD, "120%")));
        assertTrue(e.getMessage().contains(QueueMonitor.ENV_WARNING_THRESHOLD), e.getMessage());
        assertTrue(e.getMessage().contains("120%"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> QueueMonitor.builder().fromEnvironment(Map.of(QueueMonitor.ENV_MONITOR_INTERVAL, "0s")));
        assertTrue(e.getMessage().contains(QueueMonitor.ENV_MONITOR_INTERVAL), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QueueMonitor.builder().interval(Duration.ZERO));
    }

    private static long liveThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix) && t.isAlive()).count();
    }
}

package dev.leakproof.monitor;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThresholdWatcherTest {

    private final List<LevelChange> changes = new ArrayList<>();
    private final List<Sample> samples = new ArrayList<>();
    private final ThresholdWatcher watcher = new ThresholdWatcher("q", Thresholds.DEFAULT)
            .addListener(new MonitorListener() {
                @Override
                public void onLevelChange(LevelChange change) {
                    changes.add(change);
                }

                @Override
                public void onSample(Sample sample) {
                    samples.add(sample);
                }
            });
    private long now;

    private Sample sample(double utilisation, long drops) {
        now += TimeUnit.SECONDS.toNanos(5);
        return watcher.sample(new Reading(utilisation, drops), now);
    }

    @Test
    void shouldRaiseWarningOnceWhenUtilisationCrossesWarning() {
        sample(0.10, 0);
        sample(0.79, 0);
        assertTrue(changes.isEmpty());
        sample(0.80, 0);
        sample(0.85, 0);
        sample(0.90, 0);
        assertEquals(List.of(new LevelChange("q", Level.NORMAL, Level.WARNING, 0.80, now - TimeUnit.SECONDS.toNanos(10))), changes);
        assertEquals(Level.WARNING, watcher.level());
    }

    @Test
    void shouldClearOnceWhenUtilisationFallsBelowClearMark() {
        sample(0.85, 0);
        sample(0.76, 0);
        assertEquals(Level.WARNING, watcher.level(), "0.76 is above the clear mark 0.75: still WARNING");
        sample(0.74, 0);
        sample(0.10, 0);
        assertEquals(2, changes.size());
        assertTrue(changes.get(0).raised());
        assertEquals(Level.NORMAL, changes.get(1).to());
        assertTrue(!changes.get(1).raised());
    }

    @Test
    void shouldNotFlapWhenUtilisationWobblesAroundThreshold() {
        for (int i = 0; i < 100; i++) {
            sample(i % 2 == 0 ? 0.81 : 0.79, 0);
        }
        assertEquals(1, changes.size(), "one alert for a wobble inside the hysteresis band: " + changes);
        assertEquals(1, watcher.levelChanges());
    }

    @Test
    void shouldStepThroughCriticalAndBackWhenUtilisationRisesAndFalls() {
        sample(0.97, 0);
        assertEquals(Level.CRITICAL, watcher.level());
        sample(0.91, 0);
        assertEquals(Level.CRITICAL, watcher.level(), "0.91 is above the critical clear mark 0.90");
        sample(0.86, 0);
        assertEquals(Level.WARNING, watcher.level());
        sample(0.50, 0);
        assertEquals(List.of(Level.CRITICAL, Level.WARNING, Level.NORMAL), changes.stream().map(LevelChange::to).toList());
    }

    @Test
    void shouldReportDropsSinceLastSampleWhenTotalsGrow() {
        assertEquals(0, sample(0.1, 0).dropsSinceLast());
        assertEquals(5, sample(0.1, 5).dropsSinceLast());
        assertEquals(0, sample(0.1, 5).dropsSinceLast());
        assertEquals(7, sample(0.1, 12).dropsSinceLast());
        assertEquals(3, sample(0.1, 3).dropsSinceLast(), "a counter reset reports the new total");
        assertEquals(5, samples.size());
    }

    @Test
    void shouldKeepSamplingWhenListenerThrows() {
        ThresholdWatcher w = new ThresholdWatcher("x", Thresholds.DEFAULT).addListener(new MonitorListener() {
            @Override
            public void onLevelChange(LevelChange change) {
                throw new IllegalStateException("listener failure for the test");
            }
        });
        w.sample(new Reading(0.9, 0), 1);
        w.sample(new Reading(0.1, 0), 2);
        assertEquals(Level.NORMAL, w.level());
        assertEquals(2, w.listenerFailures());
    }

    @Test
    void shouldReportEveryChangeOnceWhenSamplesComeFromManyThreads() throws Exception {
        // Each round: two threads race to report a crossing; exactly one change may result.
        AtomicLong raised = new AtomicLong();
        for (int round = 0; round < 200; round++) {
            ThresholdWatcher w = new ThresholdWatcher("race", Thresholds.DEFAULT).addListener(new MonitorListener() {
                @Override
                public void onLevelChange(LevelChange change) {
                    raised.incrementAndGet();
                }
            });
            CyclicBarrier start = new CyclicBarrier(2);
            CountDownLatch done = new CountDownLatch(2);
            for (int t = 0; t < 2; t++) {
                new Thread(() -> {
                    try {
                        start.await(5, TimeUnit.SECONDS);
                        w.sample(new Reading(0.9, 0), 1);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    } finally {
                        done.countDown();
                    }
                }).start();
            }
            assertTrue(done.await(10, TimeUnit.SECONDS));
        }
        assertEquals(200, raised.get(), "one alert per crossing, never zero or two");
    }

    @Test
    void shouldRejectBadThresholdsWhenBuilt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Thresholds(0.9, 0.8, 0.05));
        assertTrue(e.getMessage().contains("0.8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Thresholds(0.0, 0.9, 0.0));
        assertThrows(IllegalArgumentException.class, () -> new Thresholds(0.8, 1.5, 0.0));
        assertThrows(IllegalArgumentException.class, () -> new Thresholds(0.8, 0.9, 0.8));
        assertThrows(IllegalArgumentException.class, () -> new Reading(Double.NaN, 0));
        assertThrows(IllegalArgumentException.class, () -> new Reading(0.5, -1));
    }
}

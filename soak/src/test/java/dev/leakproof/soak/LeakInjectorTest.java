package dev.leakproof.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.leakproof.pool.BufferPool;
import dev.leakproof.pool.PoolStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LeakInjectorTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final SoakClock clock = new SoakClock(nanos::get);
    private final Events events = new Events(clock);

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void shouldRetainTheRateTimesTheElapsedTimeWhenTicked() {
        LeakInjector injector = new LeakInjector(LeakInjector.Kind.RETAINED, 1L << 20, clock, Optional.empty(), events);
        injector.tick();
        assertEquals(0, injector.injectedBytes());
        advance(Duration.ofSeconds(30));
        injector.tick();
        assertEquals(512L << 10, injector.injectedBytes());
        assertEquals(32, injector.injectedObjects());
        advance(Duration.ofSeconds(30));
        injector.tick();
        assertEquals(1L << 20, injector.injectedBytes());
        assertEquals(64, injector.injectedObjects());
    }

    @Test
    void shouldInjectSmoothlyWhenTickedEverySecond() {
        LeakInjector injector = new LeakInjector(LeakInjector.Kind.RETAINED, 4L << 20, clock, Optional.empty(), events);
        long previous = 0;
        for (int s = 1; s <= 120; s++) {
            advance(Duration.ofSeconds(1));
            injector.tick();
            long expected = (4L << 20) * s / 60;
            assertTrue(injector.injectedBytes() <= expected && injector.injectedBytes() > expected - LeakInjector.CHUNK,
                    "after " + s + " s: " + injector.injectedBytes() + " for " + expected);
            assertTrue(injector.injectedBytes() - previous <= 5 * LeakInjector.CHUNK, "a step of at most 5 chunks");
            previous = injector.injectedBytes();
        }
        assertEquals(8L << 20, injector.injectedBytes());
    }

    @Test
    void shouldInjectNothingWhenTheRateIsZero() {
        LeakInjector injector = new LeakInjector(LeakInjector.Kind.RETAINED, 0, clock, Optional.empty(), events);
        advance(Duration.ofHours(1));
        injector.tick();
        assertEquals(LeakInjector.Kind.NONE, injector.kind());
        assertEquals(0, injector.injectedBytes());
        assertEquals(0, injector.injectedObjects());
    }

    @Test
    void shouldCatchUpGraduallyWhenTheSamplerStalled() {
        LeakInjector injector = new LeakInjector(LeakInjector.Kind.RETAINED, 1L << 30, clock, Optional.empty(), events);
        advance(Duration.ofMinutes(1));
        injector.tick();
        assertEquals((long) LeakInjector.MAX_CHUNKS_PER_TICK * LeakInjector.CHUNK, injector.injectedBytes());
    }

    @Test
    void shouldLeakPoolLeasesVisibleInTheStatsAndStopAtHalfThePoolWhenKindIsLease() {
        try (BufferPool pool = BufferPool.builder().name("inject-test").maxTotalBytes(1L << 20).maxBufferSize(64 << 10)
                .maintenanceInterval(Duration.ZERO).build()) {
            LeakInjector injector = new LeakInjector(LeakInjector.Kind.LEASE, 256L << 10, clock, Optional.of(pool), events);
            advance(Duration.ofMinutes(1));
            injector.tick();
            PoolStats s = pool.stats();
            assertEquals(16, s.activeLeases());
            assertEquals(256L << 10, s.usedBytes());
            advance(Duration.ofMinutes(10));
            injector.tick();
            injector.tick();
            assertEquals(512L << 10, injector.injectedBytes(), "stops at half of maxTotalBytes");
            assertEquals(32, pool.stats().activeLeases());
            List<String> kinds = new ArrayList<>();
            List<String> details = new ArrayList<>();
            events.drain((t, k, d) -> {
                kinds.add(k);
                details.add(d);
            });
            assertEquals(List.of("warning"), kinds, "one warning, not one per tick");
            assertTrue(details.get(0).contains("stopped"), details.get(0));
        }
    }

    @Test
    void shouldRefuseLeaseKindWhenThereIsNoPool() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LeakInjector(LeakInjector.Kind.LEASE, 1024, clock, Optional.empty(), events));
        assertTrue(e.getMessage().contains("lease"), e.getMessage());
    }

    @Test
    void shouldNameTheValueWhenTheLeakKindIsUnknown() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LeakInjector.Kind.parse("heap"));
        assertTrue(e.getMessage().contains("'heap'"), e.getMessage());
    }
}

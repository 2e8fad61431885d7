package dev.leakproof.pool;

import dev.leakproof.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** B6 and the verdicts: GC reclamation, the age scan, returned late, force-release. */
class LeakDetectionTest {

    private final List<BufferPool> built = new ArrayList<>();
    private final RecordingLeakListener leaks = new RecordingLeakListener();
    private final TestClock clock = new TestClock();

    private BufferPool pool(BufferPool.Builder b) {
        BufferPool p = b.maxTotalBytes(1 << 20).maxBufferSize(1 << 16).maintenanceInterval(Duration.ZERO)
                .clock(clock).leakListener(leaks).build();
        built.add(p);
        return p;
    }

    @AfterEach
    void checkInvariants() {
        for (BufferPool p : built) {
            PoolInvariants.check(p);
            p.close();
        }
    }

    /** Acquires and drops leases without closing them; in its own method so no local keeps them alive. */
    private static void leak(BufferPool p, int count, int size) {
        for (int i = 0; i < count; i++) {
            p.acquire(size).touch("leaked #" + i);
        }
    }

    private static void collectUntil(BufferPool p, long expected, AtomicInteger reclaimed) {
        Await.until(expected + " leases reclaimed after GC", Duration.ofSeconds(30), () -> {
            System.gc();
            reclaimed.addAndGet(p.drainReferenceQueue());
            return reclaimed.get() >= expected;
        });
    }

    @Test
    @DisplayName("B6: 100 % of leases leaked under tracking ALL are reported and reclaimed after GC")
    void shouldReclaimEveryLeakWhenTrackingAll() {
        BufferPool p = pool(BufferPool.builder().tracking(TrackingLevel.ALL));
        int n = 50;
        leak(p, n, 1000);
        assertEquals(n, p.stats().activeLeases());
        AtomicInteger reclaimed = new AtomicInteger();
        collectUntil(p, n, reclaimed);
        assertEquals(n, reclaimed.get());
        PoolStats s = PoolInvariants.checkQuiescent(p);
        assertEquals(n, s.gcReclaimed());
        assertEquals(n, leaks.count(LeakVerdict.GC_RECLAIMED), "exactly one report per leak");
        LeakReport r = leaks.of(LeakVerdict.GC_RECLAIMED).get(0);
        assertTrue(r.tracked());
        assertNotNull(r.acquisitionSite());
        assertTrue(r.acquisitionSite().getStackTrace().length > 0);
        assertEquals(Thread.currentThread().getName(), r.threadName());
        assertEquals(1000, r.size());
        assertEquals(1, r.touches().size());
        assertTrue(r.touches().get(0).hint().startsWith("leaked #"));
        assertEquals(n, s.freeBuffers(), "the memory went back to the pool");
    }

    @Test
    @DisplayName("B6: leaks found by GC under SAMPLED tracking with rate 1 are reclaimed too")
    void shouldReclaimSampledLeakWhenRateIsOne() {
        BufferPool p = pool(BufferPool.builder().tracking(TrackingLevel.SAMPLED).sampleRate(1));
        leak(p, 3, 64);
        AtomicInteger reclaimed = new AtomicInteger();
        collectUntil(p, 3, reclaimed);
        assertEquals(3, PoolInvariants.checkQuiescent(p).gcReclaimed());
    }

    @Test
    @DisplayName("B3: a closed tracked lease is never reported by GC")
    void shouldNotReportWhenTrackedLeaseWasClosed() {
        BufferPool p = pool(BufferPool.builder().tracking(TrackingLevel.ALL));
        for (int i = 0; i < 20; i++) {
            try (Lease lease = p.acquire(64)) {
                lease.put(0, (byte) i);
            }
        }
        leak(p, 1, 64);
        AtomicInteger reclaimed = new AtomicInteger();
        collectUntil(p, 1, reclaimed);
        assertEquals(1, leaks.count(LeakVerdict.GC_RECLAIMED));
        PoolStats s = PoolInvariants.checkQuiescent(p);
        assertEquals(20, s.releases());
        assertEquals(1, s.gcReclaimed());
    }

    @Test
    @DisplayName("B3: the GC cleanup step and close race through one CAS: exactly one ending")
    void shouldEndOnceWhenReclaimStepRunsAfterClose() {
        BufferPool p = pool(BufferPool.builder().tracking(TrackingLevel.ALL));
        Lease lease = p.acquire(64);
        LeakTracker tracker = p.trackerOf(lease);
        assertNotNull(tracker);
        assertTrue(lease.isTracked());
        lease.close();
        assertFalse(tracker.reclaim(), "the cleanup action after close is a no-op");
        Lease other = p.acquire(64);
        LeakTracker second = p.trackerOf(other);
        assertTrue(second.reclaim(), "the cleanup action ends a live lease (as GC would)");
        assertThrows(IllegalStateException.class, () -> other.get(0));
        other.close();
        PoolStats s = PoolInvariants.checkQuiescent(p);
        assertEquals(1, s.releases());
        assertEquals(1, s.gcReclaimed());
        assertEquals(1, s.redundantCloses());
    }

    @Test
    @DisplayName("tracking OFF captures no stack and tracks nothing")
    void shouldNotTrackWhenTrackingIsOff() {
        BufferPool p = pool(BufferPool.builder().tracking(TrackingLevel.OFF));
        try (Lease lease = p.acquire(64)) {
            assertFalse(lease.isTracked());
            assertNull(p.trackerOf(lease));
            lease.touch("ignored");
        }
    }

    @ParameterizedTest
    @EnumSource(TrackingLevel.class)
    @DisplayName("B6: the age scan reports every lease older than the lease timeout, tracked or not, once")
    void shouldReportLongHoldWhenLeaseOutlivesTimeout(TrackingLevel level) {
        BufferPool p = pool(BufferPool.builder().tracking(level).leaseTimeout(Duration.ofSeconds(300)));
        Lease young = null;
        Lease old = p.acquire(100);
        clock.advance(Duration.ofSeconds(200));
        young = p.acquire(200);
        assertEquals(0, p.scanForLongHolds());
        clock.advance(Duration.ofSeconds(101));
        assertEquals(1, p.scanForLongHolds());
        assertEquals(0, p.scanForLongHolds(), "reported once");
        LeakReport r = leaks.of(LeakVerdict.LONG_HOLD).get(0);
        assertEquals(100, r.size());
        assertEquals(Duration.ofSeconds(301), r.age());
        assertEquals(level == TrackingLevel.ALL, r.tracked());
        assertTrue(old.isActive(), "a long hold stays valid without force-release");
        assertEquals(Duration.ofSeconds(301), p.stats().oldestLeaseAge());
        old.close();
        young.close();
        PoolStats s = PoolInvariants.checkQuiescent(p);
        assertEquals(1, s.longHolds());
        assertEquals(1, s.returnedLate());
        assertEquals(1, leaks.count(LeakVerdict.RETURNED_LATE));
        assertEquals(0, s.forceReleased());
    }

    @Test
    @DisplayName("B4, B6: force-release revokes long holds and returns their memory")
    void shouldForceReleaseWhenPolicyIsOn() {
        BufferPool p = pool(BufferPool.builder().tracking(TrackingLevel.OFF).forceRelease(true)
                .leaseTimeout(Duration.ofSeconds(10)));
        Lease held = p.acquire(4096);
        held.fill((byte) 1);
        clock.advance(Duration.ofSeconds(11));
        Lease fresh = p.acquire(64);
        assertEquals(1, p.scanForLongHolds());
        assertFalse(held.isActive());
        assertThrows(IllegalStateException.class, () -> held.get(0));
        assertTrue(fresh.isActive());
        PoolStats s = PoolInvariants.check(p);
        assertEquals(1, s.forceReleased());
        assertEquals(1, s.longHolds());
        assertEquals(1, s.activeLeases());
        assertEquals(64, s.usedBytes());
        try (Lease reused = p.acquire(4096)) {
            assertEquals(0, reused.get(0), "B5: the revoked lease's bytes are scrubbed");
        }
        held.close();
        fresh.close();
        s = PoolInvariants.checkQuiescent(p);
        assertEquals(1, s.redundantCloses());
        assertEquals(0, s.returnedLate(), "a revoked lease closed later is not a late return");
        assertEquals(List.of(LeakVerdict.LONG_HOLD, LeakVerdict.FORCE_RELEASED),
                leaks.reports.stream().map(LeakReport::verdict).toList());
    }

    @Test
    @DisplayName("a throwing leak listener is logged and counted; other listeners still hear")
    void shouldCountListenerFailureWhenListenerThrows() {
        BufferPool p = pool(BufferPool.builder().leaseTimeout(Duration.ofSeconds(1))
                .leakListener(r -> {
                    throw new IllegalStateException("listener failure for the test");
                }));
        Lease lease = p.acquire(64);
        clock.advance(Duration.ofSeconds(2));
        p.scanForLongHolds();
        assertEquals(1, leaks.count(LeakVerdict.LONG_HOLD));
        assertEquals(1, p.stats().listenerFailures());
        lease.close();
    }

    @Test
    @DisplayName("B6: the maintenance thread runs the age scan and stops on close")
    void shouldScanInBackgroundWhenMaintenanceIsOn() {
        RecordingLeakListener found = new RecordingLeakListener();
        try (BufferPool p = BufferPool.builder().name("bg-scan").maxTotalBytes(1 << 20).maxBufferSize(1 << 16)
                .leaseTimeout(Duration.ofMillis(1)).maintenanceInterval(Duration.ofMillis(5))
                .forceRelease(true).leakListener(found).build()) {
            Lease lease = p.acquire(64);
            Await.until("background force-release", Duration.ofSeconds(10), () -> found.count(LeakVerdict.FORCE_RELEASED) == 1);
            assertFalse(lease.isActive());
            PoolInvariants.checkQuiescent(p);
        }
        Await.until("maintenance thread ended", Duration.ofSeconds(10), () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("leakproof-pool-bg-scan-") && t.isAlive()));
    }
    @Test
    @DisplayName("B6: an acquisition at the limit takes back the memory of leases the GC found leaked")
    void shouldServeFromReclaimedLeaksWhenPoolIsFull() {
        BufferPool small = BufferPool.builder().maxTotalBytes(1024).maxBufferSize(512).maintenanceInterval(Duration.ZERO)
                .tracking(TrackingLevel.ALL).acquireTimeout(Duration.ZERO).leakListener(leaks).build();
        built.add(small);
        leak(small, 2, 512);
        Await.until("the GC to hand back leaked memory at the limit", Duration.ofSeconds(30), () -> {
            System.gc();
            return small.tryAcquire(512).map(l -> {
                l.close();
                return true;
            }).orElse(false);
        });
        assertTrue(small.stats().gcReclaimed() >= 1);
    }

    @Test
    @DisplayName("B3: close racing with force-release ends the lease once; the counters say which")
    void shouldEndOnceWhenCloseRacesWithForceRelease() throws Exception {
        BufferPool p = pool(BufferPool.builder().tracking(TrackingLevel.OFF));
        int rounds = 2_000;
        int forced = 0;
        for (int i = 0; i < rounds; i++) {
            Lease lease = p.acquire(64);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            boolean[] won = new boolean[1];
            Thread revoker = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                won[0] = p.forceRelease(lease);
            }, "revoker-" + i);
            revoker.start();
            go.countDown();
            lease.close();
            Await.ended(revoker, Duration.ofSeconds(10));
            if (won[0]) {
                forced++;
            }
        }
        PoolStats s = PoolInvariants.checkQuiescent(p);
        assertEquals(forced, s.forceReleased());
        assertEquals(rounds - forced, s.releases());
        assertEquals(forced, s.redundantCloses(), "a close that lost to force-release only counts");
        assertEquals(forced, leaks.count(LeakVerdict.FORCE_RELEASED));
    }

    @Test
    @DisplayName("verdicts are recorded as JFR events dev.leakproof.PoolLeak")
    void shouldEmitJfrEventWhenVerdictIsReached() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("pool-leak", ".jfr");
        try (jdk.jfr.Recording recording = new jdk.jfr.Recording()) {
            recording.enable("dev.leakproof.PoolLeak");
            recording.start();
            BufferPool p = pool(BufferPool.builder().leaseTimeout(Duration.ofSeconds(1)));
            Lease lease = p.acquire(64);
            clock.advance(Duration.ofSeconds(2));
            p.scanForLongHolds();
            lease.close();
            recording.stop();
            recording.dump(file);
            List<jdk.jfr.consumer.RecordedEvent> events = jdk.jfr.consumer.RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("dev.leakproof.PoolLeak")).toList();
            assertEquals(List.of("LONG_HOLD", "RETURNED_LATE"), events.stream().map(e -> e.getString("verdict")).toList());
            assertEquals(64, events.get(0).getInt("size"));
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }
    @Test
    @DisplayName("B6: with coarse timestamps (maintenance on) a long hold is never reported early, at most one scan late")
    void shouldReportLongHoldWithinOneScanWhenTimestampsAreCoarse() {
        try (BufferPool p = BufferPool.builder().maxTotalBytes(1 << 20).maxBufferSize(1 << 16).clock(clock)
                .maintenanceInterval(Duration.ofHours(1)).leaseTimeout(Duration.ofSeconds(300)).leakListener(leaks).build()) {
            for (int i = 0; i < 3; i++) {
                clock.advance(Duration.ofSeconds(1));
                p.scanForLongHolds();
            }
            clock.advance(Duration.ofMillis(500));
            Lease lease = p.acquire(64);
            long ageMillis = 0;
            while (leaks.count(LeakVerdict.LONG_HOLD) == 0) {
                clock.advance(Duration.ofSeconds(1));
                ageMillis += 1000;
                p.scanForLongHolds();
                assertTrue(ageMillis < 400_000, "never reported");
            }
            assertTrue(ageMillis > 300_000, "reported early, at a true age of " + ageMillis + " ms");
            assertTrue(ageMillis <= 302_000, "reported more than one scan late, at a true age of " + ageMillis + " ms");
            lease.close();
            PoolInvariants.checkQuiescent(p);
        }
    }
    @Test
    @DisplayName("B3: the GC cleanup action racing with close ends the lease once")
    void shouldEndOnceWhenReclaimRacesWithClose() {
        BufferPool p = pool(BufferPool.builder().tracking(TrackingLevel.ALL));
        int rounds = 1_000;
        int reclaimed = 0;
        for (int i = 0; i < rounds; i++) {
            Lease lease = p.acquire(64);
            LeakTracker tracker = p.trackerOf(lease);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            boolean[] won = new boolean[1];
            Thread cleaner = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                won[0] = tracker.reclaim();
            }, "cleaner-" + i);
            cleaner.start();
            go.countDown();
            lease.close();
            Await.ended(cleaner, Duration.ofSeconds(10));
            if (won[0]) {
                reclaimed++;
            }
        }
        PoolStats s = PoolInvariants.checkQuiescent(p);
        assertEquals(reclaimed, s.gcReclaimed());
        assertEquals(rounds - reclaimed, s.releases());
        assertEquals(reclaimed, leaks.count(LeakVerdict.GC_RECLAIMED));
    }
}

package dev.leakproof.pool;

import dev.leakproof.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Errors inside the pool (allocation, listeners) and futures completed by their owners. */
class PoolFailureTest {

    private final List<BufferPool> built = new ArrayList<>();
    /** An injected scheduler with the JDK's default policy: cancelled tasks stay queued. */
    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);

    private BufferPool track(BufferPool p) {
        built.add(p);
        return p;
    }

    @AfterEach
    void checkInvariants() throws InterruptedException {
        for (BufferPool p : built) {
            PoolInvariants.checkQuiescent(p);
            p.close();
        }
        scheduler.shutdownNow();
        assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    @DisplayName("B3: an allocation error while serving waiters completes the waiters already served")
    void shouldCompleteServedWaitersWhenAllocationFailsWhileServing() throws Exception {
        AtomicBoolean fail64 = new AtomicBoolean();
        BufferPool p = track(BufferPool.builder().maxTotalBytes(1088).maxBufferSize(1024).tracking(TrackingLevel.OFF)
                .maintenanceInterval(Duration.ZERO).scheduler(scheduler)
                .allocator(cap -> {
                    if (cap == 64 && fail64.get()) {
                        throw new OutOfMemoryError("injected: no memory for " + cap + " bytes");
                    }
                    return ByteBuffer.allocate(cap);
                }).build());
        Lease big = p.acquire(1024);
        Lease small = p.acquire(64);
        CompletableFuture<Lease> w1 = p.acquireAsync(512, Duration.ofHours(1));
        CompletableFuture<Lease> w2 = p.acquireAsync(64, Duration.ofHours(1));
        fail64.set(true);
        // Closing big serves w1 (evicting big's buffer for a 512 B one); w2 then needs a new 64 B buffer.
        assertThrows(OutOfMemoryError.class, big::close);
        assertTrue(w1.isDone(), "w1 was served before the failure and must be completed");
        Lease l1 = w1.getNow(null);
        assertNotNull(l1);
        assertFalse(w2.isDone(), "w2 stays in line");
        PoolStats s = PoolInvariants.check(p);
        assertEquals(2, s.activeLeases());
        fail64.set(false);
        l1.close();
        w2.get(10, TimeUnit.SECONDS).close();
        small.close();
    }

    @Test
    @DisplayName("B3: a listener error while a release serves waiters still completes them")
    void shouldCompleteServedWaitersWhenListenerThrowsError() throws Exception {
        TestClock clock = new TestClock();
        BufferPool p = track(BufferPool.builder().maxTotalBytes(1024).maxBufferSize(1024).clock(clock)
                .leaseTimeout(Duration.ofSeconds(1)).maintenanceInterval(Duration.ZERO).scheduler(scheduler)
                .leakListener(r -> {
                    if (r.verdict() == LeakVerdict.RETURNED_LATE) {
                        throw new AssertionError("listener failure for the test");
                    }
                }).build());
        Lease held = p.acquire(1024);
        clock.advance(Duration.ofSeconds(2));
        assertEquals(1, p.scanForLongHolds());
        CompletableFuture<Lease> waiter = p.acquireAsync(1024, Duration.ofHours(1));
        assertThrows(AssertionError.class, held::close);
        assertTrue(waiter.isDone(), "the waiter served by the release must be completed");
        waiter.getNow(null).close();
    }

    @Test
    @DisplayName("B1/B3: an error where a lease's objects are allocated moves no counter and keeps the buffer")
    void shouldLeaveNoPhantomLeaseWhenLeaseAllocationFails() {
        AtomicBoolean fail = new AtomicBoolean(true);
        BufferPool p = track(BufferPool.builder().maxTotalBytes(64).maxBufferSize(64)
                .maintenanceInterval(Duration.ZERO).scheduler(scheduler)
                .beforeLeaseHook(() -> {
                    if (fail.getAndSet(false)) {
                        throw new OutOfMemoryError("injected: no memory for the lease");
                    }
                }).build());
        assertThrows(OutOfMemoryError.class, () -> p.acquire(64));
        PoolStats s = PoolInvariants.checkQuiescent(p);
        assertEquals(0, s.acquires());
        assertEquals(1, s.freeBuffers(), "the buffer went back to the free list");
        Lease lease = p.tryAcquire(64).orElseThrow(() -> new AssertionError("the only buffer was stranded"));
        lease.close();
    }

    @Test
    @DisplayName("B1/B3: a failure while a leak report is built (here the clock) after the ending returns the buffer")
    void shouldReturnBufferWhenReportBuildingFails() {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        AtomicBoolean clockFails = new AtomicBoolean();
        BufferPool p = track(BufferPool.builder().maxTotalBytes(1024).maxBufferSize(1024)
                .leaseTimeout(Duration.ofSeconds(1)).maintenanceInterval(Duration.ZERO).scheduler(scheduler)
                .clock(() -> {
                    if (clockFails.get()) {
                        throw new IllegalStateException("clock failure for the test");
                    }
                    return now.get();
                }).build());
        Lease held = p.acquire(1024);
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertEquals(1, p.scanForLongHolds());
        clockFails.set(true);
        assertThrows(IllegalStateException.class, held::close, "the RETURNED_LATE report reads the clock");
        clockFails.set(false);
        assertFalse(held.isActive());
        PoolInvariants.checkQuiescent(p);
        p.tryAcquire(1024).orElseThrow(() -> new AssertionError("the buffer was stranded")).close();
        assertEquals(2, p.stats().releases());
    }

    @Test
    @DisplayName("B1/B3: a clock that throws while a lease is stamped leaves no phantom lease")
    void shouldLeaveNoPhantomLeaseWhenClockFailsOnAcquire() {
        AtomicBoolean clockFails = new AtomicBoolean();
        BufferPool p = track(BufferPool.builder().maxTotalBytes(64).maxBufferSize(64)
                .maintenanceInterval(Duration.ZERO).scheduler(scheduler)
                .clock(() -> {
                    if (clockFails.get()) {
                        throw new IllegalStateException("clock failure for the test");
                    }
                    return 1L;
                }).build());
        clockFails.set(true);
        assertThrows(IllegalStateException.class, () -> p.acquire(64));
        clockFails.set(false);
        assertEquals(0, PoolInvariants.checkQuiescent(p).acquires());
        p.tryAcquire(64).orElseThrow(() -> new AssertionError("the buffer was stranded")).close();
    }

    @Test
    @DisplayName("a future completed exceptionally by its owner (orTimeout) leaves the line at once")
    void shouldLeaveLineWhenOwnerCompletesFutureExceptionally() {
        BufferPool p = track(BufferPool.builder().maxTotalBytes(1024).maxBufferSize(1024)
                .acquireTimeout(Duration.ZERO).maintenanceInterval(Duration.ZERO).scheduler(scheduler).build());
        Lease half = p.acquire(512);
        CompletableFuture<Lease> f = p.acquireAsync(1024, Duration.ofHours(1));
        assertTrue(f.completeExceptionally(new TimeoutException("what orTimeout does")));
        Lease small = p.tryAcquire(64).orElseThrow(() -> new AssertionError("a dead waiter blocks the line"));
        Lease blocking = p.acquire(64);
        small.close();
        blocking.close();
        half.close();
    }

    @Test
    @DisplayName("a future completed by its owner with a value leaves the line; the memory stays free")
    void shouldLeaveLineWhenOwnerCompletesFutureWithValue() {
        BufferPool p = track(BufferPool.builder().maxTotalBytes(1024).maxBufferSize(1024)
                .maintenanceInterval(Duration.ZERO).scheduler(scheduler).build());
        Lease half = p.acquire(512);
        CompletableFuture<Lease> f = p.acquireAsync(1024, Duration.ofHours(1));
        assertTrue(f.complete(null));
        p.tryAcquire(64).orElseThrow(() -> new AssertionError("a dead waiter blocks the line")).close();
        half.close();
        // The freed memory is not handed to the dead waiter.
        p.tryAcquire(1024).orElseThrow(() -> new AssertionError("the memory went to a completed future")).close();
    }

    /** A scheduler that keeps every task it was given (as a timing wheel or a recording wrapper may). */
    private static final class RetainingScheduler extends ScheduledThreadPoolExecutor {
        final List<Runnable> kept = new CopyOnWriteArrayList<>();

        RetainingScheduler() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            kept.add(command);
            return super.schedule(command, delay, unit);
        }
    }

    /** Four async acquisitions with a one-hour timeout, served and closed; weak references to their leases. */
    private static List<WeakReference<Lease>> servedAndClosed(BufferPool p) throws Exception {
        List<WeakReference<Lease>> refs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Lease a = p.acquire(1024);
            CompletableFuture<Lease> f = p.acquireAsync(1024, Duration.ofHours(1));
            a.close();
            Lease served = f.get(10, TimeUnit.SECONDS);
            served.close();
            refs.add(new WeakReference<>(served));
        }
        return refs;
    }

    @Test
    @DisplayName("an injected scheduler with the default policy does not keep cancelled timers queued")
    void shouldRemoveCancelledTimersFromInjectedScheduler() throws Exception {
        BufferPool p = track(BufferPool.builder().maxTotalBytes(1024).maxBufferSize(1024).tracking(TrackingLevel.OFF)
                .maintenanceInterval(Duration.ZERO).scheduler(scheduler).build());
        servedAndClosed(p);
        assertEquals(0, scheduler.getQueue().size(), "cancelled timers left in the scheduler's queue");
    }

    @Test
    @DisplayName("a scheduler that keeps its tasks does not keep completed async leases reachable")
    void shouldNotKeepLeasesReachableFromRetainedTimers() throws Exception {
        RetainingScheduler retaining = new RetainingScheduler();
        try {
            BufferPool p = track(BufferPool.builder().maxTotalBytes(1024).maxBufferSize(1024).tracking(TrackingLevel.OFF)
                    .maintenanceInterval(Duration.ZERO).scheduler(retaining).build());
            List<WeakReference<Lease>> refs = servedAndClosed(p);
            assertEquals(4, retaining.kept.size());
            Await.until("completed leases collected", Duration.ofSeconds(30), () -> {
                System.gc();
                return refs.stream().allMatch(r -> r.get() == null);
            });
        } finally {
            retaining.shutdownNow();
        }
    }

    @Test
    @DisplayName("B6: a listener error in the age scan skips no revocation, and the maintenance task keeps running")
    void shouldKeepScanningAndRevokingWhenListenerThrowsError() {
        BufferPool p = track(BufferPool.builder().maxTotalBytes(1 << 16).maxBufferSize(1 << 10)
                .leaseTimeout(Duration.ofMillis(1)).maintenanceInterval(Duration.ofMillis(5)).forceRelease(true)
                .leakListener(r -> {
                    throw new AssertionError("listener failure for the test");
                }).build());
        Lease first = p.acquire(64);
        Await.until("first lease revoked", Duration.ofSeconds(10), () -> !first.isActive());
        Lease second = p.acquire(64);
        Await.until("second lease revoked by a later scan", Duration.ofSeconds(10), () -> !second.isActive());
        Await.until("both counted", Duration.ofSeconds(10), () -> p.stats().forceReleased() == 2);
    }

    @Test
    @DisplayName("B6: scanForLongHolds revokes before it reports, so a listener error skips no revocation")
    void shouldRevokeBeforeReportingWhenListenerThrowsError() {
        TestClock clock = new TestClock();
        BufferPool p = track(BufferPool.builder().maxTotalBytes(1 << 16).maxBufferSize(1 << 10).clock(clock)
                .leaseTimeout(Duration.ofSeconds(1)).maintenanceInterval(Duration.ZERO).forceRelease(true)
                .leakListener(r -> {
                    throw new AssertionError("listener failure for the test");
                }).build());
        Lease a = p.acquire(64);
        Lease b = p.acquire(64);
        clock.advance(Duration.ofSeconds(2));
        assertThrows(AssertionError.class, p::scanForLongHolds);
        assertFalse(a.isActive());
        assertFalse(b.isActive());
        assertEquals(2, p.stats().forceReleased());
    }
}

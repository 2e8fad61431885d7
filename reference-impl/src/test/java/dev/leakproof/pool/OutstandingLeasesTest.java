package dev.leakproof.pool;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link BufferPool#outstandingLeases()} and {@link PoolRegistry}: what the JUnit leak detector reads. */
class OutstandingLeasesTest {

    private final List<BufferPool> built = new ArrayList<>();
    private final List<Lease> held = new ArrayList<>();
    private final TestClock clock = new TestClock();

    private BufferPool pool(TrackingLevel tracking) {
        BufferPool p = BufferPool.builder().name("outstanding-" + built.size()).maxTotalBytes(1 << 20)
                .maxBufferSize(1 << 16).maintenanceInterval(Duration.ZERO).tracking(tracking).clock(clock).build();
        built.add(p);
        return p;
    }

    @AfterEach
    void closeEverything() {
        held.forEach(Lease::close);
        built.forEach(BufferPool::close);
    }

    @Test
    void shouldListEveryOpenLeaseWithIdSizeAgeAndStackWhenTrackingAll() {
        BufferPool p = pool(TrackingLevel.ALL);
        Lease first = p.acquire(100);
        clock.advance(Duration.ofMillis(250));
        Lease second = p.acquire(5000);
        held.add(first);
        held.add(second);

        List<OutstandingLease> out = p.outstandingLeases();

        assertEquals(2, out.size());
        OutstandingLease a = out.stream().filter(l -> l.size() == 100).findFirst().orElseThrow();
        OutstandingLease b = out.stream().filter(l -> l.size() == 5000).findFirst().orElseThrow();
        assertEquals(1, a.leaseId());
        assertEquals(2, b.leaseId());
        assertEquals(128, a.capacity());
        assertEquals(8192, b.capacity());
        assertEquals(Duration.ofMillis(250), a.age());
        assertEquals(Duration.ZERO, b.age());
        assertEquals(Thread.currentThread().getName(), a.threadName());
        assertTrue(a.tracked());
        assertTrue(a.acquisitionSite().getStackTrace().length > 0);
        assertTrue(a.summary().contains("lease #1 (100 B)"), a.summary());
    }

    @Test
    void shouldListNothingWhenEveryLeaseWasClosed() {
        BufferPool p = pool(TrackingLevel.ALL);
        p.acquire(100).close();
        try (Lease lease = p.acquire(200)) {
            assertEquals(1, p.outstandingLeases().size());
            assertEquals(200, lease.size());
        }
        assertTrue(p.outstandingLeases().isEmpty());
    }

    @Test
    void shouldListUntrackedLeaseWithoutStackWhenTrackingOff() {
        BufferPool p = pool(TrackingLevel.OFF);
        held.add(p.acquire(64));
        OutstandingLease lease = p.outstandingLeases().get(0);
        assertFalse(lease.tracked());
        assertNull(lease.acquisitionSite());
        assertTrue(lease.summary().contains("untracked"), lease.summary());
    }

    @Test
    void shouldStillListLeasesOutWhenThePoolIsClosed() {
        BufferPool p = pool(TrackingLevel.OFF);
        held.add(p.acquire(64));
        p.close();
        assertEquals(1, p.outstandingLeases().size());
    }

    @Test
    void shouldListOnlyPoolsBuiltAfterTheMarkWhenAskedForThem() {
        BufferPool before = pool(TrackingLevel.OFF);
        long mark = PoolRegistry.mark();
        BufferPool after1 = pool(TrackingLevel.OFF);
        BufferPool after2 = pool(TrackingLevel.OFF);

        List<BufferPool> found = PoolRegistry.createdAfter(mark);

        assertEquals(List.of(after1, after2), found);
        assertFalse(found.contains(before));
        assertTrue(PoolRegistry.all().contains(before));
        assertSame(after2, PoolRegistry.createdAfter(PoolRegistry.mark() - 1).get(0));
        assertTrue(PoolRegistry.createdAfter(PoolRegistry.mark()).isEmpty());
    }

    @Test
    void shouldRejectMarkWhenItWasNeverIssued() {
        long next = PoolRegistry.mark() + 1;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PoolRegistry.createdAfter(next));
        assertTrue(e.getMessage().contains(String.valueOf(next)), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PoolRegistry.createdAfter(-1));
    }

    @Test
    void shouldForgetPoolWhenItIsNoLongerReachable() throws InterruptedException {
        long mark = PoolRegistry.mark();
        ReferenceQueue<BufferPool> collected = new ReferenceQueue<>();
        WeakReference<BufferPool> dropped = buildAndDrop(collected);
        // Ask for collections until the pool is gone, waiting on the reference queue (bounded: 50 x 20 ms).
        for (int i = 0; i < 50 && dropped.get() != null; i++) {
            System.gc();
            collected.remove(20);
        }
        assertNull(dropped.get(), "the pool became unreachable and was collected");
        assertTrue(PoolRegistry.createdAfter(mark).isEmpty(), "the registry must hold pools weakly");
    }

    private static WeakReference<BufferPool> buildAndDrop(ReferenceQueue<BufferPool> queue) {
        BufferPool pool = BufferPool.builder().name("dropped").maxTotalBytes(1 << 20).maxBufferSize(1 << 16)
                .maintenanceInterval(Duration.ZERO).build();
        pool.close();
        return new WeakReference<>(pool, queue);
    }
}

package dev.leakproof.pool;

import dev.leakproof.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Nested;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract of {@link BufferPool} and {@link Lease} (B1-B5, the README's invariants), run against every
 * configuration: adding a buffer kind or tracking level means adding one nested class at the
 * bottom. After every test B1 and B3 are checked on each pool the test built.
 */
final class BufferPoolTest {

    /** The contract: every test here runs once per configuration, through the nested classes below. */
    abstract static class Contract {

        private final List<BufferPool> built = new ArrayList<>();

        /** The configuration under test: buffer kind and tracking level. */
        abstract BufferPool.Builder configure(BufferPool.Builder b);

        BufferPool pool(BufferPool.Builder b) {
            BufferPool p = configure(b).maintenanceInterval(Duration.ZERO).build();
            built.add(p);
            return p;
        }

        BufferPool pool(long maxTotal, int maxBuffer) {
            return pool(BufferPool.builder().maxTotalBytes(maxTotal).maxBufferSize(maxBuffer).acquireTimeout(Duration.ZERO));
        }

        @AfterEach
        void checkInvariants() {
            for (BufferPool p : built) {
                PoolInvariants.check(p);
                p.close();
            }
        }

        // ---------------------------------------------------------------- leases

        @Test
        @DisplayName("a lease shows exactly size bytes, copies in and out, and returns its buffer on close")
        void shouldExposeExactlySizeBytesWhenAcquired() {
            BufferPool p = pool(1 << 20, 1 << 16);
            try (Lease lease = p.acquire(100)) {
                assertEquals(100, lease.size());
                assertTrue(lease.isActive());
                lease.write(0, new byte[] {1, 2, 3}).put(99, (byte) 9).putInt(10, 0xCAFEBABE).putLong(20, 42L);
                assertEquals(3, lease.get(2));
                assertEquals(9, lease.get(99));
                assertEquals(0xCAFEBABE, lease.getInt(10));
                assertEquals(42L, lease.getLong(20));
                assertThrows(IndexOutOfBoundsException.class, () -> lease.get(100));
                assertThrows(IndexOutOfBoundsException.class, () -> lease.write(98, new byte[3]));
                assertThrows(IndexOutOfBoundsException.class, () -> lease.getInt(97));
                ByteBuffer out = ByteBuffer.allocate(3);
                lease.read(0, out);
                assertArrayEquals(new byte[] {1, 2, 3}, out.array());
                assertEquals(100, lease.toByteArray().length);
                assertEquals(128, p.stats().usedBytes(), "B1: a 100 B lease holds a 128 B buffer");
            }
            PoolStats s = PoolInvariants.checkQuiescent(p);
            assertEquals(1, s.releases());
            assertEquals(1, s.freeBuffers());
            assertEquals(128, s.retainedBytes());
        }

        @Test
        @DisplayName("B3: an exception inside try-with-resources still releases the lease")
        void shouldReleaseLeaseWhenBodyThrows() {
            BufferPool p = pool(1 << 20, 1 << 16);
            assertThrows(IllegalStateException.class, () -> {
                try (Lease lease = p.acquire(512)) {
                    lease.put(0, (byte) 1);
                    throw new IllegalStateException("failure inside the body, for the test");
                }
            });
            PoolStats s = PoolInvariants.checkQuiescent(p);
            assertEquals(1, s.releases());
        }

        @Test
        @DisplayName("B3: a second close does nothing but count")
        void shouldCountSecondCloseWhenClosedTwice() {
            BufferPool p = pool(1 << 20, 1 << 16);
            Lease lease = p.acquire(64);
            lease.close();
            lease.close();
            PoolStats s = PoolInvariants.checkQuiescent(p);
            assertEquals(1, s.releases());
            assertEquals(1, s.redundantCloses());
        }

        @Test
        @DisplayName("B2: live leases never share a buffer, however often buffers are reused")
        void shouldNeverShareBufferWhenLeasesAreLive() {
            BufferPool p = pool(64 * 64, 64);
            java.util.Set<Slot> owners = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            List<Lease> live = new ArrayList<>();
            for (int round = 0; round < 20; round++) {
                while (live.size() < 64) {
                    Lease l = p.acquire(64);
                    assertTrue(owners.add(l.slot()), "B2: a buffer handed out while another live lease holds it");
                    l.fill((byte) live.size());
                    live.add(l);
                }
                for (int i = 0; i < live.size(); i++) {
                    assertEquals((byte) i, live.get(i).get(63), "B2: lease " + i + " sees another lease's bytes");
                }
                for (int i = round % 2; i < live.size(); i += 2) {
                    owners.remove(live.get(i).slot());
                    live.get(i).close();
                }
                live.removeIf(l -> !l.isActive());
                for (int i = 0; i < live.size(); i++) {
                    live.get(i).fill((byte) i);
                }
            }
            live.forEach(Lease::close);
            PoolStats s = PoolInvariants.checkQuiescent(p);
            assertEquals(64, s.allocations(), "every later lease reused one of the 64 buffers");
        }

        @Test
        @DisplayName("B4: an ended lease fails fast on every accessor")
        void shouldFailFastWhenUsedAfterClose() {
            BufferPool p = pool(1 << 20, 1 << 16);
            Lease lease = p.acquire(64);
            lease.close();
            assertFalse(lease.isActive());
            assertThrows(IllegalStateException.class, lease::size);
            assertTrue(lease.toString().endsWith("ended]"), lease.toString());
            assertThrows(IllegalStateException.class, () -> lease.get(0));
            assertThrows(IllegalStateException.class, () -> lease.put(0, (byte) 1));
            assertThrows(IllegalStateException.class, () -> lease.getInt(0));
            assertThrows(IllegalStateException.class, () -> lease.putLong(0, 1));
            assertThrows(IllegalStateException.class, () -> lease.write(0, new byte[1]));
            assertThrows(IllegalStateException.class, () -> lease.read(0, new byte[1]));
            assertThrows(IllegalStateException.class, () -> lease.write(0, ByteBuffer.allocate(1)));
            assertThrows(IllegalStateException.class, () -> lease.read(0, ByteBuffer.allocate(1)));
            assertThrows(IllegalStateException.class, lease::toByteArray);
            assertThrows(IllegalStateException.class, () -> lease.fill((byte) 1));
            assertThrows(IllegalStateException.class, () -> lease.touch("x"));
            assertThrows(IllegalStateException.class, lease::id);
        }

        @Test
        @DisplayName("B4: a stale lease cannot read or write the buffer's next owner")
        void shouldNotTouchNewOwnerWhenStaleLeaseIsUsed() {
            BufferPool p = pool(1 << 20, 1 << 16);
            Lease first = p.acquire(64);
            first.close();
            try (Lease second = p.acquire(64)) {
                assertEquals(1, p.stats().reuses(), "the same buffer is reused");
                second.fill((byte) 7);
                assertThrows(IllegalStateException.class, () -> first.put(0, (byte) 1));
                assertThrows(IllegalStateException.class, () -> first.get(0));
                first.close();
                assertEquals(7, second.get(0), "the stale write did not land");
                assertTrue(second.isActive(), "B2: a stale close does not end the new lease");
            }
            assertEquals(1, p.stats().redundantCloses());
        }

        @Test
        @DisplayName("B4: force-release revokes the lease; its memory serves a new lease untouched by the old one")
        void shouldFailFastWhenUsedAfterForceRelease() {
            BufferPool p = pool(1 << 20, 1 << 16);
            Lease lease = p.acquire(64);
            assertTrue(p.forceRelease(lease));
            assertFalse(p.forceRelease(lease), "B3: a second ending loses");
            assertThrows(IllegalStateException.class, () -> lease.put(0, (byte) 1));
            try (Lease next = p.acquire(64)) {
                next.fill((byte) 5);
                lease.close();
                assertThrows(IllegalStateException.class, () -> lease.write(0, new byte[] {1}));
                assertEquals(5, next.get(0));
            }
            PoolStats s = PoolInvariants.checkQuiescent(p);
            assertEquals(1, s.forceReleased());
            assertEquals(1, s.releases());
            assertEquals(1, s.redundantCloses());
        }

        @Test
        @DisplayName("B5: a reused buffer shows zeros, not the previous owner's bytes")
        void shouldZeroReusedBufferWhenScrubbing() {
            BufferPool p = pool(1 << 20, 1 << 16);
            try (Lease lease = p.acquire(4096)) {
                lease.fill((byte) 0x5A);
            }
            try (Lease lease = p.acquire(4000)) {
                assertEquals(1, p.stats().reuses());
                assertArrayEquals(new byte[4000], lease.toByteArray(), "B5: previous owner's bytes visible");
            }
        }

        @Test
        @DisplayName("B5: a larger lease on a reused buffer shows zeros over the previous owner's smaller range too")
        void shouldZeroWholeVisibleRangeWhenReusedBufferServesLargerLease() {
            BufferPool p = pool(1 << 20, 1 << 16);
            try (Lease lease = p.acquire(3000)) {
                lease.fill((byte) 0x5A);
            }
            try (Lease lease = p.acquire(4096)) {
                assertEquals(1, p.stats().reuses());
                assertArrayEquals(new byte[4096], lease.toByteArray(), "B5: previous owner's bytes visible");
            }
        }

        @Test
        @DisplayName("B5: with scrubbing on, a free buffer keeps none of its previous owner's bytes")
        void shouldHoldNoPreviousBytesWhenBufferIsFree() {
            BufferPool p = pool(1 << 20, 1 << 16);
            Lease lease = p.acquire(4096);
            lease.fill((byte) 0x5A);
            ByteBuffer memory = lease.slot().buffer;
            lease.close();
            for (int i = 0; i < memory.capacity(); i++) {
                assertEquals(0, memory.get(i), "byte " + i + " of a free buffer still holds the previous owner's data");
            }
        }

        @Test
        @DisplayName("B5: with scrubbing off, a reused buffer may show the previous owner's bytes (documented)")
        void shouldKeepPreviousBytesWhenScrubbingIsOff() {
            BufferPool p = pool(BufferPool.builder().maxTotalBytes(1 << 20).maxBufferSize(1 << 16).scrub(false));
            try (Lease lease = p.acquire(64)) {
                lease.fill((byte) 3);
            }
            try (Lease lease = p.acquire(64)) {
                assertEquals(3, lease.get(0));
            }
        }

        @Test
        @DisplayName("B1: accounting is exact: buffer capacity of the size class, top class exactly maxBufferSize")
        void shouldAccountClassCapacityWhenSizesVary() {
            BufferPool p = pool(1 << 20, 10_000);
            assertEquals(64, p.bufferCapacityFor(1));
            assertEquals(64, p.bufferCapacityFor(64));
            assertEquals(128, p.bufferCapacityFor(65));
            assertEquals(8192, p.bufferCapacityFor(8192));
            assertEquals(10_000, p.bufferCapacityFor(8193));
            assertEquals(10_000, p.bufferCapacityFor(10_000));
            try (Lease a = p.acquire(1); Lease b = p.acquire(65); Lease c = p.acquire(9000)) {
                PoolStats s = p.stats();
                assertEquals(64 + 128 + 10_000, s.usedBytes());
                assertEquals(s.usedBytes(), s.retainedBytes());
                assertEquals(3, s.activeLeases());
                assertEquals(0, s.freeBuffers());
            }
            PoolStats s = PoolInvariants.checkQuiescent(p);
            assertEquals(64 + 128 + 10_000, s.retainedBytes());
            assertEquals(3, s.freeBuffers());
        }

        @Test
        @DisplayName("B1: free buffers of other classes are evicted to make room; the limit is never passed")
        void shouldEvictFreeBuffersWhenAnotherClassNeedsRoom() {
            BufferPool p = pool(4096, 4096);
            List<Lease> small = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                small.add(p.acquire(64));
            }
            assertTrue(p.tryAcquire(64).isEmpty(), "at the limit");
            small.forEach(Lease::close);
            assertEquals(4096, p.stats().retainedBytes());
            try (Lease big = p.acquire(4096)) {
                PoolStats s = PoolInvariants.check(p);
                assertEquals(64, s.evictions());
                assertEquals(4096, s.retainedBytes());
                assertEquals(4096, s.usedBytes());
            }
        }

        @Test
        @DisplayName("reuse: a steady workload is served from the size-class free lists, reuse rate above 50 %")
        void shouldReuseBuffersWhenWorkloadIsSteady() {
            BufferPool p = pool(1 << 20, 1 << 16);
            int[] sizes = {100, 4096, 1000, 60, 3000, 16_000};
            for (int round = 0; round < 200; round++) {
                List<Lease> held = new ArrayList<>();
                for (int size : sizes) {
                    held.add(p.acquire(size + round % 7));
                }
                held.forEach(Lease::close);
            }
            PoolStats s = PoolInvariants.checkQuiescent(p);
            assertTrue(s.reuseRate() > 0.5, "reuse rate " + s.reuseRate());
            assertTrue(s.reuseRate() > 0.99, "steady workload after warm-up: " + s);
            assertTrue(s.allocations() <= 2 * sizes.length, "sizes near a class boundary use two classes at most: " + s);
        }

        @Test
        @DisplayName("B1, B2, B3: concurrent acquire/use/release keeps bytes bounded and buffers unshared")
        void shouldKeepBuffersUnsharedWhenThreadsContend() throws Exception {
            BufferPool p = pool(BufferPool.builder().maxTotalBytes(16 * 1024).maxBufferSize(4096)
                    .acquireTimeout(Duration.ofSeconds(10)));
            int threads = 4;
            int rounds = 2_000;
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            AtomicBoolean overLimit = new AtomicBoolean();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                byte mark = (byte) (t + 1);
                Thread w = new Thread(() -> {
                    try {
                        start.await();
                        for (int i = 0; i < rounds; i++) {
                            int size = 64 + (i * 37 + mark * 101) % 4000;
                            try (Lease lease = p.acquire(size)) {
                                lease.fill(mark);
                                for (int k = 0; k < size; k += 61) {
                                    if (lease.get(k) != mark) {
                                        throw new AssertionError("B2: another lease wrote into mine at " + k);
                                    }
                                }
                                if (p.usedBytes() > 16 * 1024) {
                                    overLimit.set(true);
                                }
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "pool-worker-" + t);
                workers.add(w);
                w.start();
            }
            start.countDown();
            for (Thread w : workers) {
                Await.ended(w, Duration.ofSeconds(60));
            }
            assertTrue(failures.isEmpty(), () -> "failures: " + failures);
            assertFalse(overLimit.get(), "B1 violated");
            PoolStats s = PoolInvariants.checkQuiescent(p);
            assertEquals((long) threads * rounds, s.acquires());
        }

        @Test
        @DisplayName("B4: a force-release racing with the owner's writes never lets them reach the next owner")
        void shouldNotWriteIntoNextOwnerWhenRevokedDuringWrites() throws Exception {
            BufferPool p = pool(BufferPool.builder().maxTotalBytes(4096).maxBufferSize(4096).acquireTimeout(Duration.ofSeconds(10)));
            byte[] ones = new byte[4096];
            java.util.Arrays.fill(ones, (byte) 1);
            for (int round = 0; round < 200; round++) {
                Lease victim = p.acquire(4096);
                CountDownLatch writing = new CountDownLatch(1);
                AtomicBoolean stop = new AtomicBoolean();
                Thread writer = new Thread(() -> {
                    try {
                        victim.write(0, ones);
                        // Only now is a write surely in flight around the revocation.
                        writing.countDown();
                        while (!stop.get()) {
                            victim.write(0, ones);
                        }
                    } catch (IllegalStateException revoked) {
                        // B4: the revoked lease fails fast.
                    }
                }, "revoked-writer-" + round);
                writer.start();
                writing.await();
                assertTrue(p.forceRelease(victim));
                try (Lease next = p.acquire(4096)) {
                    assertArrayEquals(new byte[4096], next.toByteArray(), "B4/B5: the revoked owner's write reached the next owner");
                    next.fill((byte) 2);
                    stop.set(true);
                    Await.ended(writer, Duration.ofSeconds(10));
                    byte[] seen = next.toByteArray();
                    for (byte b : seen) {
                        assertEquals(2, b, "B4: the revoked lease wrote into the next owner's memory");
                    }
                }
            }
            assertEquals(200, p.stats().forceReleased());
        }

        // ---------------------------------------------------------------- close

        @Test
        @DisplayName("a closed pool refuses acquisitions and reports the leases still out")
        void shouldRefuseAndReportWhenClosed() {
            RecordingLeakListener leaks = new RecordingLeakListener();
            BufferPool p = pool(BufferPool.builder().maxTotalBytes(1 << 20).maxBufferSize(1 << 16).leakListener(leaks));
            Lease open = p.acquire(100);
            p.acquire(64).close();
            List<LeakReport> report = p.shutdown();
            assertEquals(1, report.size());
            assertEquals(LeakVerdict.OPEN_AT_CLOSE, report.get(0).verdict());
            assertEquals(100, report.get(0).size());
            assertEquals(1, leaks.count(LeakVerdict.OPEN_AT_CLOSE));
            assertTrue(p.shutdown().isEmpty(), "idempotent");
            assertThrows(PoolClosedException.class, () -> p.acquire(10));
            assertThrows(PoolClosedException.class, () -> p.tryAcquire(10));
            assertThrows(PoolClosedException.class, () -> p.acquireAsync(10, Duration.ofSeconds(1)));
            open.put(0, (byte) 1);
            open.close();
            PoolStats s = PoolInvariants.checkQuiescent(p);
            assertEquals(0, s.retainedBytes(), "buffers are dropped after close");
            assertTrue(s.closed());
        }

        // ---------------------------------------------------------------- bad input

        @Test
        @DisplayName("bad sizes are refused with a message naming the value and the limit")
        void shouldRefuseWhenSizeIsOutOfRange() {
            BufferPool p = pool(1 << 20, 1000);
            IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> p.acquire(0));
            assertTrue(zero.getMessage().contains("size must be >= 1"), zero.getMessage());
            assertThrows(IllegalArgumentException.class, () -> p.acquire(-5));
            IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> p.acquire(1001));
            assertTrue(big.getMessage().contains("maxBufferSize=1000"), big.getMessage());
            assertThrows(IllegalArgumentException.class, () -> p.tryAcquire(0));
            assertThrows(IllegalArgumentException.class, () -> p.acquireAsync(1001, Duration.ofSeconds(1)));
            assertThrows(IllegalArgumentException.class, () -> p.acquire(10, Duration.ofSeconds(-1)));
            assertEquals(0, p.stats().acquires());
        }

        @Test
        @DisplayName("bad limits and null listeners are refused by the builder")
        void shouldRefuseWhenBuilderArgumentsAreBad() {
            assertThrows(IllegalArgumentException.class, () -> BufferPool.builder().maxTotalBytes(0));
            assertThrows(IllegalArgumentException.class, () -> BufferPool.builder().maxTotalBytes(-1));
            assertThrows(IllegalArgumentException.class, () -> BufferPool.builder().maxBufferSize(0));
            assertThrows(IllegalArgumentException.class, () -> BufferPool.builder().maxBufferSize(BufferPool.MAX_BUFFER_SIZE_LIMIT + 1));
            assertThrows(IllegalArgumentException.class, () -> BufferPool.builder().sampleRate(0));
            assertThrows(IllegalArgumentException.class, () -> BufferPool.builder().leaseTimeout(Duration.ZERO));
            assertThrows(NullPointerException.class, () -> BufferPool.builder().leakListener(null));
            assertThrows(NullPointerException.class, () -> BufferPool.builder().tracking(null));
            assertThrows(NullPointerException.class, () -> BufferPool.builder().clock(null));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BufferPool.builder().maxTotalBytes(100).maxBufferSize(200).build());
            assertTrue(e.getMessage().contains("maxBufferSize=200"), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- configurations

    @Nested
    class HeapSampled extends Contract {
        @Override
        BufferPool.Builder configure(BufferPool.Builder b) {
            return b.direct(false).tracking(TrackingLevel.SAMPLED);
        }
    }

    @Nested
    class DirectSampled extends Contract {
        @Override
        BufferPool.Builder configure(BufferPool.Builder b) {
            return b.direct(true).tracking(TrackingLevel.SAMPLED);
        }
    }

    @Nested
    class HeapTrackingAll extends Contract {
        @Override
        BufferPool.Builder configure(BufferPool.Builder b) {
            return b.direct(false).tracking(TrackingLevel.ALL);
        }
    }

    @Nested
    class DirectTrackingOff extends Contract {
        @Override
        BufferPool.Builder configure(BufferPool.Builder b) {
            return b.direct(true).tracking(TrackingLevel.OFF);
        }
    }
}

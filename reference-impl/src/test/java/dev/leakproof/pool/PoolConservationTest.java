package dev.leakproof.pool;

import dev.leakproof.testing.Await;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** B1 and B3 under a mixed concurrent workload: every acquisition kind and every ending at once. */
class PoolConservationTest {

    @Test
    @DisplayName("B1, B3: sync, try and async acquisitions with close, force-release and GC reclaim racing stay conserved")
    void shouldConserveLeasesWhenEveryEndingRaces() throws Exception {
        RecordingLeakListener leaks = new RecordingLeakListener();
        ConcurrentLinkedQueue<Lease> shared = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean overLimit = new AtomicBoolean();
        try (BufferPool p = BufferPool.builder().name("conservation").maxTotalBytes(32 * 1024).maxBufferSize(8192)
                .tracking(TrackingLevel.SAMPLED).sampleRate(4).acquireTimeout(Duration.ofMillis(50))
                .maintenanceInterval(Duration.ofMillis(2)).leaseTimeout(Duration.ofMillis(5)).forceRelease(true)
                .leakListener(leaks).build()) {
            int threads = 4;
            int ops = 1_500;
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread w = new Thread(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    try {
                        start.await();
                        for (int i = 0; i < ops; i++) {
                            int size = 1 + rnd.nextInt(8192);
                            Lease lease = null;
                            try {
                                switch (rnd.nextInt(3)) {
                                    case 0:
                                        lease = p.acquire(size);
                                        break;
                                    case 1:
                                        Optional<Lease> maybe = p.tryAcquire(size);
                                        lease = maybe.orElse(null);
                                        break;
                                    default:
                                        CompletableFuture<Lease> f = p.acquireAsync(size, Duration.ofMillis(50));
                                        if (rnd.nextInt(4) == 0) {
                                            f.cancel(false);
                                        }
                                        lease = f.isCancelled() ? null : f.exceptionally(e -> null).get(10, TimeUnit.SECONDS);
                                        break;
                                }
                            } catch (PoolExhaustedException expected) {
                                lease = null;
                            }
                            if ((i & 31) == 0) {
                                // One snapshot under the lock: B1 in full (retained, not only used, is bounded).
                                PoolStats st = p.stats();
                                if (st.usedBytes() < 0 || st.usedBytes() > st.retainedBytes()
                                        || st.retainedBytes() > st.maxTotalBytes()) {
                                    overLimit.set(true);
                                }
                            }
                            if (lease == null) {
                                continue;
                            }
                            try {
                                lease.put(0, (byte) 1);
                            } catch (IllegalStateException revoked) {
                                // force-released already: legal
                            }
                            switch (rnd.nextInt(4)) {
                                case 0:
                                    shared.add(lease); // another thread closes it
                                    break;
                                case 1:
                                    p.forceRelease(lease);
                                    lease.close();
                                    break;
                                case 2:
                                    // dropped: the age scan or the GC finds it
                                    break;
                                default:
                                    lease.close();
                            }
                            Lease other = shared.poll();
                            if (other != null) {
                                other.close();
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "conservation-" + t);
                workers.add(w);
                w.start();
            }
            start.countDown();
            for (Thread w : workers) {
                Await.ended(w, Duration.ofSeconds(120));
            }
            assertTrue(failures.isEmpty(), () -> "failures: " + failures);
            shared.forEach(Lease::close);
            Await.until("every dropped lease to be force-released or reclaimed", Duration.ofSeconds(30), () -> {
                System.gc();
                p.drainReferenceQueue();
                return p.stats().activeLeases() == 0;
            });
            assertFalse(overLimit.get(), "B1 violated");
            PoolStats s = PoolInvariants.checkQuiescent(p);
            assertEquals(s.forceReleased(), leaks.count(LeakVerdict.FORCE_RELEASED));
            assertEquals(s.gcReclaimed(), leaks.count(LeakVerdict.GC_RECLAIMED));
            assertTrue(s.forceReleased() + s.gcReclaimed() > 0, "dropped leases were found: " + s);
        }
    }
}

package dev.leakproof.pool;

import dev.leakproof.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exhaustion: blocking, try and async acquisition, timeouts, cancellation, interrupt, close. */
class PoolExhaustionTest {

    private final List<BufferPool> built = new ArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    /** A pool with room for exactly two 512 B buffers. */
    private BufferPool pool() {
        BufferPool p = BufferPool.builder().maxTotalBytes(1024).maxBufferSize(1024)
                .acquireTimeout(Duration.ofSeconds(10)).maintenanceInterval(Duration.ZERO).scheduler(scheduler).build();
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

    private static Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.start();
        return t;
    }

    @Test
    @DisplayName("tryAcquire returns empty at once when the pool is at its limit")
    void shouldReturnEmptyWhenTryAcquireFindsPoolFull() {
        BufferPool p = pool();
        Lease a = p.acquire(512);
        Lease b = p.acquire(512);
        Optional<Lease> none = p.tryAcquire(1);
        assertTrue(none.isEmpty());
        assertEquals(1, p.stats().timeouts());
        a.close();
        Optional<Lease> some = p.tryAcquire(512);
        assertTrue(some.isPresent());
        some.get().close();
        b.close();
    }

    @Test
    @DisplayName("a blocked acquire wakes with the memory another thread releases")
    void shouldWakeBlockedAcquireWhenMemoryIsReleased() {
        BufferPool p = pool();
        Lease a = p.acquire(512);
        Lease b = p.acquire(512);
        AtomicReference<Lease> got = new AtomicReference<>();
        Thread waiter = start("blocked-acquirer", () -> got.set(p.acquire(512)));
        Await.parked(waiter);
        Await.until("waiter counted", Duration.ofSeconds(10), () -> p.stats().waits() == 1);
        a.close();
        Await.ended(waiter, Duration.ofSeconds(10));
        assertTrue(got.get().isActive());
        got.get().close();
        b.close();
        assertEquals(1, p.stats().reuses());
    }

    @Test
    @DisplayName("a blocked acquire gives up with PoolExhaustedException at its timeout")
    void shouldThrowWhenAcquireTimesOut() {
        BufferPool p = pool();
        Lease a = p.acquire(1024);
        PoolExhaustedException e = assertThrows(PoolExhaustedException.class, () -> p.acquire(64, Duration.ofMillis(20)));
        assertTrue(e.getMessage().contains("no room for 64 bytes"), e.getMessage());
        assertThrows(PoolExhaustedException.class, () -> p.acquire(64, Duration.ZERO));
        PoolStats s = p.stats();
        assertEquals(2, s.timeouts());
        assertEquals(1, s.waits());
        a.close();
    }

    @Test
    @DisplayName("an interrupted wait throws, keeps the interrupt status, and strands nothing")
    void shouldThrowAndKeepInterruptWhenWaitIsInterrupted() {
        BufferPool p = pool();
        Lease a = p.acquire(1024);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Boolean> interrupted = new AtomicReference<>();
        Thread waiter = start("interrupted-acquirer", () -> {
            try {
                p.acquire(64);
            } catch (PoolExhaustedException e) {
                failure.set(e);
                interrupted.set(Thread.currentThread().isInterrupted());
            }
        });
        Await.parked(waiter);
        waiter.interrupt();
        Await.ended(waiter, Duration.ofSeconds(10));
        assertInstanceOf(InterruptedException.class, failure.get().getCause());
        assertTrue(interrupted.get());
        a.close();
    }

    @Test
    @DisplayName("waiters are served in FIFO order and a newcomer does not overtake them")
    void shouldServeWaitersInOrderWhenMemoryFrees() {
        BufferPool p = pool();
        Lease a = p.acquire(1024);
        List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread first = start("first", () -> {
            try (Lease l = p.acquire(1024)) {
                order.add("first");
            }
        });
        Await.parked(first);
        CompletableFuture<Lease> second = p.acquireAsync(1024, Duration.ofSeconds(10));
        assertTrue(p.tryAcquire(64).isEmpty(), "no barging past waiters");
        a.close();
        Await.ended(first, Duration.ofSeconds(10));
        Lease l = second.join();
        order.add("second");
        l.close();
        assertEquals(List.of("first", "second"), order);
    }

    @Test
    @DisplayName("an async acquisition completes at once when memory is free, and later on release")
    void shouldCompleteAsyncWhenMemoryFrees() throws Exception {
        BufferPool p = pool();
        CompletableFuture<Lease> now = p.acquireAsync(1024, Duration.ofSeconds(1));
        assertTrue(now.isDone());
        CompletableFuture<Lease> later = p.acquireAsync(512, Duration.ofSeconds(10));
        assertFalse(later.isDone());
        now.get().close();
        Lease l = later.get(10, TimeUnit.SECONDS);
        assertEquals(512, l.size());
        l.close();
        assertEquals(1, p.stats().waits());
    }

    @Test
    @DisplayName("an async acquisition times out with PoolExhaustedException and strands nothing")
    void shouldFailAsyncWhenTimeoutPasses() {
        BufferPool p = pool();
        Lease a = p.acquire(1024);
        CompletableFuture<Lease> f = p.acquireAsync(64, Duration.ofMillis(20));
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        assertInstanceOf(PoolExhaustedException.class, e.getCause());
        a.close();
        PoolStats s = p.stats();
        assertEquals(1, s.timeouts());
        assertEquals(0, s.activeLeases(), "the release after the timeout went to nobody");
        assertEquals(1, s.acquires());
    }

    @Test
    @DisplayName("a cancelled async acquisition leaves the line; the memory goes to the next waiter")
    void shouldSkipCancelledWaiterWhenMemoryFrees() throws Exception {
        BufferPool p = pool();
        Lease a = p.acquire(1024);
        CompletableFuture<Lease> cancelled = p.acquireAsync(1024, Duration.ofSeconds(10));
        CompletableFuture<Lease> next = p.acquireAsync(1024, Duration.ofSeconds(10));
        assertTrue(cancelled.cancel(false));
        a.close();
        next.get(10, TimeUnit.SECONDS).close();
        assertEquals(2, p.stats().acquires());
    }

    @Test
    @DisplayName("a cancel racing with the hand-off never strands a buffer")
    void shouldReturnMemoryWhenCancelRacesWithCompletion() throws Exception {
        BufferPool p = pool();
        for (int round = 0; round < 500; round++) {
            Lease a = p.acquire(1024);
            CompletableFuture<Lease> f = p.acquireAsync(1024, Duration.ofSeconds(10));
            CountDownLatch go = new CountDownLatch(1);
            Thread canceller = start("canceller-" + round, () -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                f.cancel(false);
            });
            go.countDown();
            a.close();
            Await.ended(canceller, Duration.ofSeconds(10));
            if (!f.isCancelled()) {
                f.get(10, TimeUnit.SECONDS).close();
            }
            PoolInvariants.checkQuiescent(p);
        }
    }

    @Test
    @DisplayName("a future completed by its owner after the pool served it, before the hand-off: the lease is closed again")
    void shouldCloseLeaseWhenFutureIsCompletedDuringHandOff() {
        TestClock clock = new TestClock();
        AtomicReference<CompletableFuture<Lease>> pending = new AtomicReference<>();
        // The RETURNED_LATE report is published after the waiter is served and before its future is
        // completed: completing the future there is the race's losing side, every time.
        BufferPool p = BufferPool.builder().maxTotalBytes(1024).maxBufferSize(1024).clock(clock)
                .leaseTimeout(Duration.ofSeconds(1)).maintenanceInterval(Duration.ZERO).scheduler(scheduler)
                .leakListener(r -> {
                    if (r.verdict() == LeakVerdict.RETURNED_LATE) {
                        pending.get().complete(null);
                    }
                }).build();
        built.add(p);
        Lease held = p.acquire(1024);
        clock.advance(Duration.ofSeconds(2));
        assertEquals(1, p.scanForLongHolds());
        pending.set(p.acquireAsync(1024, Duration.ofHours(1)));
        held.close();
        assertTrue(pending.get().isDone());
        assertEquals(null, pending.get().getNow(null));
        PoolStats s = PoolInvariants.checkQuiescent(p);
        assertEquals(2, s.acquires(), "the waiter was served");
        assertEquals(2, s.releases(), "and its lease closed again");
    }

    @Test
    @DisplayName("closing the pool fails every waiter, blocked or async")
    void shouldFailWaitersWhenPoolCloses() {
        BufferPool p = pool();
        Lease a = p.acquire(1024);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread waiter = start("waiting-at-close", () -> {
            try {
                p.acquire(64);
            } catch (RuntimeException e) {
                failure.set(e);
            }
        });
        Await.parked(waiter);
        CompletableFuture<Lease> f = p.acquireAsync(64, Duration.ofSeconds(10));
        assertEquals(1, p.shutdown().size());
        Await.ended(waiter, Duration.ofSeconds(10));
        assertInstanceOf(PoolClosedException.class, failure.get());
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        assertInstanceOf(PoolClosedException.class, e.getCause());
        a.close();
    }
}

package dev.leakproof.pool;

import dev.leakproof.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chunk processor bounds chunks in flight and leaves no lease out on any path. */
class ChunkProcessorTest {

    private final BufferPool pool = BufferPool.builder().name("chunks").maxTotalBytes(1 << 20).maxBufferSize(1 << 16)
            .maintenanceInterval(Duration.ZERO).build();
    private final ExecutorService executor = Executors.newFixedThreadPool(2);

    @AfterEach
    void checkNoLeaseLeftOut() throws InterruptedException {
        executor.shutdownNow();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
        PoolInvariants.checkQuiescent(pool);
        pool.close();
    }

    private static void check(ChunkReport r) {
        assertEquals(r.chunks(), r.succeeded() + r.failed() + r.cancelled() + r.stillRunning(), "chunk conservation: " + r);
    }

    @Test
    @DisplayName("every chunk of a stream is processed in a lease holding exactly its bytes; buffers are reused")
    void shouldProcessEveryChunkWhenAllSucceed() {
        byte[] data = new byte[100_000];
        new Random(42).nextBytes(data);
        AtomicLong checksum = new AtomicLong();
        ChunkProcessor p = ChunkProcessor.builder(pool, executor).chunkSize(4096).maxInFlight(4).build();
        ChunkReport r = p.process(new ByteArrayInputStream(data), (index, lease) -> {
            byte[] chunk = lease.toByteArray();
            byte[] expected = Arrays.copyOfRange(data, (int) index * 4096, Math.min(data.length, (int) (index + 1) * 4096));
            if (!Arrays.equals(expected, chunk)) {
                throw new AssertionError("chunk " + index + " differs");
            }
            long sum = 0;
            for (byte b : chunk) {
                sum += b;
            }
            checksum.addAndGet(sum);
        });
        check(r);
        assertTrue(r.complete(), r.toString());
        assertEquals(25, r.chunks());
        assertEquals(data.length, r.bytes());
        long expected = 0;
        for (byte b : data) {
            expected += b;
        }
        assertEquals(expected, checksum.get());
        assertTrue(pool.stats().reuseRate() > 0.5, "reuse rate " + pool.stats());
    }

    @Test
    @DisplayName("at most maxInFlight chunks are in flight")
    void shouldBoundChunksInFlightWhenHandlersAreSlow() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        AtomicInteger maxLeased = new AtomicInteger();
        ExecutorService wide = Executors.newFixedThreadPool(8);
        try {
            ChunkProcessor p = ChunkProcessor.builder(pool, wide).maxInFlight(3).build();
            Iterable<byte[]> chunks = () -> java.util.stream.IntStream.range(0, 200).mapToObj(i -> new byte[100]).iterator();
            ChunkReport r = p.process(chunks.iterator(), (index, lease) -> {
                int now = running.incrementAndGet();
                maxRunning.accumulateAndGet(now, Math::max);
                maxLeased.accumulateAndGet((int) pool.stats().activeLeases(), Math::max);
                Thread.yield();
                running.decrementAndGet();
            });
            check(r);
            assertTrue(r.complete(), r.toString());
            assertTrue(maxRunning.get() <= 3, "running at once: " + maxRunning.get());
            assertTrue(maxLeased.get() <= 3, "leased at once: " + maxLeased.get());
        } finally {
            wide.shutdownNow();
        }
    }

    @Test
    @DisplayName("handler failures are collected and counted; every lease is released")
    void shouldCollectFailuresWhenHandlerThrows() {
        ChunkProcessor p = ChunkProcessor.builder(pool, executor).chunkSize(1000).maxFailuresKept(3).build();
        ChunkReport r = p.process(new ByteArrayInputStream(new byte[50_000]), (index, lease) -> {
            if (index % 5 == 0) {
                throw new IOException("injected failure of chunk " + index);
            }
        });
        check(r);
        assertEquals(50, r.chunks());
        assertEquals(10, r.failed());
        assertEquals(40, r.succeeded());
        assertEquals(3, r.failures().size(), "only the first failures are kept");
        assertInstanceOf(IOException.class, r.failures().get(0).error());
        assertFalse(r.complete());
    }

    @Test
    @DisplayName("a chunk whose lease cannot be had fails; the others go on")
    void shouldFailChunkWhenLeaseIsRefused() {
        ChunkProcessor p = ChunkProcessor.builder(pool, executor).build();
        List<byte[]> chunks = List.of(new byte[10], new byte[(1 << 16) + 1], new byte[0], new byte[20]);
        ChunkReport r = p.process(chunks.iterator(), (index, lease) -> { });
        check(r);
        assertEquals(3, r.chunks(), "empty chunks are skipped");
        assertEquals(1, r.failed());
        assertInstanceOf(IllegalArgumentException.class, r.failures().get(0).error());
        assertEquals(30, r.bytes());
    }

    @Test
    @DisplayName("on timeout, chunks in flight are cancelled and interrupted; no lease is left out")
    void shouldCancelAndReleaseWhenRunTimesOut() {
        CountDownLatch never = new CountDownLatch(1);
        ChunkProcessor p = ChunkProcessor.builder(pool, executor).chunkSize(4096).maxInFlight(4).timeout(Duration.ofMillis(200)).build();
        ChunkReport r = p.process(new ByteArrayInputStream(new byte[10 * 4096]), (index, lease) -> {
            if (index >= 2) {
                never.await();
            }
        });
        check(r);
        assertTrue(r.timedOut());
        assertEquals(0, r.stillRunning());
        assertTrue(r.cancelled() >= 2, r.toString());
        assertEquals(2, r.succeeded());
    }

    @Test
    @DisplayName("an interrupt of the calling thread cancels the run, releases every lease and keeps the interrupt")
    void shouldCancelWhenCallerIsInterrupted() {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        AtomicReference<ChunkReport> report = new AtomicReference<>();
        AtomicReference<Boolean> interruptKept = new AtomicReference<>();
        ChunkProcessor p = ChunkProcessor.builder(pool, executor).maxInFlight(2).build();
        Thread caller = new Thread(() -> {
            report.set(p.process(new ByteArrayInputStream(new byte[100_000]), (index, lease) -> {
                started.countDown();
                never.await();
            }));
            interruptKept.set(Thread.currentThread().isInterrupted());
        }, "chunk-caller");
        caller.start();
        Await.until("a chunk to start", Duration.ofSeconds(10), () -> started.getCount() == 0);
        Await.parked(caller);
        caller.interrupt();
        Await.ended(caller, Duration.ofSeconds(10));
        ChunkReport r = report.get();
        check(r);
        assertTrue(r.interrupted());
        assertTrue(interruptKept.get());
        assertEquals(0, r.stillRunning());
        assertEquals(r.chunks(), r.cancelled());
    }

    @Test
    @DisplayName("a failing source stops reading; chunks already read are finished")
    void shouldReportSourceFailureWhenStreamThrows() {
        InputStream broken = new InputStream() {
            private int left = 5000;

            @Override
            public int read() throws IOException {
                if (left-- > 0) {
                    return 1;
                }
                throw new IOException("injected source failure");
            }
        };
        ChunkProcessor p = ChunkProcessor.builder(pool, executor).chunkSize(1000).build();
        ChunkReport r = p.process(broken, (index, lease) -> { });
        check(r);
        assertEquals(5, r.succeeded());
        assertInstanceOf(IOException.class, r.sourceFailure());
    }

    @Test
    @DisplayName("a chunk the executor refuses is a failure, and its slot comes back")
    void shouldFailChunkWhenExecutorRejects() {
        ChunkProcessor p = ChunkProcessor.builder(pool, r -> {
            throw new RejectedExecutionException("injected rejection");
        }).maxInFlight(1).build();
        ChunkReport r = p.process(List.of(new byte[1], new byte[2]).iterator(), (index, lease) -> { });
        check(r);
        assertEquals(2, r.failed());
        assertNull(r.sourceFailure());
    }

    @Test
    @DisplayName("bad arguments are refused")
    void shouldRefuseWhenArgumentsAreBad() {
        assertThrows(NullPointerException.class, () -> ChunkProcessor.builder(null, executor));
        assertThrows(NullPointerException.class, () -> ChunkProcessor.builder(pool, null));
        assertThrows(IllegalArgumentException.class, () -> ChunkProcessor.builder(pool, executor).maxInFlight(0));
        assertThrows(IllegalArgumentException.class, () -> ChunkProcessor.builder(pool, executor).chunkSize((1 << 16) + 1));
        assertThrows(NullPointerException.class, () -> ChunkProcessor.builder(pool, executor).build()
                .process(new ByteArrayInputStream(new byte[1]), null));
    }

    @Test
    @DisplayName("a chunk whose lease wait is interrupted counts as cancelled, not failed")
    void shouldCountChunkAsCancelledWhenAcquireIsInterrupted() throws Exception {
        BufferPool small = BufferPool.builder().name("chunks-full").maxTotalBytes(1024).maxBufferSize(1024)
                .maintenanceInterval(Duration.ZERO).build();
        Lease held = small.acquire(1024);
        AtomicReference<Thread> worker = new AtomicReference<>();
        ChunkProcessor p = ChunkProcessor.builder(small, command -> {
            Thread t = new Thread(command, "chunk-worker");
            worker.set(t);
            t.start();
        }).chunkSize(100).maxInFlight(1).acquireTimeout(Duration.ofMinutes(1)).build();
        AtomicReference<ChunkReport> report = new AtomicReference<>();
        Thread caller = new Thread(() -> report.set(p.process(new ByteArrayInputStream(new byte[100]), (index, lease) -> {
        })), "chunk-caller");
        caller.start();
        Await.until("worker started", Duration.ofSeconds(10), () -> worker.get() != null);
        Await.parked(worker.get());
        worker.get().interrupt();
        Await.ended(caller, Duration.ofSeconds(10));
        ChunkReport r = report.get();
        check(r);
        assertEquals(1, r.cancelled(), r.toString());
        assertEquals(0, r.failed(), r.toString());
        held.close();
        PoolInvariants.checkQuiescent(small);
        small.close();
    }
}

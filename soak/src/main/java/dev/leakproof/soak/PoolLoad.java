package dev.leakproof.soak;

import dev.leakproof.pool.BufferPool;
import dev.leakproof.pool.ChunkProcessor;
import dev.leakproof.pool.ChunkReport;
import dev.leakproof.pool.Lease;
import dev.leakproof.pool.PoolExhaustedException;
import dev.leakproof.pool.PoolStats;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link BufferPool} (an eighth of the heap, between 8 and 64 MiB; buffers up to 256 KiB; leases
 * time out after 60 s) used by two threads that acquire 64 B to 128 KiB (log-uniform), write, read
 * back and release, about 200 times/s each at pace 1, and by a {@link ChunkProcessor} that streams
 * 512 KiB in 64 KiB chunks (4 in flight) five times a second, one chunk in 13 failing in its handler.
 * Every lease is released: a clean run has no leak verdict. Leak verdicts become {@code leak} events.
 */
final class PoolLoad extends Load {

    static final Duration LEASE_TIMEOUT = Duration.ofSeconds(60);
    static final int MAX_BUFFER = 256 * 1024;

    private final BufferPool pool;
    private final ExecutorService chunkExecutor;
    private final ChunkProcessor chunks;
    private final AtomicLong exhausted = new AtomicLong();
    private final AtomicLong chunkFailures = new AtomicLong();
    private long chunkFailuresReported;

    PoolLoad(Config config) {
        super(config);
        long total = Math.max(8L << 20, Math.min(64L << 20, config.heapMaxBytes() / 8));
        pool = BufferPool.builder()
                .name("soak")
                .maxTotalBytes(total)
                .maxBufferSize(MAX_BUFFER)
                .leaseTimeout(LEASE_TIMEOUT)
                .acquireTimeout(Duration.ofSeconds(2))
                .maintenanceInterval(Duration.ofSeconds(1))
                .leakListener(r -> config.events().add("leak", r.summary()))
                .build();
        chunkExecutor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "leakproof-soak-chunk-worker");
            t.setDaemon(true);
            return t;
        });
        chunks = ChunkProcessor.builder(pool, chunkExecutor).maxInFlight(4).chunkSize(64 * 1024)
                .timeout(Duration.ofSeconds(30)).build();
    }

    /** Leases per size class acquired together by {@link #warmUp()}: more than the load ever holds at once in one class. */
    static final int WARM_UP_LEASES_PER_CLASS = 8;

    @Override
    public void start() {
        warmUp();
        for (int i = 0; i < 2; i++) {
            SplittableRandom random = new SplittableRandom(config.seed() * 47 + i);
            byte[] data = new byte[128 * 1024];
            random.nextBytes(data);
            byte[] back = new byte[64];
            spawn("pool-user-" + i, () -> {
                int size = (int) Math.min(128 * 1024, Math.round(Math.pow(2, 6 + random.nextDouble() * 11)));
                try (Lease lease = pool.acquire(size)) {
                    lease.write(0, data, 0, size);
                    lease.read(0, back, 0, Math.min(size, back.length));
                } catch (PoolExhaustedException e) {
                    exhausted.incrementAndGet();
                }
                pause(5);
            });
        }
        byte[] stream = new byte[512 * 1024];
        new SplittableRandom(config.seed() * 53).nextBytes(stream);
        spawn("chunk-reader", () -> {
            ChunkReport report = chunks.process(new ByteArrayInputStream(stream), (index, lease) -> {
                if (index % 13 == 7) {
                    throw new IOException("injected chunk failure at index " + index);
                }
                lease.read(0, new byte[64], 0, 64);
            });
            chunkFailures.addAndGet(report.failed());
            if (report.stillRunning() > 0) {
                config.events().add("warning", "chunk processor left " + report.stillRunning() + " chunks running");
            }
            pause(200);
        });
    }

    /**
     * Fills the pool's cache before the load starts: acquires {@link #WARM_UP_LEASES_PER_CLASS} leases of
     * every size class the load uses at once, then releases them. Otherwise the cache would grow during the
     * first minutes, as each class is first needed, and a short soak would fit that as heap growth.
     */
    private void warmUp() {
        List<Lease> held = new ArrayList<>();
        try {
            for (int size = 64; size <= 128 * 1024; size <<= 1) {
                for (int k = 0; k < WARM_UP_LEASES_PER_CLASS; k++) {
                    held.add(pool.acquire(size));
                }
            }
        } finally {
            for (Lease l : held) {
                l.close();
            }
        }
    }

    @Override
    public Optional<BufferPool> pool() {
        return Optional.of(pool);
    }

    @Override
    public void writeStats(Json json) {
        PoolStats s = pool.stats();
        json.object("pool").field("usedBytes", s.usedBytes()).field("retainedBytes", s.retainedBytes())
                .field("maxTotalBytes", s.maxTotalBytes()).field("activeLeases", s.activeLeases())
                .field("acquires", s.acquires()).field("reuses", s.reuses())
                .field("leaksReclaimed", s.leaksReclaimed()).field("leakVerdicts", verdicts(s))
                .field("longHolds", s.longHolds()).field("exhausted", exhausted.get()).end();
    }

    @Override
    public long leakVerdicts() {
        return verdicts(pool.stats());
    }

    /** Every verdict counted once: long holds, GC reclamations and force-releases (a late return follows a long hold). */
    static long verdicts(PoolStats s) {
        return s.longHolds() + s.gcReclaimed() + s.forceReleased();
    }

    @Override
    public void periodic(Events events) {
        long f = chunkFailures.get();
        if (f > chunkFailuresReported) {
            events.add("failure", "chunk processor: " + (f - chunkFailuresReported) + " injected chunk failures since the last report");
            chunkFailuresReported = f;
        }
    }

    @Override
    protected void closeComponents() {
        chunkExecutor.shutdownNow();
        try {
            chunkExecutor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.close();
    }
}

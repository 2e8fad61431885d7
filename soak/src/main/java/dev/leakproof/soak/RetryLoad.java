package dev.leakproof.soak;

import dev.leakproof.retry.AbandonReason;
import dev.leakproof.retry.BackoffPolicy;
import dev.leakproof.retry.BatchResult;
import dev.leakproof.retry.RetryBuffer;
import dev.leakproof.retry.RetryBufferHealth;
import java.io.IOException;
import java.time.Duration;
import java.util.BitSet;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link RetryBuffer} (500 items, 15 s max age, 3 attempts, 300 ms fixed backoff) fed about 300
 * items/s at pace 1 and drained in batches of 40 every 100 ms by a processor that fails 30 % of the
 * batches and half the items of another 30 %. Demand exceeds the processing capacity, so the buffer
 * evicts at its size limit and abandons items at the attempt limit. The processor stalls for seconds
 * 40-58 of every minute, longer than the max age, while the feed drops to about 10 items/s, so items
 * also expire.
 */
final class RetryLoad extends Load {

    static final long CYCLE_MS = 60_000;

    private record Item(long id, byte[] payload) {
    }

    private final RetryBuffer<Item> buffer;
    private final AtomicLong deadLetters = new AtomicLong();
    private long failedBatchesReported;

    RetryLoad(Config config) {
        super(config);
        buffer = RetryBuffer.<Item>builder()
                .name("soak")
                .maxBufferSize(500)
                .maxAge(Duration.ofSeconds(15))
                .maxAttempts(3)
                .backoff(BackoffPolicy.fixed(Duration.ofMillis(300)))
                .inFlightTimeout(Duration.ofSeconds(5))
                .cleanupInterval(Duration.ofSeconds(1))
                .deadLetterListener(a -> deadLetters.incrementAndGet())
                .build();
    }

    @Override
    public void start() {
        SplittableRandom feed = new SplittableRandom(config.seed() * 41 + 1);
        long[] ids = {0};
        spawn("retry-feeder", () -> {
            if (inStall()) {
                // traffic drops to about 10 items/s while the processor is down, so the buffer does not
                // fill and evict: its items grow older than the max age and expire
                buffer.add(new Item(ids[0]++, new byte[128 + feed.nextInt(384)]));
                pause(100);
                return;
            }
            for (int k = 0; k < 3; k++) {
                buffer.add(new Item(ids[0]++, new byte[128 + feed.nextInt(384)]));
            }
            pause(10);
        });
        SplittableRandom outcome = new SplittableRandom(config.seed() * 43 + 2);
        boolean[] inStall = {false};
        spawn("retry-processor", () -> {
            boolean stall = inStall();
            if (stall != inStall[0]) {
                inStall[0] = stall;
                config.events().add("phase", stall ? "retry processor stall start" : "retry processor stall end");
            }
            if (!stall) {
                buffer.process(40, batch -> {
                    int roll = outcome.nextInt(100);
                    if (roll < 30) {
                        return BatchResult.failed(new IOException("injected batch failure"));
                    }
                    if (roll < 60) {
                        BitSet ok = new BitSet(batch.size());
                        for (int i = 0; i < batch.size(); i += 2) {
                            ok.set(i);
                        }
                        return BatchResult.partialByIndex(ok, new IOException("injected partial failure"));
                    }
                    return BatchResult.succeeded();
                });
            }
            pause(100);
        });
    }

    /** Whether the processor is stalled: seconds 40-58 of every minute. */
    private boolean inStall() {
        long c = cycleMs(CYCLE_MS);
        return c >= 40_000 && c < 58_000;
    }

    @Override
    public void writeStats(Json json) {
        RetryBufferHealth h = buffer.health();
        json.object("retry").field("size", h.size()).field("capacity", h.capacity())
                .field("evicted", h.abandoned(AbandonReason.EVICTED_CAPACITY))
                .field("expired", h.abandoned(AbandonReason.EXPIRED))
                .field("exhausted", h.abandoned(AbandonReason.MAX_ATTEMPTS))
                .field("succeeded", h.succeeded())
                .field("inFlight", h.inFlightItems())
                .field("conserved", h.isConserved()).end();
    }

    @Override
    public void periodic(Events events) {
        long failed = buffer.health().failedBatches();
        if (failed > failedBatchesReported) {
            events.add("failure", "retry: " + (failed - failedBatchesReported)
                    + " injected batch failures (whole or partial) since the last report");
            failedBatchesReported = failed;
        }
    }

    @Override
    protected void closeComponents() {
        buffer.close();
    }
}

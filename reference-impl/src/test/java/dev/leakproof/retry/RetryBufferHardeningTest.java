package dev.leakproof.retry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Regressions found in review: extreme backoff delays, throwing user code, concurrent close, re-entry. */
@Timeout(60)
class RetryBufferHardeningTest extends RetryBufferTestSupport {

    // ------------------------------------------------------------------ 1. huge backoff delays

    @Test
    void shouldNotStarveAnEligibleRetryBehindAnItemWithAHugeBackoffDelay() {
        AtomicInteger calls = new AtomicInteger();
        // First failure: retry at once; second failure: "never" (Long.MAX_VALUE ns).
        BackoffPolicy policy = attempts -> calls.getAndIncrement() == 0 ? 0L : Long.MAX_VALUE;
        RetryBuffer<String> buffer = build(builder().backoff(policy).maxAge(Duration.ofHours(1)));
        buffer.add("a");
        buffer.add("b");
        RetryBuffer.Batch<String> first = buffer.take(1).orElseThrow();
        RetryBuffer.Batch<String> second = buffer.take(1).orElseThrow();
        first.complete(BatchResult.failed(new IOException("a fails"))); // a is eligible again at once
        clock.advance(Duration.ofSeconds(1));
        second.complete(BatchResult.failed(new IOException("b fails"))); // b waits "forever"
        Optional<RetryBuffer.Batch<String>> next = buffer.take(1);
        assertTrue(next.isPresent(), "a is eligible and must not be starved by b's overflowing eligible time");
        assertEquals(List.of("a"), next.get().items());
        next.get().complete(BatchResult.succeeded());
        assertEquals(1, checked(buffer).size());
    }

    @Test
    void shouldKeepEveryItemOnOneExitWhenBackoffDelaysAreMixedAndExtreme() {
        long[] delays = {0L, 1L, Long.MAX_VALUE, Long.MAX_VALUE / 2, Long.MAX_VALUE / 2 + 7, Long.MIN_VALUE, -1L,
                Duration.ofSeconds(1).toNanos(), Duration.ofMinutes(59).toNanos(), Duration.ofHours(2).toNanos()};
        SplittableRandom random = new SplittableRandom(42);
        BackoffPolicy policy = attempts -> delays[random.nextInt(delays.length)];
        RetryBuffer<String> buffer = build(builder().backoff(policy).maxAge(Duration.ofHours(1)).maxAttempts(50)
                .maxBufferSize(64).inFlightTimeout(Duration.ofMinutes(10)));
        Map<String, Integer> succeeded = new HashMap<>();
        List<RetryBuffer.Batch<String>> open = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            int op = random.nextInt(10);
            if (op < 3) {
                buffer.add("item-" + i);
            } else if (op < 6) {
                buffer.take(1 + random.nextInt(8)).ifPresent(open::add);
            } else if (op < 9 && !open.isEmpty()) {
                RetryBuffer.Batch<String> batch = open.remove(random.nextInt(open.size()));
                if (random.nextInt(4) == 0) {
                    BatchOutcome outcome = batch.complete(BatchResult.succeeded());
                    if (outcome.isApplied()) {
                        batch.items().forEach(item -> succeeded.merge(item, 1, Integer::sum));
                    }
                } else {
                    batch.complete(BatchResult.failed(new IOException("fail")));
                }
            } else {
                clock.advance(Duration.ofSeconds(random.nextInt(300)));
            }
            if (i % 1000 == 0) {
                checked(buffer);
            }
        }
        buffer.close();
        RetryBufferHealth h = checked(buffer);
        assertEquals(0, h.size());
        Map<String, Integer> exits = new HashMap<>(succeeded);
        deadLetters.items().forEach(item -> exits.merge(item, 1, Integer::sum));
        assertEquals(h.added(), exits.size(), "every added item left the buffer");
        exits.forEach((item, count) -> assertEquals(1, count, () -> item + " left through " + count + " exits"));
    }
}

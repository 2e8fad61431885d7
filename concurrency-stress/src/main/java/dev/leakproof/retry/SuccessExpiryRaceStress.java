package dev.leakproof.retry;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * R2: when a batch completes successfully just as the cleanup reclaims it stale with its items past their maximum age, each item either succeeds or is abandoned, never both.
 *
 * <p>One item (max age 10 s) is taken in a batch at t = 0; the clock then reads 20 s. One actor completes the batch as succeeded, the other runs {@code cleanup()}. The arbiter
 * records {@code succeeded} (r1), abandoned items (r2), buffered items (r3), {@code lateCompletions}
 * (r4) and the dead-letter listener's calls (r5).
 *
 * <p>Run alone: {@code java -jar concurrency-stress/target/jcstress.jar -t '\.SuccessExpiryRaceStress$' -m quick}
 */
@JCStressTest
@Outcome(id = "1, 0, 0, 0, 0", expect = Expect.ACCEPTABLE, desc = "the completion came first; the item succeeded and the cleanup found nothing stale")
@Outcome(id = "0, 1, 0, 1, 1", expect = Expect.ACCEPTABLE_INTERESTING, desc = "the cleanup reclaimed the stale batch first; the expired item was abandoned once and the completion counted as late")
@Outcome(expect = Expect.FORBIDDEN, desc = "the item both succeeded and was abandoned or re-queued (processed twice, or a dead letter for a success), or it was lost")
@State
public class SuccessExpiryRaceStress {

    private final Buffers.Clock clock = new Buffers.Clock();
    private final AtomicInteger deadLetters = new AtomicInteger();
    private final RetryBuffer<Integer> buffer = Buffers.of(clock, Duration.ofSeconds(10), deadLetters);
    private final RetryBuffer.Batch<Integer> batch;

    public SuccessExpiryRaceStress() {
        buffer.add(1);
        batch = buffer.take(1).orElseThrow();
        clock.now = Duration.ofSeconds(20).toNanos(); // past the 1 s in-flight timeout
    }

    @Actor
    public void completer() {
        batch.complete(BatchResult.succeeded());
    }

    @Actor
    public void cleaner() {
        buffer.cleanup();
    }

    @Arbiter
    public void arbiter(IIIII_Result r) {
        RetryBufferHealth h = buffer.health();
        r.r1 = (int) h.succeeded();
        r.r2 = (int) h.abandonedTotal();
        r.r3 = h.size();
        r.r4 = (int) h.lateCompletions();
        r.r5 = deadLetters.get();
    }
}

package dev.leakproof.retry;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@link RetryBuffer#cleanup()} when a few or many of the buffered items have expired: the
 * buffer holds {@code buffered} items in batches of {@code expired} items, one batch per step of
 * the injected clock, with the maximum age just under the span of all batches. Each operation moves
 * the clock one step, so that exactly the oldest batch is past the maximum age, calls
 * {@code cleanup()} (which removes that batch, {@code expired} items, each handed to a counting
 * dead-letter listener as {@link AbandonReason#EXPIRED}), then adds a new batch of {@code expired}
 * items to keep the buffer full. The score (µs per operation) therefore includes {@code expired}
 * adds, whose own cost {@link RetryBufferAddBenchmark} shows; what this benchmark answers is whether
 * cleanup costs O(expired) rather than O(buffered): with 16 of 16384 expired it must cost about
 * 16 adds' worth, not a scan of the buffer. This steady state (rather than a re-filled buffer per
 * call) keeps set-up out of {@code gc.alloc.rate.norm}. One thread, periodic cleanup off; the size is
 * checked after every iteration.
 *
 * <p>Run alone: {@code java -jar benchmarks/target/benchmarks.jar RetryBufferCleanupBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RetryBufferCleanupBenchmark {

    private static final Object ITEM = new Object();
    /** One clock step: the time between two batches. */
    private static final long STEP_NANOS = TimeUnit.SECONDS.toNanos(1);

    @Param({"16384"})
    int buffered;

    @Param({"16", "16384"})
    int expired;

    RetryBuffer<Object> buffer;
    long now;
    long deadLetters;

    @Setup(Level.Trial)
    public void setUp() {
        if (expired < 1 || buffered % expired != 0) {
            throw new IllegalArgumentException("expired must be at least 1 and divide buffered (" + buffered
                    + ") but was " + expired);
        }
        int batches = buffered / expired;
        // A batch added at step k is older than maxAge at step k + batches, and not before.
        Duration maxAge = Duration.ofNanos(batches * STEP_NANOS - STEP_NANOS / 2);
        buffer = RetryBuffer.builder().name("bench-cleanup").maxBufferSize(buffered).maxAge(maxAge)
                .clock(() -> now).periodicCleanup(false).deadLetterListener(abandoned -> deadLetters++).build();
        for (int b = 0; b < batches; b++) {
            now += STEP_NANOS;
            addBatch();
        }
    }

    private void addBatch() {
        for (int i = 0; i < expired; i++) {
            buffer.add(ITEM);
        }
    }

    @TearDown(Level.Iteration)
    public void check() {
        int size = buffer.size();
        if (size != buffered) {
            throw new IllegalStateException("the buffer should hold " + buffered + " items between operations but held " + size);
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        buffer.close();
    }

    @Benchmark
    @Threads(1)
    public int cleanup() {
        now += STEP_NANOS;
        int removed = buffer.cleanup();
        addBatch();
        return removed;
    }
}

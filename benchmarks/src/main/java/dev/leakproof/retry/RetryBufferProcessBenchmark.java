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
 * A batch's whole life in a {@link RetryBuffer}, one thread, injected clock standing still, no
 * backoff, periodic cleanup off. One operation is one batch of {@code batchSize} items:
 * <ul>
 *   <li>{@code success}: add {@code batchSize} items, then {@link RetryBuffer#process} them with a
 *       processor that reports success: every item leaves as succeeded;</li>
 *   <li>{@code failure}: add {@code batchSize} items, then process them three times
 *       ({@code maxAttempts = 3}) with a processor that reports failure: the first two failures
 *       return the items to the buffer as retries, the third abandons them
 *       ({@link AbandonReason#MAX_ATTEMPTS}) to a counting dead-letter listener.</li>
 * </ul>
 * The buffer is empty again after every operation (checked at tear-down). Score: ns per batch;
 * {@code gc.alloc.rate.norm} is per batch too (nodes, the batch's item list, the outcome).
 *
 * <p>Run alone: {@code java -jar benchmarks/target/benchmarks.jar RetryBufferProcessBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RetryBufferProcessBenchmark {

    private static final Object ITEM = new Object();
    private static final int MAX_ATTEMPTS = 3;
    private static final BatchProcessor<Object> SUCCEED = items -> BatchResult.succeeded();
    private static final BatchResult FAILED = BatchResult.failed(new RuntimeException("benchmark: the batch call failed"));
    private static final BatchProcessor<Object> FAIL = items -> FAILED;

    @Param({"50"})
    int batchSize;

    RetryBuffer<Object> buffer;
    long now;
    long deadLetters;

    @Setup(Level.Trial)
    public void setUp() {
        buffer = RetryBuffer.builder().name("bench-process").maxBufferSize(1024).maxAge(Duration.ofDays(1))
                .maxAttempts(MAX_ATTEMPTS).backoff(BackoffPolicy.none()).clock(() -> now).periodicCleanup(false)
                .deadLetterListener(abandoned -> deadLetters++).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        int size = buffer.size();
        buffer.close();
        if (size != 0) {
            throw new IllegalStateException("every batch should have left the buffer, but " + size + " items remain");
        }
    }

    @Benchmark
    @Threads(1)
    public BatchOutcome success() {
        for (int i = 0; i < batchSize; i++) {
            buffer.add(ITEM);
        }
        return buffer.process(batchSize, SUCCEED);
    }

    @Benchmark
    @Threads(1)
    public BatchOutcome failure() {
        for (int i = 0; i < batchSize; i++) {
            buffer.add(ITEM);
        }
        BatchOutcome last = null;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            last = buffer.process(batchSize, FAIL);
        }
        return last;
    }
}

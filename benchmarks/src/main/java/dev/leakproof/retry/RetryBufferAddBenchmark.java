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
 * {@link RetryBuffer#add} on a full buffer, so that every add also evicts the oldest item
 * ({@link AbandonReason#EVICTED_CAPACITY}, handed to a counting dead-letter listener), at a
 * capacity of 1 K, 64 K and 1 M items. One thread. The buffer is filled in set-up; its clock is
 * injected and stands still (nothing expires, the time read costs nothing) and periodic cleanup is
 * off (no thread). Target: flat ns/op from 1 K to 1 M (add and eviction are O(1) when no item
 * waits for a retry). Each add allocates the buffer's list node, so expect a constant B/op.
 *
 * <p>Run alone: {@code java -jar benchmarks/target/benchmarks.jar RetryBufferAddBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RetryBufferAddBenchmark {

    private static final Object ITEM = new Object();

    @Param({"1024", "65536", "1048576"})
    int capacity;

    RetryBuffer<Object> buffer;
    long now;
    long deadLetters;

    @Setup(Level.Trial)
    public void setUp() {
        buffer = RetryBuffer.builder().name("bench-add").maxBufferSize(capacity).maxAge(Duration.ofDays(1))
                .clock(() -> now).periodicCleanup(false).deadLetterListener(abandoned -> deadLetters++).build();
        for (int i = 0; i < capacity; i++) {
            buffer.add(ITEM);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        int size = buffer.size();
        buffer.close();
        if (size != capacity) {
            throw new IllegalStateException("the buffer should have stayed full at " + capacity + " but held " + size);
        }
    }

    @Benchmark
    @Threads(1)
    public void addEvicting() {
        buffer.add(ITEM);
    }
}

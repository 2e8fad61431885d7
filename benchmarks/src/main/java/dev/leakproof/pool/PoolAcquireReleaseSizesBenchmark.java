package dev.leakproof.pool;

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

import java.util.concurrent.TimeUnit;

/**
 * Acquire + use + release (the operation of {@link PoolAcquireReleaseBenchmark}: acquire
 * {@code size} bytes, write a {@code long} at 0, read the {@code long} at {@code size - 8},
 * release) at 64 B, 4 KiB and 64 KiB, heap and direct, for the main sources: leakproof with its
 * defaults ({@code SAMPLED}, scrubbing on), Netty pooled (leak detection off), Commons Pool2 and
 * plain allocation. Two shapes:
 * <ul>
 *   <li>{@code oneThread}: one thread, as in {@link PoolAcquireReleaseBenchmark};</li>
 *   <li>{@code twoThreads}: two threads ({@code @Threads(2)}) sharing one pool, each in its own
 *       acquire/release loop. Oversubscribed on a 2-core machine: the two threads take both cores
 *       and the JIT, GC and pool maintenance threads compete with them; compare rows within this
 *       shape only.</li>
 * </ul>
 * Direct {@code ALLOCATE} pays {@code allocateDirect}'s reservation and cleaner (and, at 64 KiB,
 * the GCs that {@code -XX:MaxDirectMemorySize} forces): it is the cost a pool saves.
 *
 * <p>Score: ns/op per thread; {@code gc.alloc.rate.norm} (B/op) from {@code -prof gc}.
 *
 * <p>Run alone: {@code java -jar benchmarks/target/benchmarks.jar PoolAcquireReleaseSizesBenchmark -prof gc};
 * one cell: add {@code -p size=65536 -p direct=true -p impl=NETTY_POOLED}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PoolAcquireReleaseSizesBenchmark {

    @Param({"64", "4096", "65536"})
    int size;

    @Param({"false", "true"})
    boolean direct;

    @Param({"LEAKPROOF_SAMPLED", "NETTY_POOLED", "COMMONS_POOL2", "ALLOCATE"})
    PoolImpl impl;

    PoolImpl.Source source;

    /** Each thread's running value, so the two threads do not share a written field. */
    @State(Scope.Thread)
    public static class Counter {
        long value;
    }

    @Setup(Level.Trial)
    public void setUp() {
        source = impl.create(direct);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        source.close();
    }

    @Benchmark
    @Threads(1)
    public long oneThread(Counter counter) {
        return cycle(counter);
    }

    @Benchmark
    @Threads(2)
    public long twoThreads(Counter counter) {
        return cycle(counter);
    }

    private long cycle(Counter counter) {
        Object buffer = source.acquire(size);
        long read = source.use(buffer, size, counter.value++);
        source.release(buffer);
        return read;
    }
}

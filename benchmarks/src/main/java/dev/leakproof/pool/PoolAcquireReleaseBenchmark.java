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
 * The pool comparison the pool targets are judged on: acquire + use + release of one 4 KiB heap
 * buffer, one thread, in a loop. Each operation is exactly: acquire a buffer of {@code size} bytes,
 * write a {@code long} at offset 0, read the {@code long} at offset {@code size - 8} (returned, so
 * not eliminated), release the buffer ({@link PoolImpl.Source}). Rows: leakproof at each tracking
 * level ({@code OFF}, {@code SAMPLED}, {@code ALL}) with scrubbing on and off, Netty's
 * {@code PooledByteBufAllocator} with leak detection {@code DISABLED} and {@code SIMPLE}, Commons
 * Pool2 {@code GenericObjectPool}, plain allocation ({@code ByteBuffer.allocate}) and the port of
 * the seed's pool ({@link SeedBufferPool}).
 *
 * <p>Score: ns/op (lower is better); {@code gc.alloc.rate.norm} (B/op) from {@code -prof gc}.
 * Targets: {@code LEAKPROOF_SAMPLED_NOSCRUB} and {@code LEAKPROOF_SAMPLED} ≤ 1× {@code NETTY_POOLED}
 * ns/op and ≤ 32 B/op; {@code LEAKPROOF_SAMPLED} ≤ 1.05× {@code LEAKPROOF_OFF}.
 * Sizes, direct memory and two threads: {@link PoolAcquireReleaseSizesBenchmark}.
 *
 * <p>Run alone: {@code java -jar benchmarks/target/benchmarks.jar 'PoolAcquireReleaseBenchmark' -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PoolAcquireReleaseBenchmark {

    @Param({"4096"})
    int size;

    @Param({"LEAKPROOF_OFF", "LEAKPROOF_OFF_NOSCRUB", "LEAKPROOF_SAMPLED", "LEAKPROOF_SAMPLED_NOSCRUB", "LEAKPROOF_SAMPLED1024_NOSCRUB",
            "LEAKPROOF_ALL", "LEAKPROOF_ALL_NOSCRUB", "NETTY_POOLED", "NETTY_POOLED_SIMPLE", "COMMONS_POOL2",
            "ALLOCATE", "SEED_PORT"})
    PoolImpl impl;

    PoolImpl.Source source;
    long value;

    @Setup(Level.Trial)
    public void setUp() {
        source = impl.create(false);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        source.close();
    }

    @Benchmark
    @Threads(1)
    public long acquireRelease() {
        Object buffer = source.acquire(size);
        long read = source.use(buffer, size, value++);
        source.release(buffer);
        return read;
    }
}

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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Random replacement over many live buffers (fragmentation): {@code liveBuffers} buffers of mixed
 * sizes (64 B to 64 KiB, powers of two, uniformly chosen) are held at once; each operation picks a
 * random one, releases it, acquires a buffer of a random size in its place and uses it (write a
 * {@code long} at 0, read the {@code long} at {@code size - 8}). The random slots and sizes come
 * from a sequence fixed by a seed and generated in set-up, so every source sees the same workload
 * and the generator costs nothing per operation. One thread, heap buffers. This is where free-list
 * design shows: the seed's linear scan of its free set, size classes, or none.
 *
 * <p>Score: ns/op; {@code gc.alloc.rate.norm} (B/op) from {@code -prof gc}.
 *
 * <p>Run alone: {@code java -jar benchmarks/target/benchmarks.jar PoolFragmentationBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PoolFragmentationBenchmark {

    private static final int[] SIZES = {64, 256, 1024, 4096, 16384, 65536};
    private static final int SEQUENCE_LENGTH = 1 << 16;

    @Param({"1024"})
    int liveBuffers;

    @Param({"LEAKPROOF_SAMPLED", "NETTY_POOLED", "COMMONS_POOL2", "ALLOCATE", "SEED_PORT"})
    PoolImpl impl;

    PoolImpl.Source source;
    Object[] live;
    int[] slots;
    int[] sizes;
    int cursor;

    @Setup(Level.Trial)
    public void setUp() {
        if (liveBuffers < 1) {
            throw new IllegalArgumentException("liveBuffers must be at least 1 but was " + liveBuffers);
        }
        source = impl.create(false);
        SplittableRandom random = new SplittableRandom(42);
        slots = new int[SEQUENCE_LENGTH];
        sizes = new int[SEQUENCE_LENGTH];
        for (int i = 0; i < SEQUENCE_LENGTH; i++) {
            slots[i] = random.nextInt(liveBuffers);
            sizes[i] = SIZES[random.nextInt(SIZES.length)];
        }
        live = new Object[liveBuffers];
        for (int i = 0; i < liveBuffers; i++) {
            live[i] = source.acquire(SIZES[random.nextInt(SIZES.length)]);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Object buffer : live) {
            source.release(buffer);
        }
        source.close();
    }

    @Benchmark
    @Threads(1)
    public long replace() {
        int i = cursor++ & (SEQUENCE_LENGTH - 1);
        int slot = slots[i];
        int size = sizes[i];
        source.release(live[slot]);
        Object buffer = source.acquire(size);
        live[slot] = buffer;
        return source.use(buffer, size, i);
    }
}

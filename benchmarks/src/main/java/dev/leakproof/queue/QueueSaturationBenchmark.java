package dev.leakproof.queue;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * Saturation, one producer and one consumer ({@code @Group}): the producer offers without pause,
 * the consumer does {@code consumerWorkTokens} of {@code Blackhole.consumeCPU} (about 2 ns each)
 * per element it takes, so the queue stays full and the overflow strategy runs on nearly every
 * offer. This is the load the seed's queue was fixed for (messages arriving faster than they are
 * processed). Compared: leakproof {@code DROP_OLDEST} and {@code DROP_NEWEST}, the seed's
 * drop-oldest design ({@link SeedBoundedQueue}: failed put, poll, put), and, refusing when full,
 * {@code ArrayBlockingQueue} and JCTools {@code MpmcArrayQueue}.
 *
 * <p>Aux counters: {@code polled} is the rate of elements delivered to the consumer (bounded by its
 * work, so about equal for every queue: the difference is what the overflow path costs the
 * consumer through contention); {@code offered} offers accepted; {@code offerRefused} offers
 * refused (the newest element dropped); {@code evicted} elements dropped to make room for a newer
 * one (drop-oldest only; counted through the queue's drop callback); {@code pollFailed} polls that
 * found nothing (should be near zero here). The primary score counts every call and means little
 * on its own. {@code gc.alloc.rate.norm} is per call of either thread.
 *
 * <p>Run alone: {@code java -jar benchmarks/target/benchmarks.jar QueueSaturationBenchmark -prof gc}
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class QueueSaturationBenchmark {

    @Param({"1024"})
    int capacity;

    @Param({"LEAKPROOF_DROP_OLDEST", "LEAKPROOF_DROP_NEWEST", "SEED_DROP_OLDEST", "ARRAY_BLOCKING_QUEUE", "JCTOOLS_MPMC"})
    QueueImpl impl;

    /** The consumer's work per element taken: enough to make it several times slower than the producer. */
    @Param({"100"})
    int consumerWorkTokens;

    Queue<Integer> queue;

    /** Evictions so far; written only on the producer's thread (the drop callback runs on the offering thread). */
    long evictions;

    @Setup(Level.Trial)
    public void setUp() {
        queue = impl.create(capacity, () -> evictions++);
    }

    /** The producer's outcome counts. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class ProducerCounters {
        public long offered;
        public long offerRefused;
        public long evicted;

        @Setup(Level.Iteration)
        public void reset() {
            offered = 0;
            offerRefused = 0;
            evicted = 0;
        }
    }

    @Benchmark
    @Group("saturation")
    @GroupThreads(1)
    public void offer(ProducerCounters counters) {
        long before = evictions;
        if (queue.offer(QueueTransferBenchmark.ELEMENT)) {
            counters.offered++;
        } else {
            counters.offerRefused++;
        }
        counters.evicted += evictions - before;
    }

    @Benchmark
    @Group("saturation")
    @GroupThreads(1)
    public Integer poll(QueueTransferBenchmark.ConsumerCounters counters) {
        Integer e = queue.poll();
        if (e == null) {
            counters.pollFailed++;
        } else {
            counters.polled++;
        }
        Blackhole.consumeCPU(consumerWorkTokens);
        return e;
    }
}

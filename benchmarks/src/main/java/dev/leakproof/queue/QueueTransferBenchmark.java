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
 * Non-blocking transfer, one producer and one consumer ({@code @Group}, the only sound contended
 * shape on a 2-core machine): the producer offers as fast as it can, the consumer polls as fast as
 * it can. Each leakproof strategy against {@code ArrayBlockingQueue}, bounded
 * {@code LinkedBlockingQueue}, JCTools' MPMC and MPSC array queues and the port of the seed's
 * lock-based drop-oldest queue ({@link SeedBoundedQueue}). Producer and consumer run at about the
 * same speed; {@link QueueSaturationBenchmark} is the shape where the producer is faster.
 *
 * <p>The raw scores count calls, many of which may fail (a full queue refuses, an empty one returns
 * null), so read the {@code @AuxCounters}: {@code polled} is the rate of successful transfers (the
 * figure the targets are about); {@code pollFailed} polls that found nothing; {@code offered} and
 * {@code offerRefused} the producer's side (under DROP_OLDEST an offer never fails, and every offer
 * beyond {@code polled} evicted an element).
 *
 * <p>A failed call backs off for {@code backoffTokens} of {@code Blackhole.consumeCPU} (about 2 ns
 * each), as a real producer or consumer would: without it the score is dominated by failing calls
 * bouncing cache lines, and flips between a full and an empty queue from one iteration to the next.
 * {@code -p backoffTokens=0} gives that raw shape.
 *
 * <p>Run alone: {@code java -jar benchmarks/target/benchmarks.jar QueueTransferBenchmark -prof gc}
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class QueueTransferBenchmark {

    /** Small enough to fill under a fast producer, large enough to batch cache-line transfers. */
    @Param({"1024"})
    int capacity;

    @Param({"LEAKPROOF_DROP_OLDEST", "LEAKPROOF_DROP_NEWEST", "LEAKPROOF_BLOCK",
            "ARRAY_BLOCKING_QUEUE", "LINKED_BLOCKING_QUEUE", "JCTOOLS_MPMC", "JCTOOLS_MPSC", "SEED_DROP_OLDEST"})
    QueueImpl impl;

    /** Work done after a failed offer or poll before the next try. */
    @Param({"20"})
    int backoffTokens;

    Queue<Integer> queue;

    /** A constant element, so the benchmark itself allocates nothing. */
    static final Integer ELEMENT = 42;

    @Setup(Level.Trial)
    public void setUp() {
        queue = impl.create(capacity);
    }

    /** The producer's outcome counts. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class ProducerCounters {
        public long offered;
        public long offerRefused;

        @Setup(Level.Iteration)
        public void reset() {
            offered = 0;
            offerRefused = 0;
        }
    }

    /** The consumer's outcome counts. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class ConsumerCounters {
        public long polled;
        public long pollFailed;

        @Setup(Level.Iteration)
        public void reset() {
            polled = 0;
            pollFailed = 0;
        }
    }

    @Benchmark
    @Group("transfer")
    @GroupThreads(1)
    public void offer(ProducerCounters counters) {
        if (queue.offer(ELEMENT)) {
            counters.offered++;
        } else {
            counters.offerRefused++;
            Blackhole.consumeCPU(backoffTokens);
        }
    }

    @Benchmark
    @Group("transfer")
    @GroupThreads(1)
    public Integer poll(ConsumerCounters counters) {
        Integer e = queue.poll();
        if (e == null) {
            counters.pollFailed++;
            Blackhole.consumeCPU(backoffTokens);
        } else {
            counters.polled++;
        }
        return e;
    }
}

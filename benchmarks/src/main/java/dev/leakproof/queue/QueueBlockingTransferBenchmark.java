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

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Blocking transfer, one producer and one consumer: the producer waits for space and the consumer
 * for an element, each with a 1 ms timeout (so that no thread can hang at the end of an iteration).
 * The leakproof queue under {@code BLOCK} against {@code ArrayBlockingQueue} and bounded
 * {@code LinkedBlockingQueue}. {@code polled} in the aux counters is the rate of successful
 * transfers; {@code pollTimedOut} and {@code offerTimedOut} count waits that ran out.
 *
 * <p>Run alone: {@code java -jar benchmarks/target/benchmarks.jar QueueBlockingTransferBenchmark -prof gc}
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class QueueBlockingTransferBenchmark {

    private static final long TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    @Param({"1024"})
    int capacity;

    @Param({"LEAKPROOF_BLOCK", "ARRAY_BLOCKING_QUEUE", "LINKED_BLOCKING_QUEUE"})
    QueueImpl impl;

    BlockingQueue<Integer> queue;

    @Setup(Level.Trial)
    public void setUp() {
        queue = impl.createBlocking(capacity);
    }

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class ProducerCounters {
        public long offered;
        public long offerTimedOut;

        @Setup(Level.Iteration)
        public void reset() {
            offered = 0;
            offerTimedOut = 0;
        }
    }

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class ConsumerCounters {
        public long polled;
        public long pollTimedOut;

        @Setup(Level.Iteration)
        public void reset() {
            polled = 0;
            pollTimedOut = 0;
        }
    }

    @Benchmark
    @Group("blockingTransfer")
    @GroupThreads(1)
    public void put(ProducerCounters counters) throws InterruptedException {
        if (QueueImpl.offer(queue, QueueTransferBenchmark.ELEMENT, TIMEOUT_NANOS)) {
            counters.offered++;
        } else {
            counters.offerTimedOut++;
        }
    }

    @Benchmark
    @Group("blockingTransfer")
    @GroupThreads(1)
    public Integer take(ConsumerCounters counters) throws InterruptedException {
        Integer e = queue.poll(TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
        if (e == null) {
            counters.pollTimedOut++;
        } else {
            counters.polled++;
        }
        return e;
    }
}

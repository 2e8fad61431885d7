package dev.leakproof.queue;

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
 * <b>Oversubscribed on 2 cores.</b> Non-blocking transfer with two producers and two consumers
 * ({@code @Group}, {@code @GroupThreads(2)} each), otherwise as {@link QueueTransferBenchmark}: the
 * same back-off after a failed call and the same aux counters, summed over the two threads of each
 * side ({@code polled} is the rate of successful transfers). With four busy threads on two cores,
 * every thread is descheduled regularly, often while holding a lock (which penalises the lock-based
 * queues) or between the two halves of a lock-free operation; compare rows within this benchmark
 * only, and only on a machine with at least 4 free cores do the numbers mean MPMC contention.
 * JCTools' MPSC queue is not compared: it allows one consumer only.
 *
 * <p>Run alone: {@code java -jar benchmarks/target/benchmarks.jar QueueTransfer2P2CBenchmark -prof gc}
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class QueueTransfer2P2CBenchmark {

    @Param({"1024"})
    int capacity;

    @Param({"LEAKPROOF_DROP_OLDEST", "LEAKPROOF_DROP_NEWEST", "LEAKPROOF_BLOCK",
            "ARRAY_BLOCKING_QUEUE", "LINKED_BLOCKING_QUEUE", "JCTOOLS_MPMC", "SEED_DROP_OLDEST"})
    QueueImpl impl;

    /** Work done after a failed offer or poll before the next try. */
    @Param({"20"})
    int backoffTokens;

    Queue<Integer> queue;

    @Setup(Level.Trial)
    public void setUp() {
        queue = impl.create(capacity);
    }

    @Benchmark
    @Group("transfer2P2C")
    @GroupThreads(2)
    public void offer(QueueTransferBenchmark.ProducerCounters counters) {
        if (queue.offer(QueueTransferBenchmark.ELEMENT)) {
            counters.offered++;
        } else {
            counters.offerRefused++;
            Blackhole.consumeCPU(backoffTokens);
        }
    }

    @Benchmark
    @Group("transfer2P2C")
    @GroupThreads(2)
    public Integer poll(QueueTransferBenchmark.ConsumerCounters counters) {
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

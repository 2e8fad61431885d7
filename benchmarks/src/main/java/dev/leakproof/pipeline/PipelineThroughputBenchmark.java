package dev.leakproof.pipeline;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * Batches per millisecond, end to end, of a producer/worker job at a fixed worker count: each
 * invocation starts a pipeline over {@value #BATCHES} batches (the producer makes one small object
 * per batch, with no other work), lets {@code workers} workers each spend {@code workTokens} of
 * {@code Blackhole.consumeCPU} (about 2 ns each) per batch, and returns when every batch is
 * processed and every thread has ended (thread start-up and shutdown are included, amortised over
 * the batches). The producer is faster than the workers, so the leakproof {@link Pipeline}'s
 * bounded queues ({@code queueCapacity} per worker) make it block, while the seed's unbounded
 * "before" ({@link SeedUnboundedPipeline}) queues nearly every batch: compare the throughput (the
 * bound should cost little) and {@code gc.alloc.rate.norm} (B per batch, which includes the
 * unbounded queue's nodes).
 *
 * <p>With 2 workers plus the producer the job has 3 busy threads on a 2-core machine: the producer
 * mostly waits (bounded) or finishes early (unbounded), but read the numbers as oversubscribed.
 *
 * <p>Run alone: {@code java -jar benchmarks/target/benchmarks.jar PipelineThroughputBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PipelineThroughputBenchmark {

    static final int BATCHES = 10_000;

    @Param({"LEAKPROOF_BOUNDED", "SEED_UNBOUNDED"})
    PipelineImpl impl;

    @Param({"2"})
    int workers;

    @Param({"100"})
    int queueCapacity;

    @Param({"100"})
    int workTokens;

    PipelineImpl.Job job;

    @Setup(Level.Trial)
    public void setUp() {
        int tokens = workTokens;
        job = impl.create(workers, queueCapacity, batch -> Blackhole.consumeCPU(tokens));
    }

    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(BATCHES)
    public void endToEnd() throws InterruptedException {
        job.run(BATCHES);
    }
}

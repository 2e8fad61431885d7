package dev.leakproof.pipeline;

import java.time.Duration;

/**
 * The pipelines {@link PipelineThroughputBenchmark} compares: the same job (one producer,
 * {@code workers} workers, one queue per worker fed round-robin, each worker doing the same work per
 * batch) through the leakproof {@link Pipeline} (bounded queues, blocking producer) and through the
 * seed's unbounded "before" ({@link SeedUnboundedPipeline}).
 */
public enum PipelineImpl {
    /** {@link Pipeline}: per-worker bounded queues of {@code queueCapacity} batches ({@link Routing#roundRobin()}). */
    LEAKPROOF_BOUNDED {
        @Override
        Job create(int workers, int queueCapacity, Work work) {
            return count -> {
                long[] next = {0};
                Pipeline<Batch> pipeline = Pipeline.<Batch>builder().name("bench").workers(workers)
                        .queueCapacity(queueCapacity).routing(Routing.roundRobin())
                        .source(() -> next[0] < count ? new Batch(next[0]++) : null)
                        .worker(work::process).build().start();
                if (!pipeline.awaitCompletion(JOB_TIMEOUT)) {
                    pipeline.close(Duration.ofSeconds(1));
                    throw new IllegalStateException("the pipeline did not finish " + count + " batches in " + JOB_TIMEOUT);
                }
                ShutdownReport report = pipeline.close(Duration.ofSeconds(10));
                if (report.processed() != count) {
                    throw new IllegalStateException("the pipeline processed " + report.processed() + " of " + count + " batches: " + report);
                }
            };
        }
    },
    /** {@link SeedUnboundedPipeline}: per-worker unbounded queues, no backpressure ({@code queueCapacity} is ignored). */
    SEED_UNBOUNDED {
        @Override
        Job create(int workers, int queueCapacity, Work work) {
            return count -> new SeedUnboundedPipeline<Batch>(workers, count, Batch::new, work::process).run();
        }
    };

    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(2);

    /** A batch: one small object per batch, made by the producer, in both pipelines. */
    record Batch(long sequence) {
    }

    /** What a worker does with a batch. */
    @FunctionalInterface
    interface Work {
        void process(Batch batch);
    }

    /** One run of the job, end to end: every thread started and ended within {@link #run}. */
    @FunctionalInterface
    interface Job {
        void run(long batches) throws InterruptedException;
    }

    abstract Job create(int workers, int queueCapacity, Work work);
}

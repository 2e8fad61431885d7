package dev.leakproof.soak;

import dev.leakproof.pipeline.FailurePolicy;
import dev.leakproof.pipeline.Pipeline;
import dev.leakproof.pipeline.PipelineMetrics;
import dev.leakproof.pipeline.PipelineState;
import dev.leakproof.pipeline.Routing;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A {@link Pipeline} of 4-16 KiB batches: the source makes about 200 batches/s at pace 1, two
 * workers take about 12 ms per batch (so the shared queue of 20 fills and the producer is held back),
 * and one batch in 20 fails with an injected exception ({@link FailurePolicy#CONTINUE}). Which batches
 * fail follows from their sequence number and the seed.
 */
final class PipelineLoad extends Load {

    /** Batches that fail, in percent. */
    static final int FAILURE_PERCENT = 5;

    private final Pipeline<byte[]> pipeline;
    private long failuresReported;

    PipelineLoad(Config config) {
        super(config);
        SplittableRandom random = new SplittableRandom(config.seed() * 37 + 5);
        long[] sequence = {0};
        long failSalt = config.seed() * 0x9E3779B97F4A7C15L;
        pipeline = Pipeline.<byte[]>builder()
                .name("soak")
                .source(() -> {
                    if (!running()) {
                        return null;
                    }
                    pause(5);
                    byte[] batch = new byte[4096 + random.nextInt(12289)];
                    ByteBuffer.wrap(batch).putLong(sequence[0]++);
                    return batch;
                })
                .worker(batch -> {
                    long seq = ByteBuffer.wrap(batch).getLong();
                    long sum = 0;
                    for (int i = 0; i < batch.length; i += 64) {
                        sum += batch[i];
                    }
                    Thread.sleep(Math.max(1, Math.round(12 / Math.max(0.01, config.pace()))));
                    if (Math.floorMod(Long.hashCode(seq * 0x9E3779B97F4A7C15L ^ failSalt), 100) < FAILURE_PERCENT) {
                        throw new IllegalStateException("injected processing failure of batch " + seq + " (sum " + sum + ")");
                    }
                })
                .workers(2)
                .queueCapacity(20)
                .routing(Routing.shared())
                .failurePolicy(FailurePolicy.CONTINUE)
                .offerTimeout(Duration.ofMillis(200))
                .drainTimeout(Duration.ofSeconds(2))
                .grace(Duration.ofSeconds(1))
                .build();
    }

    @Override
    public void start() {
        pipeline.start();
    }

    @Override
    public void writeStats(Json json) {
        PipelineMetrics m = pipeline.metrics();
        json.object("pipeline").field("produced", m.produced()).field("processed", m.processed())
                .field("failed", m.failed()).end();
    }

    @Override
    public void periodic(Events events) {
        long failed = pipeline.metrics().failed();
        if (failed > failuresReported) {
            events.add("failure", "pipeline: " + (failed - failuresReported) + " injected batch failures since the last report");
            failuresReported = failed;
        }
    }

    @Override
    public Optional<Throwable> failure() {
        Optional<Throwable> f = super.failure();
        if (f.isPresent()) {
            return f;
        }
        PipelineState s = pipeline.state();
        if (running() && s != PipelineState.RUNNING && s != PipelineState.NEW) {
            return Optional.of(new IllegalStateException("the pipeline stopped on its own: " + s + ", "
                    + pipeline.stopReason().map(Object::toString).orElse("no reason")
                    + pipeline.firstFailure().map(e -> ", first failure " + e).orElse("")));
        }
        return Optional.empty();
    }

    @Override
    protected void closeComponents() {
        pipeline.close(Duration.ofSeconds(5));
    }

    @Override
    public void close() {
        stop();
        pipeline.requestStop();
        closeComponents();
    }
}

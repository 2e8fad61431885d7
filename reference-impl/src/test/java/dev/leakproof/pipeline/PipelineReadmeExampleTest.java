package dev.leakproof.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The usage example of docs/pipeline.md, kept compiling and running here (CONVENTIONS: no README
 * code that drifts from the code). Only the environment is injected, so that the test does not
 * depend on the process's variables.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipelineReadmeExampleTest {

    /** A batch that holds a resource until it is released. */
    record Batch(int id, AtomicInteger open) {
        void release() {
            open.decrementAndGet();
        }
    }

    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger analysed = new AtomicInteger();

    private void analyse(Batch batch) {
        analysed.incrementAndGet();
        batch.release();
    }

    @Test
    void shouldRunReadmeExampleWhenCopiedAsIs() throws InterruptedException {
        List<Batch> batches = IntStream.range(0, 500).mapToObj(i -> {
            open.incrementAndGet();
            return new Batch(i, open);
        }).toList();
        Map<String, String> environment = Map.of(Pipeline.ENV_QUEUE_CAPACITY, "50");
        ShutdownReport report;
        try (Pipeline<Batch> pipeline = Pipeline.<Batch>builder()
                .name("analysis")
                .source(batches.iterator())
                .worker(batch -> analyse(batch))
                .workers(4)
                .queueCapacity(100)
                .routing(Routing.roundRobin())
                .memoryGuard(MemoryGuard.heapFraction(0.8))
                .discardListener((batch, reason) -> batch.release())
                .fromEnvironment(environment)
                .build()
                .start()) {
            pipeline.awaitCompletion(Duration.ofMinutes(10));
            report = pipeline.close(Duration.ofSeconds(30));
            assertEquals(50, pipeline.queueCapacity(), "the environment overrides the builder");
        }
        assertTrue(report.isClean(), report::toString);
        assertEquals(500, analysed.get());
        assertEquals(0, open.get(), "every batch released");
    }
}

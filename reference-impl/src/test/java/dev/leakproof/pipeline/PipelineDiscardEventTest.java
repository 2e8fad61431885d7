package dev.leakproof.pipeline;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each discard is also a JFR event, with the pipeline, the reason and the batch type. */
class PipelineDiscardEventTest {

    private final Harness h = new Harness();

    @AfterEach
    void checkEveryPipelineClosedAndEveryThreadEnded() {
        h.tearDown();
    }

    @Test
    void shouldEmitJfrEventWhenBatchIsDiscarded(@TempDir Path dir) throws IOException, InterruptedException {
        Path file = dir.resolve("discards.jfr");
        AtomicReference<Pipeline<Integer>> self = new AtomicReference<>();
        AtomicInteger taken = new AtomicInteger();
        try (Recording recording = new Recording()) {
            recording.enable("dev.leakproof.PipelineDiscard");
            recording.start();
            Pipeline<Integer> p = h.track(h.<Integer>builder("jfr").source(() -> {
                if (taken.getAndIncrement() == 2) {
                    self.get().requestStop();
                }
                return taken.get();
            }).worker(i -> { }).workers(1).build());
            self.set(p);
            p.start();
            assertTrue(p.awaitCompletion(Harness.LIMIT));
            assertEquals(1, p.close(Harness.LIMIT).discarded());
            recording.stop();
            recording.dump(file);
        }
        // Only this pipeline's events: other tests' pipelines may share the JVM.
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> "jfr".equals(e.getString("pipeline"))).toList();
        assertEquals(1, events.size(), events::toString);
        RecordedEvent e = events.get(0);
        assertEquals("jfr", e.getString("pipeline"));
        assertEquals("STOPPED", e.getString("reason"));
        assertEquals(Integer.class.getName(), e.getString("batchType"));
    }
}

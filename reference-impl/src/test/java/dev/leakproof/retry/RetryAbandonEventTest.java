package dev.leakproof.retry;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The abandonment side door is visible in a JFR recording as {@code dev.leakproof.RetryAbandon}. */
class RetryAbandonEventTest extends RetryBufferTestSupport {

    @Test
    void shouldRecordJfrEventWhenItemIsAbandoned(@TempDir Path dir) throws IOException {
        RetryBuffer<String> buffer = build(builder().name("jfr").maxBufferSize(1).maxAttempts(1));
        Path file = dir.resolve("abandon.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.leakproof.RetryAbandon");
            recording.start();
            buffer.add("a");
            clock.advance(Duration.ofSeconds(3));
            buffer.add("b"); // evicts a, 3 s old
            buffer.process(1, batch -> BatchResult.failed(new IOException("down"))); // b: MAX_ATTEMPTS
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.leakproof.RetryAbandon"))
                .collect(Collectors.toList());
        assertEquals(2, events.size(), () -> "events: " + events);
        RecordedEvent evicted = events.get(0);
        assertEquals("jfr", evicted.getString("buffer"));
        assertEquals("EVICTED_CAPACITY", evicted.getString("reason"));
        assertEquals(0, evicted.getInt("attempts"));
        assertEquals(Duration.ofSeconds(3), evicted.getDuration("age"));
        assertEquals("java.lang.String", evicted.getString("itemType"));
        assertEquals("MAX_ATTEMPTS", events.get(1).getString("reason"));
        assertEquals(1, events.get(1).getInt("attempts"));
    }
}

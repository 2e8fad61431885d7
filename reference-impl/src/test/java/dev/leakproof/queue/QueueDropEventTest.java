package dev.leakproof.queue;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Drops are visible in a JFR recording as {@code dev.leakproof.QueueDrop} while a recording wants
 * them, and only then: the event is gated on its type being enabled, so a drop outside a recording
 * makes no event object (the benchmarks' B/op shows the allocation side).
 */
class QueueDropEventTest {

    @Test
    void shouldRecordDropsOnlyWhileARecordingIsOn(@TempDir Path dir) throws IOException {
        BoundedQueue<String> queue = BoundedQueue.<String>builder()
                .name("jfr").capacity(1).strategy(OverflowStrategy.DROP_NEWEST).build();
        queue.offer("kept");
        queue.offer("before"); // refused before any recording: no event
        Path file = dir.resolve("drops.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.leakproof.QueueDrop");
            recording.start();
            queue.offer("during-1");
            queue.offer("during-2");
            recording.stop();
            queue.offer("after"); // refused after the recording stopped: no event
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.leakproof.QueueDrop"))
                .collect(Collectors.toList());
        assertEquals(2, events.size(), () -> "events: " + events);
        for (RecordedEvent e : events) {
            assertEquals("jfr", e.getString("queue"));
            assertEquals(DropReason.REFUSED_NEWEST.name(), e.getString("reason"));
            assertEquals("java.lang.String", e.getString("elementType"));
        }
        assertEquals(4, queue.metrics().droppedNewest(), "every refusal is counted, recorded or not");
    }
}

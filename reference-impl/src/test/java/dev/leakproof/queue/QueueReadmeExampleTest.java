package dev.leakproof.queue;

import dev.leakproof.monitor.QueueMonitor;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Runs the usage example of docs/queue.md, so that it cannot drift from the code. */
class QueueReadmeExampleTest {

    static final class Message {
        static final AtomicInteger RELEASED = new AtomicInteger();

        void release() {
            RELEASED.incrementAndGet();
        }
    }

    @Test
    void shouldRunTheReadmeExampleWhenCopiedAsIs() throws InterruptedException {
        Message message = new Message();
        // --- as in docs/queue.md (fromEnvironment reads an empty map here, so the test does not depend on the machine)
        BoundedQueue<Message> queue = BoundedQueue.<Message>builder()
                .name("llm-messages")
                .capacity(1000)
                .strategy(OverflowStrategy.DROP_OLDEST)
                .dropListener((m, reason) -> m.release())
                .fromEnvironment(Map.of())
                .build();

        try (QueueMonitor monitor = QueueMonitor.builder().fromEnvironment(Map.of()).build()) {
            monitor.watch(queue);
            queue.offer(message);
            Message next = queue.poll(100, TimeUnit.MILLISECONDS);
            QueueMetrics m = queue.metrics();
            assertSame(message, next);
            assertEquals(1, m.delivered());
        }
        queue.offer(message);
        queue.closeAndDiscard();
        assertEquals(1, Message.RELEASED.get(), "the element left at close reaches the listener");
    }
}

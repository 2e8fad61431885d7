package dev.leakproof.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks of Q1 and Q2 on a quiescent queue, run after every contract test. */
final class QueueInvariants {

    private QueueInvariants() {
    }

    static void check(BoundedQueue<?> queue) {
        QueueMetrics m = queue.metrics();
        assertTrue(m.size() >= 0 && m.size() <= m.capacity(), () -> "Q1: size out of bounds in " + m);
        assertTrue(m.highWaterMark() >= m.size() && m.highWaterMark() <= m.capacity(), () -> "high-water mark out of bounds in " + m);
        assertEquals(m.offered(), m.accepted() + m.droppedNewest() + m.timedOut() + m.rejected(),
                () -> "Q2: offered != accepted + droppedNewest + timedOut + rejected in " + m);
        assertEquals(m.accepted(), m.delivered() + m.droppedOldest() + m.discarded() + m.size(),
                () -> "Q2: accepted != delivered + droppedOldest + discarded + size in " + m);
        assertTrue(m.delivered() >= 0, () -> "delivered negative in " + m);
    }
}

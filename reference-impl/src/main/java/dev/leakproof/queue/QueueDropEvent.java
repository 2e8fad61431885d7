package dev.leakproof.queue;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event for an element that a {@link BoundedQueue} did not deliver. Enabled by default in a
 * recording, without a stack trace: drops can be frequent under the dropping strategies.
 */
@Name("dev.leakproof.QueueDrop")
@Label("Queue Drop")
@Category({"leakproof", "Queue"})
@Description("An element left a bounded queue (or was refused by it) without being delivered")
@Enabled(true)
@StackTrace(false)
final class QueueDropEvent extends jdk.jfr.Event {

    /** This event's type, asked before an event object is made. */
    private static final jdk.jfr.EventType TYPE = jdk.jfr.EventType.getEventType(QueueDropEvent.class);

    @Label("Queue")
    String queue;

    @Label("Reason")
    String reason;

    @Label("Element Type")
    String elementType;

    static void emit(String queue, DropReason reason, Object element) {
        if (!TYPE.isEnabled()) {
            return; // no recording wants it: allocate nothing (no reliance on escape analysis)
        }
        QueueDropEvent event = new QueueDropEvent();
        if (event.shouldCommit()) {
            event.queue = queue;
            event.reason = reason.name();
            event.elementType = element.getClass().getName();
            event.commit();
        }
    }
}

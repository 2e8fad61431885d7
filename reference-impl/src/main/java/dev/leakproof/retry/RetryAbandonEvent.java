package dev.leakproof.retry;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR event for an item that a {@link RetryBuffer} abandoned. Enabled by default in a recording,
 * without a stack trace: evictions can be frequent when a full buffer keeps receiving items.
 */
@Name("dev.leakproof.RetryAbandon")
@Label("Retry Abandon")
@Category({"leakproof", "Retry"})
@Description("An item left a retry buffer without succeeding")
@Enabled(true)
@StackTrace(false)
final class RetryAbandonEvent extends jdk.jfr.Event {

    /** This event's type, asked before an event object is made. */
    private static final jdk.jfr.EventType TYPE = jdk.jfr.EventType.getEventType(RetryAbandonEvent.class);

    @Label("Buffer")
    String buffer;

    @Label("Reason")
    String reason;

    @Label("Attempts")
    int attempts;

    @Label("Age")
    @Timespan(Timespan.NANOSECONDS)
    long age;

    @Label("Item Type")
    String itemType;

    static void emit(String buffer, Abandoned<?> abandoned) {
        if (!TYPE.isEnabled()) {
            return; // no recording wants it: allocate nothing (no reliance on escape analysis)
        }
        RetryAbandonEvent event = new RetryAbandonEvent();
        if (event.shouldCommit()) {
            event.buffer = buffer;
            event.reason = abandoned.reason().name();
            event.attempts = abandoned.attempts();
            event.age = abandoned.age().toNanos();
            event.itemType = abandoned.item().getClass().getName();
            event.commit();
        }
    }
}

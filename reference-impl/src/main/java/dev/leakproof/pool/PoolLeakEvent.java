package dev.leakproof.pool;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR event for a leak verdict of a {@link BufferPool} (long hold, returned late, GC-reclaimed,
 * force-released). Enabled by default; without the event's own stack trace, since it is emitted by
 * the detector's thread: the acquisition stack, when tracked, is in the log and the listener report.
 */
@Name("dev.leakproof.PoolLeak")
@Label("Pool Leak")
@Category({"leakproof", "Pool"})
@Description("A buffer pool lease was held too long, returned late, reclaimed after GC or force-released")
@Enabled(true)
@StackTrace(false)
final class PoolLeakEvent extends jdk.jfr.Event {

    /** This event's type, asked before an event object is made. */
    private static final jdk.jfr.EventType TYPE = jdk.jfr.EventType.getEventType(PoolLeakEvent.class);

    @Label("Pool")
    String pool;

    @Label("Verdict")
    String verdict;

    @Label("Lease Id")
    long leaseId;

    @Label("Size")
    int size;

    @Label("Age")
    @Timespan(Timespan.NANOSECONDS)
    long age;

    @Label("Acquiring Thread")
    String acquiringThread;

    @Label("Tracked")
    boolean tracked;

    static void emit(LeakReport r) {
        if (!TYPE.isEnabled()) {
            return; // no recording wants it: allocate nothing (no reliance on escape analysis)
        }
        PoolLeakEvent event = new PoolLeakEvent();
        if (event.shouldCommit()) {
            event.pool = r.pool();
            event.verdict = r.verdict().name();
            event.leaseId = r.leaseId();
            event.size = r.size();
            event.age = r.ageNanos();
            event.acquiringThread = r.threadName();
            event.tracked = r.tracked();
            event.commit();
        }
    }
}

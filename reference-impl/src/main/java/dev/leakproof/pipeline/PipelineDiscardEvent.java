package dev.leakproof.pipeline;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event for a batch that a {@link Pipeline} discarded instead of processing. Enabled by
 * default, without a stack trace: a halt can discard a full queue's worth at once.
 */
@Name("dev.leakproof.PipelineDiscard")
@Label("Pipeline Discard")
@Category({"leakproof", "Pipeline"})
@Description("A batch taken from a pipeline's source was discarded instead of processed")
@Enabled(true)
@StackTrace(false)
final class PipelineDiscardEvent extends jdk.jfr.Event {

    /** This event's type, asked before an event object is made. */
    private static final jdk.jfr.EventType TYPE = jdk.jfr.EventType.getEventType(PipelineDiscardEvent.class);

    @Label("Pipeline")
    String pipeline;

    @Label("Reason")
    String reason;

    @Label("Batch Type")
    String batchType;

    static void emit(String pipeline, DiscardReason reason, Object batch) {
        if (!TYPE.isEnabled()) {
            return; // no recording wants it: allocate nothing (no reliance on escape analysis)
        }
        PipelineDiscardEvent event = new PipelineDiscardEvent();
        if (event.shouldCommit()) {
            event.pipeline = pipeline;
            event.reason = reason.name();
            event.batchType = batch.getClass().getName();
            event.commit();
        }
    }
}

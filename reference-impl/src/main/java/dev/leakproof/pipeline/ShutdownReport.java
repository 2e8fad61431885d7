package dev.leakproof.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Pipeline#close(Duration)} found: the final counters, why the pipeline stopped, how
 * long each phase took, and every pipeline thread that had not ended.
 *
 * <p>Conservation (invariant P3) holds exactly in every report: {@code produced = processed +
 * failed + discarded}. {@code drained} is the part of {@code processed} completed after the
 * pipeline left {@code RUNNING}, and {@code abandoned} the part of {@code failed} that a stuck
 * worker still held when close gave up on it. The counters are taken in one atomic snapshot; a
 * thread named in {@link #stuckThreads()} may go on changing the live
 * {@link Pipeline#metrics()}, never this report.
 *
 * @param pipeline         the pipeline's name
 * @param reason           why production stopped ({@link StopReason#COMPLETED} when the source ended first)
 * @param detail           a human-readable detail of the reason (the memory reading, the failure), or empty
 * @param cause            the exception behind {@code reason} (source, worker, start), or {@code null}
 * @param produced         batches taken from the source
 * @param processed        batches a worker returned from normally
 * @param failed           batches whose worker threw, or that a stuck worker still held ({@code abandoned})
 * @param drained          batches processed after the pipeline entered {@code DRAINING}; {@code drained <= processed}
 * @param discarded        batches handed to the {@link DiscardListener}
 * @param abandoned        batches held by workers that did not end; {@code abandoned <= failed}
 * @param offerTimeouts    timed-out offers the producer retried (backpressure waits)
 * @param listenerFailures discard-listener calls that threw
 * @param halted           whether the drain timeout passed and the pipeline went through {@code HALTING}
 * @param running          time from start to leaving {@code RUNNING} (zero if never started)
 * @param draining         time spent in {@code DRAINING}
 * @param halting          time spent in {@code HALTING}
 * @param total            time from start to {@code TERMINATED}
 * @param stuckThreads     every pipeline thread still alive when close returned, with its stack
 */
public record ShutdownReport(
        String pipeline,
        StopReason reason,
        String detail,
        Throwable cause,
        long produced,
        long processed,
        long failed,
        long drained,
        long discarded,
        long abandoned,
        long offerTimeouts,
        long listenerFailures,
        boolean halted,
        Duration running,
        Duration draining,
        Duration halting,
        Duration total,
        List<StuckThread> stuckThreads) {

    public ShutdownReport {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
        stuckThreads = List.copyOf(stuckThreads);
    }

    /** The exception behind the stop, if any. */
    public Optional<Throwable> failureCause() {
        return Optional.ofNullable(cause);
    }

    /**
     * {@code processed + failed + discarded == produced} (P3). {@code true} for every report a
     * pipeline makes, with one exception, described under P3 in {@link Pipeline}: close gave up
     * on a producer that was inside a queue offer (not user code; the halt wakes it, so only a
     * producer starved of CPU for the whole grace period).
     */
    public boolean isConserved() {
        return produced == processed + failed + discarded;
    }

    /** Whether every pipeline thread had ended when close returned. */
    public boolean allThreadsEnded() {
        return stuckThreads.isEmpty();
    }

    /** Completed with every batch processed, nothing failed or discarded, and no thread left. */
    public boolean isClean() {
        return reason == StopReason.COMPLETED && failed == 0 && discarded == 0 && stuckThreads.isEmpty();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ShutdownReport[").append(pipeline).append(": ").append(reason);
        if (!detail.isEmpty()) {
            sb.append(" (").append(detail).append(')');
        }
        sb.append(", produced ").append(produced).append(" = processed ").append(processed)
                .append(" (drained ").append(drained).append(") + failed ").append(failed)
                .append(" (abandoned ").append(abandoned).append(") + discarded ").append(discarded)
                .append(", offer timeouts ").append(offerTimeouts)
                .append(halted ? ", halted" : "")
                .append(", running ").append(running).append(", draining ").append(draining)
                .append(", halting ").append(halting).append(", total ").append(total).append(']');
        for (StuckThread t : stuckThreads) {
            sb.append(System.lineSeparator()).append("stuck: ").append(t);
        }
        return sb.toString();
    }
}

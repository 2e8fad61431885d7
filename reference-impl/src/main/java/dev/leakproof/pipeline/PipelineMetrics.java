package dev.leakproof.pipeline;

import java.util.List;

/**
 * An immutable snapshot of a running {@link Pipeline}. The counters are read together (one atomic
 * snapshot); the queue depths and {@code inFlight} are read just after, so while batches move
 * {@code produced = processed + failed + discarded + queued + inFlight + (0 or 1 held by the producer)}
 * holds only approximately. Once the pipeline is quiescent it is exact.
 *
 * @param name          the pipeline's name
 * @param state         the state when the snapshot was taken
 * @param stopReason    why production stopped, or {@code null} while it has not
 * @param queueCapacity the capacity of each queue
 * @param queueDepths   the size of each queue (one entry for {@link Routing#shared()})
 * @param inFlight      batches the workers are processing
 * @param produced      batches taken from the source
 * @param processed     batches processed
 * @param failed        batches whose processing failed (or was abandoned)
 * @param drained       batches processed after the pipeline entered {@code DRAINING}
 * @param discarded     batches handed to the discard listener
 * @param offerTimeouts timed-out offers the producer retried
 * @param lastHeapReading the memory guard's last reading in bytes, or -1 without a guard or before its first reading
 */
public record PipelineMetrics(
        String name,
        PipelineState state,
        StopReason stopReason,
        int queueCapacity,
        List<Integer> queueDepths,
        int inFlight,
        long produced,
        long processed,
        long failed,
        long drained,
        long discarded,
        long offerTimeouts,
        long lastHeapReading) {

    public PipelineMetrics {
        queueDepths = List.copyOf(queueDepths);
    }

    /** Batches in all queues. */
    public long queued() {
        long sum = 0;
        for (int d : queueDepths) {
            sum += d;
        }
        return sum;
    }
}

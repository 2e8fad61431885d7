package dev.leakproof.retry;

/**
 * What a {@link RetryBuffer} did with one batch.
 *
 * @param batchId   the batch's lease id, {@code 0} for an empty batch
 * @param size      items in the batch
 * @param succeeded items counted as succeeded ({@code 0} unless {@link Status#APPLIED})
 * @param failed    items that failed: returned to the buffer or abandoned ({@code 0} unless {@link Status#APPLIED})
 * @param status    how the batch ended
 */
public record BatchOutcome(long batchId, int size, int succeeded, int failed, Status status) {

    private static final BatchOutcome EMPTY = new BatchOutcome(0, 0, 0, 0, Status.EMPTY);

    /** How a batch ended. */
    public enum Status {
        /** No item was eligible; the processor was not called. */
        EMPTY,
        /** The processor's result was applied to the batch's items. */
        APPLIED,
        /** The batch was reclaimed as stale after the in-flight timeout; its items were returned or abandoned. */
        RECLAIMED,
        /** The buffer was closed while the batch was in flight; its items were abandoned as {@link AbandonReason#CLOSED}. */
        CLOSED,
        /** A completion of a batch that had already ended (reclaimed, closed, or completed before): ignored and counted. */
        LATE
    }

    static BatchOutcome empty() {
        return EMPTY;
    }

    /** Whether this outcome is the one that decided the items' fate. */
    public boolean isApplied() {
        return status == Status.APPLIED;
    }
}

package dev.leakproof.retry;

import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.Set;

/**
 * What became of a batch: every item succeeded, every item failed (with a cause), or a
 * per-item result naming the items that succeeded.
 *
 * <p><b>Items a per-item result does not mention count as failed.</b> A processor that forgets an
 * item thereby retries it (at-least-once) instead of losing it. Items are matched by identity
 * ({@code ==}), not {@code equals}, so equal but distinct items in one batch are told apart; the
 * same reference added twice is matched twice. Items named that are not in the batch are ignored.
 * <b>A processor that maps items to copies (or to other objects) and names the copies does not
 * match them: those items count as failed.</b> Such a processor should name the batch's own
 * references, or use {@link #partialByIndex(BitSet, Throwable)}, which names items by their index
 * in the batch list.
 */
public final class BatchResult {

    private static final BatchResult ALL_SUCCEEDED = new BatchResult(true, null, null, null);

    private final boolean allSucceeded;
    private final Set<Object> succeeded; // identity set; null unless per-item by identity
    private final BitSet succeededIndices; // null unless per-item by index
    private final Throwable cause;

    private BatchResult(boolean allSucceeded, Set<Object> succeeded, BitSet succeededIndices, Throwable cause) {
        this.allSucceeded = allSucceeded;
        this.succeeded = succeeded;
        this.succeededIndices = succeededIndices;
        this.cause = cause;
    }

    /** Every item of the batch succeeded. */
    public static BatchResult succeeded() {
        return ALL_SUCCEEDED;
    }

    /** Every item of the batch failed because of {@code cause}. */
    public static BatchResult failed(Throwable cause) {
        return new BatchResult(false, null, null, Objects.requireNonNull(cause, "cause"));
    }

    /**
     * The items in {@code succeeded} (by identity) succeeded; every other item of the batch failed
     * because of {@code cause}.
     */
    public static BatchResult partial(Collection<?> succeeded, Throwable cause) {
        Objects.requireNonNull(succeeded, "succeeded");
        Objects.requireNonNull(cause, "cause");
        Set<Object> set = Collections.newSetFromMap(new IdentityHashMap<>(Math.max(4, succeeded.size() * 2)));
        for (Object o : succeeded) {
            set.add(Objects.requireNonNull(o, "succeeded item"));
        }
        return new BatchResult(false, set, null, cause);
    }

    /**
     * The items at the set indices of the batch list (as handed to the processor, from 0)
     * succeeded; every other item failed because of {@code cause}. Indices beyond the batch are
     * ignored. The bits are copied.
     */
    public static BatchResult partialByIndex(BitSet succeededIndices, Throwable cause) {
        Objects.requireNonNull(succeededIndices, "succeededIndices");
        Objects.requireNonNull(cause, "cause");
        return new BatchResult(false, null, (BitSet) succeededIndices.clone(), cause);
    }

    /**
     * Whether {@code item} of the batch succeeded under this result.
     *
     * @throws IllegalStateException for a result made by {@link #partialByIndex}, which cannot
     *         tell an item by itself: use {@link #isSucceeded(int, Object)}
     */
    public boolean isSucceeded(Object item) {
        if (succeededIndices != null) {
            throw new IllegalStateException("a result by index cannot tell an item by itself; use isSucceeded(index, item)");
        }
        return isSucceeded(-1, item);
    }

    /** Whether {@code item}, at {@code index} of the batch list, succeeded under this result. */
    public boolean isSucceeded(int index, Object item) {
        if (allSucceeded) {
            return true;
        }
        if (succeededIndices != null) {
            return index >= 0 && succeededIndices.get(index);
        }
        return succeeded != null && succeeded.contains(item);
    }

    /** The cause of the failed items, or {@code null} when every item succeeded. */
    public Throwable cause() {
        return cause;
    }

    @Override
    public String toString() {
        if (allSucceeded) {
            return "BatchResult[succeeded]";
        }
        if (succeededIndices != null) {
            return "BatchResult[partial, indices " + succeededIndices + " succeeded, others failed: " + cause + "]";
        }
        return succeeded == null
                ? "BatchResult[failed: " + cause + "]"
                : "BatchResult[partial, " + succeeded.size() + " succeeded, others failed: " + cause + "]";
    }
}

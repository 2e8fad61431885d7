package dev.leakproof.retry;

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
 */
public final class BatchResult {

    private static final BatchResult ALL_SUCCEEDED = new BatchResult(true, null, null);

    private final boolean allSucceeded;
    private final Set<Object> succeeded; // identity set; null unless per-item
    private final Throwable cause;

    private BatchResult(boolean allSucceeded, Set<Object> succeeded, Throwable cause) {
        this.allSucceeded = allSucceeded;
        this.succeeded = succeeded;
        this.cause = cause;
    }

    /** Every item of the batch succeeded. */
    public static BatchResult succeeded() {
        return ALL_SUCCEEDED;
    }

    /** Every item of the batch failed because of {@code cause}. */
    public static BatchResult failed(Throwable cause) {
        return new BatchResult(false, null, Objects.requireNonNull(cause, "cause"));
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
        return new BatchResult(false, set, cause);
    }

    /** Whether {@code item} of the batch succeeded under this result. */
    public boolean isSucceeded(Object item) {
        if (allSucceeded) {
            return true;
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
        return succeeded == null
                ? "BatchResult[failed: " + cause + "]"
                : "BatchResult[partial, " + succeeded.size() + " succeeded, others failed: " + cause + "]";
    }
}

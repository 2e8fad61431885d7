package dev.leakproof.retry;

import java.util.List;

/**
 * Processes one batch synchronously for {@link RetryBuffer#process(int, BatchProcessor)}.
 *
 * <p>Returning {@code null} or throwing counts as {@link BatchResult#failed(Throwable)} for the
 * whole batch: the items go back to the buffer (or are abandoned past their limits), never lost.
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface BatchProcessor<T> {

    /**
     * @param batch the items of the batch: eligible retries first (in the order they became eligible), then never-attempted items oldest first; unmodifiable, never empty
     * @return which items succeeded
     * @throws Exception to fail the whole batch
     */
    BatchResult process(List<T> batch) throws Exception;
}

package dev.leakproof.retry;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Processes one batch asynchronously for {@link RetryBuffer#processAsync(int, AsyncBatchProcessor)}.
 *
 * <p>A {@code null} stage, a stage completed with {@code null} or exceptionally, or a processor
 * that throws before returning a stage all count as {@link BatchResult#failed(Throwable)} for
 * the whole batch. A stage that never completes is reclaimed after the in-flight timeout; its
 * completion after that is ignored and counted as a late completion.
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface AsyncBatchProcessor<T> {

    /**
     * @param batch the items of the batch: eligible retries first (in the order they became eligible), then never-attempted items oldest first; unmodifiable, never empty
     * @return a stage that completes with which items succeeded
     */
    CompletionStage<BatchResult> process(List<T> batch);
}

package dev.leakproof.soak;

import dev.leakproof.pool.BufferPool;
import java.util.Optional;

/**
 * Load on one or more components, run by threads of its own from {@link #start()} to
 * {@link #close()}. Thread-safe: {@link #writeStats} and {@link #failure} are called by the sampler
 * while the load runs.
 */
interface Workload extends AutoCloseable {

    /** Starts the load's threads. */
    void start();

    /** Writes this load's fields of a {@code sample} record ({@code pool}, {@code queues}, ...) into {@code json}. */
    void writeStats(Json json);

    /** Called at each settled sample: queues the load's aggregated events (injected failures since last time). */
    default void periodic(Events events) {
    }

    /** The first error the load could not survive, if any; the soak then ends {@code failed}. */
    Optional<Throwable> failure();

    /** Leak verdicts of the load's pool so far (0 without a pool). */
    default long leakVerdicts() {
        return 0;
    }

    /** Elements dropped by the load's queues so far. */
    default long drops() {
        return 0;
    }

    /** The load's buffer pool, if it runs one (the {@code lease} leak injection uses it). */
    default Optional<BufferPool> pool() {
        return Optional.empty();
    }

    /** Stops the threads (bounded wait) and closes the components. */
    @Override
    void close();
}

package dev.leakproof.pool;

/**
 * One access record of a tracked lease, left by {@link Lease#touch(Object)}.
 *
 * @param hint       {@code String.valueOf} of the hint passed to {@code touch}
 * @param threadName the thread that touched the lease
 * @param nanoTime   when, on the pool's clock
 */
public record TouchRecord(String hint, String threadName, long nanoTime) {
}

package dev.leakproof.pool;

/**
 * Receives the leak detector's verdicts, exactly once per lease and verdict. Called on the thread
 * that reached the verdict (the age scan's, the reference-queue drainer's, or the closing thread for
 * {@link LeakVerdict#RETURNED_LATE}), never while the pool holds its lock. A listener that throws is
 * logged and counted in {@link PoolStats#listenerFailures()}; the pool carries on.
 */
@FunctionalInterface
public interface LeakListener {
    void onLeak(LeakReport report);
}

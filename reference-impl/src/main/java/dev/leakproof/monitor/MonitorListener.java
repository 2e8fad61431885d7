package dev.leakproof.monitor;

/**
 * Receives what a {@link ThresholdWatcher} (or a monitor built on it) sees. Called on the sampling
 * thread, in sample order, while the watcher holds its lock: keep it short. A listener that throws
 * is logged and counted; it never stops sampling.
 */
public interface MonitorListener {

    /** Called once per level change: once when an alert is raised, once when it is cleared. */
    default void onLevelChange(LevelChange change) {
    }

    /** Called for every sample, including those that change nothing. */
    default void onSample(Sample sample) {
    }
}

/**
 * Threshold watching with hysteresis and periodic sampling: {@link dev.leakproof.monitor.ThresholdWatcher}
 * is the generic core, {@link dev.leakproof.monitor.PeriodicMonitor} samples probes on a scheduler,
 * {@link dev.leakproof.monitor.QueueMonitor} watches bounded queues.
 */
package dev.leakproof.monitor;

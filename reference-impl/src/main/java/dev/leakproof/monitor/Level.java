package dev.leakproof.monitor;

/** How close a watched resource is to its limit. Ordered: {@code NORMAL < WARNING < CRITICAL}. */
public enum Level {
    /** Below the warning threshold (or back below its clear mark). */
    NORMAL,
    /** At or above the warning threshold. */
    WARNING,
    /** At or above the critical threshold. */
    CRITICAL
}

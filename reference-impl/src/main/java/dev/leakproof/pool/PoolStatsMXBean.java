package dev.leakproof.pool;

/**
 * The JMX view of a {@link BufferPool}'s {@link PoolStats}, registered by
 * {@link BufferPool#registerMBean()} as {@code dev.leakproof:type=BufferPool,name="<pool name>"}.
 * Each getter takes a fresh snapshot; see {@link PoolStats} for what each value means.
 */
public interface PoolStatsMXBean {
    long getMaxTotalBytes();

    int getMaxBufferSize();

    long getUsedBytes();

    long getRetainedBytes();

    double getUsagePercent();

    long getActiveLeases();

    int getFreeBuffers();

    int getTotalBuffers();

    long getAcquires();

    long getReleases();

    long getReuses();

    double getReuseRate();

    long getLongHolds();

    long getReturnedLate();

    long getGcReclaimed();

    long getForceReleased();

    long getRedundantCloses();

    long getOldestLeaseAgeMillis();

    long getWaits();

    long getTimeouts();

    long getListenerFailures();

    boolean isClosed();

    /** Runs the age scan now; returns the number of long holds newly found. */
    int scanForLongHolds();
}

package dev.leakproof.pool;

/** The registered implementation of {@link PoolStatsMXBean}: every getter reads a fresh snapshot. */
final class PoolStatsBean implements PoolStatsMXBean {

    private final BufferPool pool;

    PoolStatsBean(BufferPool pool) {
        this.pool = pool;
    }

    private PoolStats s() {
        return pool.stats();
    }

    @Override
    public long getMaxTotalBytes() {
        return pool.maxTotalBytes();
    }

    @Override
    public int getMaxBufferSize() {
        return pool.maxBufferSize();
    }

    @Override
    public long getUsedBytes() {
        return s().usedBytes();
    }

    @Override
    public long getRetainedBytes() {
        return s().retainedBytes();
    }

    @Override
    public double getUsagePercent() {
        return s().usagePercent();
    }

    @Override
    public long getActiveLeases() {
        return s().activeLeases();
    }

    @Override
    public int getFreeBuffers() {
        return s().freeBuffers();
    }

    @Override
    public int getTotalBuffers() {
        return s().totalBuffers();
    }

    @Override
    public long getAcquires() {
        return s().acquires();
    }

    @Override
    public long getReleases() {
        return s().releases();
    }

    @Override
    public long getReuses() {
        return s().reuses();
    }

    @Override
    public double getReuseRate() {
        return s().reuseRate();
    }

    @Override
    public long getLongHolds() {
        return s().longHolds();
    }

    @Override
    public long getReturnedLate() {
        return s().returnedLate();
    }

    @Override
    public long getGcReclaimed() {
        return s().gcReclaimed();
    }

    @Override
    public long getForceReleased() {
        return s().forceReleased();
    }

    @Override
    public long getRedundantCloses() {
        return s().redundantCloses();
    }

    @Override
    public long getOldestLeaseAgeMillis() {
        return s().oldestLeaseAge().toMillis();
    }

    @Override
    public long getWaits() {
        return s().waits();
    }

    @Override
    public long getTimeouts() {
        return s().timeouts();
    }

    @Override
    public long getListenerFailures() {
        return s().listenerFailures();
    }

    @Override
    public boolean isClosed() {
        return pool.isClosed();
    }

    @Override
    public int scanForLongHolds() {
        return pool.scanForLongHolds();
    }
}

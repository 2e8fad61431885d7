package dev.leakproof.monitor;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns a stream of {@link Reading}s of one resource into levels with hysteresis, and tells
 * listeners about level changes and drops. Generic: the queue monitor and the pool's memory monitor
 * are both built on it.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>A level is raised when a reading reaches its threshold and cleared only when a reading
 *       falls below {@code threshold - hysteresis} ({@link Thresholds}): a reading that wobbles
 *       around a threshold raises one alert and clears it once, never flaps.</li>
 *   <li>Every level change is reported to the listeners exactly once, in the order of the
 *       samples, even when samples come from several threads: {@link #sample} is serialised.</li>
 *   <li>{@link Sample#dropsSinceLast()} is the difference of two consecutive drop totals, so the
 *       drops of every interval are reported once.</li>
 * </ul>
 */
public final class ThresholdWatcher {

    private static final System.Logger LOG = System.getLogger(ThresholdWatcher.class.getName());

    private final String source;
    private final Thresholds thresholds;
    private final List<MonitorListener> listeners = new CopyOnWriteArrayList<>();
    private final LongAdder listenerFailures = new LongAdder();

    // Guarded by this.
    private Level level = Level.NORMAL;
    private long lastDrops;
    private long changes;

    /**
     * @param source     the watched resource's name, used in logs and events
     * @param thresholds the levels
     */
    public ThresholdWatcher(String source, Thresholds thresholds) {
        this.source = Objects.requireNonNull(source, "source");
        this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
    }

    /** Adds a listener; it sees the samples taken from now on. */
    public ThresholdWatcher addListener(MonitorListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Records a reading taken at {@code nanoTime} and reports what changed.
     *
     * @return the resulting sample
     */
    public synchronized Sample sample(Reading reading, long nanoTime) {
        Objects.requireNonNull(reading, "reading");
        long drops = reading.dropsTotal() >= lastDrops ? reading.dropsTotal() - lastDrops : reading.dropsTotal();
        lastDrops = reading.dropsTotal();
        Level before = level;
        Level after = thresholds.next(before, reading.utilisation());
        level = after;
        Sample sample = new Sample(source, reading.utilisation(), after, drops, nanoTime);
        if (after != before) {
            changes++;
            LevelChange change = new LevelChange(source, before, after, reading.utilisation(), nanoTime);
            LOG.log(change.raised() ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                    () -> String.format("%s: %s -> %s at %.1f%% utilisation", source, before, after, reading.utilisation() * 100));
            for (MonitorListener l : listeners) {
                try {
                    l.onLevelChange(change);
                } catch (RuntimeException e) {
                    failed(l, e);
                }
            }
        }
        if (drops > 0) {
            LOG.log(System.Logger.Level.WARNING, () -> source + ": " + drops + " dropped since the last sample");
        }
        for (MonitorListener l : listeners) {
            try {
                l.onSample(sample);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
        return sample;
    }

    private void failed(MonitorListener l, RuntimeException e) {
        listenerFailures.increment();
        LOG.log(System.Logger.Level.WARNING, "monitor listener " + l + " of " + source + " threw", e);
    }

    /** The current level. */
    public synchronized Level level() {
        return level;
    }

    /** How many level changes have been reported. */
    public synchronized long levelChanges() {
        return changes;
    }

    /** Listener calls that threw. */
    public long listenerFailures() {
        return listenerFailures.sum();
    }

    public String source() {
        return source;
    }

    public Thresholds thresholds() {
        return thresholds;
    }
}

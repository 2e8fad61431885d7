package dev.leakproof.monitor;

/**
 * A level raised or cleared by a {@link ThresholdWatcher}.
 *
 * @param source      the watched resource's name
 * @param from        the level before
 * @param to          the level after; never equal to {@code from}
 * @param utilisation the reading that caused the change
 * @param nanoTime    when the reading was taken, on the watcher's clock
 */
public record LevelChange(String source, Level from, Level to, double utilisation, long nanoTime) {

    /** Whether the level went up (an alert is raised) rather than down (an alert is cleared). */
    public boolean raised() {
        return to.compareTo(from) > 0;
    }
}

package dev.leakproof.monitor;

/**
 * What a {@link ThresholdWatcher} concluded from one reading.
 *
 * @param source         the watched resource's name
 * @param utilisation    the reading's utilisation
 * @param level          the level after this reading
 * @param dropsSinceLast drops since the previous sample (all drops so far for the first one)
 * @param nanoTime       when the reading was taken, on the watcher's clock
 */
public record Sample(String source, double utilisation, Level level, long dropsSinceLast, long nanoTime) {
}

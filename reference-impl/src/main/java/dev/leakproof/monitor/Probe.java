package dev.leakproof.monitor;

/** Takes a {@link Reading} of a watched resource. Called on the monitor's sampling thread. */
@FunctionalInterface
public interface Probe {
    Reading read();
}

package dev.leakproof.soak;

import java.util.function.LongSupplier;

/** Milliseconds since the start of the soak, on a monotonic clock (injectable for tests). */
final class SoakClock {

    private final LongSupplier nanoTime;
    private final long startNanos;

    SoakClock(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.startNanos = nanoTime.getAsLong();
    }

    static SoakClock system() {
        return new SoakClock(System::nanoTime);
    }

    long elapsedNanos() {
        return nanoTime.getAsLong() - startNanos;
    }

    long elapsedMs() {
        return elapsedNanos() / 1_000_000;
    }
}

package dev.leakproof.junit;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.WeakReference;

/**
 * Reads used heap after a forced, settled garbage collection: {@link System#gc()} is repeated until
 * a weak sentinel allocated before it has been cleared (so at least one full collection really ran)
 * and two consecutive readings agree within a tolerance (so finalisation and reference processing
 * have settled). The building block of the leak detector's heap-growth check.
 *
 * <p>Bounded: at most {@link #MAX_ROUNDS} collections per reading; the last reading is returned
 * even if it never settled, and {@link Reading#settled()} says so.
 */
public final class SettledHeap {

    /** The most collections one reading may force. */
    public static final int MAX_ROUNDS = 10;
    /** Two readings closer than this are considered stable. */
    public static final long STABLE_BYTES = 256 * 1024;

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private SettledHeap() {
    }

    /**
     * One settled reading.
     *
     * @param usedBytes used heap after the last collection
     * @param rounds    collections forced
     * @param settled   whether the sentinel was cleared and two readings agreed
     */
    public record Reading(long usedBytes, int rounds, boolean settled) {
        /** Used heap in MB (10^6 bytes, as the seed reports it). */
        public double usedMb() {
            return usedBytes / 1_000_000.0;
        }
    }

    /** Forces collections until the heap reading is stable, and returns it. */
    public static Reading measure() {
        long previous = -1;
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            WeakReference<Object> sentinel = new WeakReference<>(new Object());
            System.gc();
            long used = MEMORY.getHeapMemoryUsage().getUsed();
            boolean collected = sentinel.get() == null;
            if (collected && previous >= 0 && Math.abs(used - previous) <= STABLE_BYTES) {
                return new Reading(used, round, true);
            }
            previous = collected ? used : previous;
        }
        return new Reading(MEMORY.getHeapMemoryUsage().getUsed(), MAX_ROUNDS, false);
    }
}

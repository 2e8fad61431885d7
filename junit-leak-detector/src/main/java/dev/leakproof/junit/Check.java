package dev.leakproof.junit;

/** The checks the {@link LeakDetector} runs on a test; each can fail the test on its own. */
public enum Check {
    /**
     * Used heap after a settled garbage collection ({@link SettledHeap}) may not grow by more than
     * the threshold from before the test to after it.
     */
    HEAP,
    /**
     * No thread started during the test may still be alive after it (after a grace period), unless
     * its name matches the allow-list.
     */
    THREADS,
    /**
     * No leakproof {@code BufferPool} built during the test may still have a lease out after it, nor
     * have had one reclaimed by the garbage collector or force-released (the lease's owner leaked it).
     */
    LEASES
}

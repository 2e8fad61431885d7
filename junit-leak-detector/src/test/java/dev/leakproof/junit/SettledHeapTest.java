package dev.leakproof.junit;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

class SettledHeapTest {

    /** Kept reachable on purpose: the retained growth the measurement must see. */
    private static final List<byte[]> RETAINED = new ArrayList<>();

    @Test
    void shouldSeeRetainedGrowthWhenTwentyMegabytesStayReachable() {
        SettledHeap.Reading before = SettledHeap.measure();
        for (int i = 0; i < 20; i++) {
            RETAINED.add(new byte[1_000_000]);
        }
        SettledHeap.Reading after = SettledHeap.measure();
        double growthMb = after.usedMb() - before.usedMb();
        RETAINED.clear();
        assertTrue(before.settled() && after.settled(), "readings should settle: " + before + ", " + after);
        assertTrue(growthMb > 18 && growthMb < 25, "expected about 20 MB of growth, saw " + growthMb);
    }

    @Test
    void shouldSeeNoGrowthWhenGarbageIsFreed() {
        SettledHeap.Reading before = SettledHeap.measure();
        long sum = 0;
        for (int i = 0; i < 100; i++) {
            byte[] garbage = new byte[1_000_000];
            garbage[i] = (byte) i;
            sum += garbage[i];
        }
        SettledHeap.Reading after = SettledHeap.measure();
        double growthMb = after.usedMb() - before.usedMb();
        assertTrue(sum >= 0);
        assertTrue(growthMb < 2, "100 MB allocated and freed should leave < 2 MB, saw " + growthMb);
    }
}

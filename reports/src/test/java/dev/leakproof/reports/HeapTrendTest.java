package dev.leakproof.reports;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapTrendTest {

    private static final double MIB = 1024 * 1024;

    /** A heap around 200 MiB sampled every 10 s for {@code hours}, growing {@code mibPerHour}, with GC noise. */
    private static double[][] series(double hours, double mibPerHour, long seed) {
        Random random = new Random(seed);
        int n = (int) (hours * 360);
        double[] t = new double[n];
        double[] heap = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = i * 10.0;
            heap[i] = (200 + mibPerHour * t[i] / 3600.0 + random.nextGaussian() * 2) * MIB;
        }
        return new double[][] {t, heap};
    }

    @Test
    void shouldPassWhenHeapIsFlat() {
        double[][] s = series(2, 0, 1);
        HeapTrend.Fit fit = HeapTrend.fit(s[0], s[1], 1.0);
        assertEquals(HeapTrend.Verdict.PASS, fit.verdict(), fit.toString());
        assertTrue(fit.ciLow() <= 0 && fit.ciHigh() >= -1, fit.toString());
    }

    @Test
    void shouldFindLeakWhenHeapGrowsFiveMibPerHour() {
        double[][] s = series(2, 5, 2);
        HeapTrend.Fit fit = HeapTrend.fit(s[0], s[1], 1.0);
        assertEquals(HeapTrend.Verdict.LEAK, fit.verdict(), fit.toString());
        assertEquals(5.0, fit.slopeMibPerHour(), 0.5);
        assertTrue(fit.pValue() < 0.001, fit.toString());
    }

    @Test
    void shouldCallShortNoisyRunALeakWhenItCannotRuleGrowthOut() {
        // Three minutes of noise cannot show, with confidence, growth below 1 MiB/h.
        double[][] s = series(0.05, 0, 3);
        HeapTrend.Fit fit = HeapTrend.fit(s[0], s[1], 1.0);
        assertTrue(fit.ciHigh() > 1.0, fit.toString());
        assertEquals(HeapTrend.Verdict.LEAK, fit.verdict());
    }

    @Test
    void shouldBeInconclusiveWhenFewerThanThreeSamples() {
        assertEquals(HeapTrend.Verdict.INCONCLUSIVE, HeapTrend.fit(new double[] {0, 1}, new double[] {1, 2}, 1).verdict());
    }

    @Test
    void shouldRejectBadInputWhenArraysDifferOrThresholdIsNotPositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HeapTrend.fit(new double[3], new double[2], 1));
        assertTrue(e.getMessage().contains("3") && e.getMessage().contains("2"));
        assertThrows(IllegalArgumentException.class, () -> HeapTrend.fit(new double[3], new double[3], 0));
    }
}

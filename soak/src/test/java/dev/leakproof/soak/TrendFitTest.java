package dev.leakproof.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TrendFitTest {

    private static final long MIB = 1L << 20;

    @Test
    void shouldFindTheExactSlopeWhenThePointsLieOnALine() {
        TrendFit fit = new TrendFit();
        for (int i = 0; i <= 60; i++) {
            fit.add(i * 60_000L, 100 * MIB + i * MIB / 10); // +0.1 MiB per minute = 6 MiB/h
        }
        assertEquals(6.0, fit.slopeMiBPerHour(), 1e-6);
        assertEquals(0.0, fit.slopeHalfWidth95(), 1e-6);
    }

    @Test
    void shouldWidenTheIntervalWhenThePointsAreNoisy() {
        TrendFit fit = new TrendFit();
        for (int i = 0; i < 20; i++) {
            fit.add(i * 10_000L, 50 * MIB + (i % 2 == 0 ? MIB : -MIB));
        }
        assertTrue(Math.abs(fit.slopeMiBPerHour()) < fit.slopeHalfWidth95(),
                "the interval holds 0: " + fit.slopeMiBPerHour() + " ± " + fit.slopeHalfWidth95());
        assertTrue(fit.slopeHalfWidth95() > 1.0, "half width " + fit.slopeHalfWidth95());
        assertEquals(1.0, fit.residualStdDevMiB(), 0.1);
    }

    @Test
    void shouldReportNaNWhenTooFewPoints() {
        TrendFit fit = new TrendFit();
        fit.add(0, MIB);
        assertTrue(Double.isNaN(fit.slopeMiBPerHour()));
        fit.add(1000, 2 * MIB);
        assertTrue(Double.isNaN(fit.slopeHalfWidth95()));
    }

    @Test
    void shouldUseStudentQuantilesWhenFewDegreesOfFreedom() {
        assertEquals(12.706, TrendFit.t975(1), 1e-9);
        assertEquals(2.042, TrendFit.t975(30), 1e-9);
        assertEquals(1.98, TrendFit.t975(120), 0.01);
    }
}

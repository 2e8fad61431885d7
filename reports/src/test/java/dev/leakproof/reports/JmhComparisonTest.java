package dev.leakproof.reports;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JmhComparisonTest {

    private static JmhResults.Row row(String mode, String unit, double... raw) {
        double mean = java.util.Arrays.stream(raw).average().orElseThrow();
        return new JmhResults.Row("dev.leakproof.queue.X.run", Map.of("impl", "A"), mean, 0.1, unit, Map.of(), mode, raw, Map.of());
    }

    private static JmhComparison.Flag flag(JmhResults.Row oldRow, JmhResults.Row newRow) {
        return JmhComparison.compare(List.of(oldRow), List.of(newRow), 5, 0.05).changes().get(0).flag();
    }

    @Test
    void shouldFlagRegressionWhenThroughputDropsSignificantly() {
        assertEquals(JmhComparison.Flag.REGRESSION, flag(row("thrpt", "ops/us", 10, 10.2, 9.9, 10.1, 10, 10.3, 9.8, 10.1),
                row("thrpt", "ops/us", 8, 8.1, 7.9, 8.2, 8, 7.8, 8.1, 8)));
    }

    @Test
    void shouldFlagImprovementNotRegressionWhenTimePerOpDrops() {
        assertEquals(JmhComparison.Flag.IMPROVEMENT, flag(row("avgt", "ns/op", 50, 51, 49, 50, 52, 50, 49, 51),
                row("avgt", "ns/op", 40, 41, 39, 40, 42, 40, 39, 41)));
        assertEquals(JmhComparison.Flag.REGRESSION, flag(row("avgt", "ns/op", 40, 41, 39, 40, 42, 40, 39, 41),
                row("avgt", "ns/op", 50, 51, 49, 50, 52, 50, 49, 51)));
    }

    @Test
    void shouldNotFlagWhenChangeIsBelowThresholdOrNotSignificant() {
        // 2 % slower, significant: below the 5 % threshold.
        assertEquals(JmhComparison.Flag.UNCHANGED, flag(row("thrpt", "ops/us", 10, 10, 10.01, 9.99, 10, 10.01, 9.99, 10),
                row("thrpt", "ops/us", 9.8, 9.8, 9.81, 9.79, 9.8, 9.81, 9.79, 9.8)));
        // 30 % slower on average, but the iterations overlap completely (one outlier): not significant.
        assertEquals(JmhComparison.Flag.UNCHANGED, flag(row("thrpt", "ops/us", 10, 1, 10, 1, 10, 1),
                row("thrpt", "ops/us", 10, 1, 1, 10, 1, 1)));
        // A single iteration a side cannot be tested.
        JmhComparison.Change one = JmhComparison.compare(List.of(row("thrpt", "ops/us", 10)), List.of(row("thrpt", "ops/us", 5)), 5, 0.05)
                .changes().get(0);
        assertTrue(Double.isNaN(one.pValue()));
        assertEquals(JmhComparison.Flag.UNCHANGED, one.flag());
    }

    @Test
    void shouldListBenchmarksPresentInOneRunOnly() {
        JmhResults.Row a = row("thrpt", "ops/us", 1, 2);
        JmhResults.Row b = new JmhResults.Row("dev.leakproof.queue.Y.run", Map.of(), 1, 0, "ops/us", Map.of(), "thrpt", new double[] {1, 2}, Map.of());
        JmhComparison.Result r = JmhComparison.compare(List.of(a), List.of(b), 5, 0.05);
        assertTrue(r.changes().isEmpty());
        assertEquals(List.of(a.key()), r.onlyOld());
        assertEquals(List.of(b.key()), r.onlyNew());
    }

    @Test
    void shouldRejectAlphaOutsideZeroOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JmhComparison.compare(List.of(), List.of(), 5, 1.5));
        assertTrue(e.getMessage().contains("1.5"));
    }
}

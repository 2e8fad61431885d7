package dev.leakproof.reports;

import org.apache.commons.math3.stat.inference.MannWhitneyUTest;
import org.apache.commons.math3.util.CombinatoricsUtils;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RankTestTest {

    @Test
    void shouldGiveExactPWhenThreeAgainstThreeAreCompletelySeparated() {
        // 20 orderings, one as extreme each way: 2/20. The normal approximation says 0.0495.
        assertEquals(0.1, RankTest.twoSidedP(new double[] {1, 2, 3}, new double[] {4, 5, 6}), 1e-12);
        assertEquals(0.1, RankTest.twoSidedP(new double[] {4, 5, 6}, new double[] {1, 2, 3}), 1e-12);
        assertTrue(new MannWhitneyUTest().mannWhitneyUTest(new double[] {1, 2, 3}, new double[] {4, 5, 6}) < 0.05,
                "the approximation this replaces would call it significant");
    }

    @Test
    void shouldGiveExactPWhenFiveAgainstFiveAreCompletelySeparated() {
        assertEquals(2.0 / 252, RankTest.twoSidedP(new double[] {1, 2, 3, 4, 5}, new double[] {6, 7, 8, 9, 10}), 1e-12);
    }

    @Test
    void shouldGiveOneWhenSamplesInterleaveEvenly() {
        assertEquals(1.0, RankTest.twoSidedP(new double[] {1, 4, 5, 8}, new double[] {2, 3, 6, 7}), 1e-12);
    }

    @Test
    void shouldCountEveryOrderingWhenBuildingTheDistribution() {
        for (int m = 1; m <= 8; m++) {
            for (int n = 1; n <= 8; n++) {
                double[] f = RankTest.distribution(m, n);
                assertEquals(m * n + 1, f.length);
                assertEquals(CombinatoricsUtils.binomialCoefficientDouble(m + n, m), Arrays.stream(f).sum(), 1e-6);
                for (int k = 0; k < f.length; k++) {
                    assertEquals(f[k], f[f.length - 1 - k], 1e-9, "U is symmetric about mn/2");
                }
            }
        }
        // m = 2, n = 2: U = 0, 1, 2, 2, 3, 4 over the 6 orderings.
        assertEquals(Arrays.toString(new double[] {1, 1, 2, 1, 1}), Arrays.toString(RankTest.distribution(2, 2)));
    }

    @Test
    void shouldAgreeWithApproximationWhenSamplesAreLarge() {
        Random random = new Random(7);
        double[] x = random.doubles(40, 0, 1).toArray();
        double[] y = random.doubles(40, 0.1, 1.1).toArray();
        assertEquals(new MannWhitneyUTest().mannWhitneyUTest(x, y), RankTest.twoSidedP(x, y), 0.0,
                "above EXACT_MAX values the approximation is used as it is");
        double[] small = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        double[] shifted = Arrays.stream(small).map(v -> v + 4.5).toArray();
        assertEquals(new MannWhitneyUTest().mannWhitneyUTest(small, shifted), RankTest.twoSidedP(small, shifted), 0.01,
                "12 against 12: exact and approximate p agree closely");
    }

    @Test
    void shouldUseApproximationWhenValuesTie() {
        double[] x = {1, 2, 2, 3};
        double[] y = {2, 4, 5, 6};
        assertEquals(new MannWhitneyUTest().mannWhitneyUTest(x, y), RankTest.twoSidedP(x, y), 0.0);
    }

    @Test
    void shouldRejectEmptySampleNamingBothSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RankTest.twoSidedP(new double[0], new double[] {1}));
        assertTrue(e.getMessage().contains("0 and 1"), e.getMessage());
    }
}

package dev.leakproof.reports;

import org.apache.commons.math3.stat.inference.MannWhitneyUTest;

import java.util.Arrays;

/**
 * Two-sided Mann-Whitney U test of two samples of benchmark iterations, exact where it matters.
 *
 * <p>Commons Math's {@link MannWhitneyUTest} uses the normal approximation, which is too small for
 * the sample sizes a JMH run gives (3 to 10 iterations a side): with 3 against 3 it reports 0.0495
 * for a complete separation, while no arrangement of 6 values can be that unlikely (the exact
 * two-sided p is 2/20 = 0.1), so a quick run's every shift would look significant. Without ties,
 * and with at most {@value #EXACT_MAX} values in all, this computes the exact p-value from the
 * distribution of U under the null hypothesis; with ties or larger samples it uses the
 * approximation, which is good there.
 */
final class RankTest {

    /** Largest {@code n1 + n2} for the exact distribution (its table has (n1 n2 + 1) entries). */
    static final int EXACT_MAX = 60;

    private RankTest() {
    }

    /** The two-sided p-value; both samples need at least one value. */
    static double twoSidedP(double[] x, double[] y) {
        if (x.length == 0 || y.length == 0) {
            throw new IllegalArgumentException("both samples need values: " + x.length + " and " + y.length);
        }
        if (x.length + y.length > EXACT_MAX || hasTies(x, y)) {
            return new MannWhitneyUTest().mannWhitneyUTest(x, y);
        }
        int u = 0; // pairs with x above y
        for (double a : x) {
            for (double b : y) {
                if (a > b) {
                    u++;
                }
            }
        }
        double[] counts = distribution(x.length, y.length);
        double total = 0;
        double atMost = 0;
        double atLeast = 0;
        for (int k = 0; k < counts.length; k++) {
            total += counts[k];
            if (k <= u) {
                atMost += counts[k];
            }
            if (k >= u) {
                atLeast += counts[k];
            }
        }
        return Math.min(1.0, 2.0 * Math.min(atMost, atLeast) / total);
    }

    /**
     * Number of orderings of {@code m} and {@code n} distinct values giving each U from 0 to
     * {@code m n}: f(m, n, u) = f(m - 1, n, u - n) + f(m, n - 1, u) (the largest value is an x,
     * which is above all n y's, or a y, which adds nothing).
     */
    static double[] distribution(int m, int n) {
        // row[j] = f(i, j, .) for the current i; built up from i = 0.
        double[][] row = new double[n + 1][];
        for (int j = 0; j <= n; j++) {
            row[j] = new double[] {1}; // f(0, j, 0) = 1
        }
        for (int i = 1; i <= m; i++) {
            double[][] next = new double[n + 1][];
            next[0] = new double[] {1}; // f(i, 0, 0) = 1
            for (int j = 1; j <= n; j++) {
                double[] f = new double[i * j + 1];
                double[] fromX = row[j];       // f(i - 1, j, .), shifted by j
                double[] fromY = next[j - 1];  // f(i, j - 1, .)
                for (int k = 0; k < fromX.length; k++) {
                    f[k + j] += fromX[k];
                }
                for (int k = 0; k < fromY.length; k++) {
                    f[k] += fromY[k];
                }
                next[j] = f;
            }
            row = next;
        }
        return row[n];
    }

    private static boolean hasTies(double[] x, double[] y) {
        double[] all = new double[x.length + y.length];
        System.arraycopy(x, 0, all, 0, x.length);
        System.arraycopy(y, 0, all, x.length, y.length);
        Arrays.sort(all);
        for (int i = 1; i < all.length; i++) {
            if (all[i] == all[i - 1]) {
                return true;
            }
        }
        return false;
    }
}

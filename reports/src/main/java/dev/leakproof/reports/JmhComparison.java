package dev.leakproof.reports;


import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares two JMH runs (two commits, two JDKs) benchmark by benchmark: for every benchmark and
 * parameter set present in both, the change of the primary score, a significance test on the
 * per-iteration scores, and the change of B/op.
 *
 * <p>The test is the two-sided Mann-Whitney U test ({@link RankTest}: exact for small samples
 * without ties, else Commons Math's normal approximation), not
 * Welch's t-test: on a small shared machine an iteration collapses when one of a benchmark's
 * threads loses its core, so iteration scores are bimodal with far outliers, which a rank test
 * tolerates and a test of means does not. The price is power on tiny samples: with 3 iterations a
 * side (a quick run) no difference reaches p &lt; 0.05, so quick runs never flag a regression; the
 * default 2 forks × 5 iterations do.
 *
 * <p>A change is a REGRESSION when the score is worse by more than the threshold (lower for
 * throughput, higher for time per operation) and the test is significant at {@code alpha}.
 */
public final class JmhComparison {

    private JmhComparison() {
    }

    /** Outcome of one benchmark. */
    public enum Flag {
        /** Worse beyond the threshold, and significant. */
        REGRESSION,
        /** Better beyond the threshold, and significant. */
        IMPROVEMENT,
        /** Neither. */
        UNCHANGED
    }

    /**
     * One benchmark present in both runs.
     *
     * @param key            benchmark and parameters
     * @param oldRow         the row of the old run
     * @param newRow         the row of the new run
     * @param changePercent  (new − old) / old of the primary score, in percent
     * @param pValue         two-sided Mann-Whitney U p-value of the iteration scores, exact for small
     *                       samples without ties ({@link RankTest}); NaN with fewer than 2 a side
     * @param oldBytesPerOp  B/op of the old run (NaN without {@code -prof gc})
     * @param newBytesPerOp  B/op of the new run (NaN without {@code -prof gc})
     * @param flag           the judgement
     */
    public record Change(String key, JmhResults.Row oldRow, JmhResults.Row newRow, double changePercent, double pValue,
                         double oldBytesPerOp, double newBytesPerOp, Flag flag) {
    }

    /**
     * The result of a comparison.
     *
     * @param changes  benchmarks in both runs, in the new run's order
     * @param onlyOld  keys only in the old run
     * @param onlyNew  keys only in the new run
     */
    public record Result(List<Change> changes, List<String> onlyOld, List<String> onlyNew) {

        /** The changes flagged REGRESSION. */
        public List<Change> regressions() {
            return changes.stream().filter(c -> c.flag() == Flag.REGRESSION).toList();
        }
    }

    /**
     * Compares {@code newRows} with {@code oldRows}.
     *
     * @param thresholdPercent smallest change, in percent, that can be flagged (&gt;= 0)
     * @param alpha            significance level, in (0, 1)
     * @throws IllegalArgumentException naming the value when the threshold or alpha is out of range
     */
    public static Result compare(List<JmhResults.Row> oldRows, List<JmhResults.Row> newRows, double thresholdPercent,
                                 double alpha) {
        if (!(thresholdPercent >= 0)) {
            throw new IllegalArgumentException("regression threshold must be >= 0 % but was " + thresholdPercent);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1) but was " + alpha);
        }
        Map<String, JmhResults.Row> old = new LinkedHashMap<>();
        for (JmhResults.Row r : oldRows) {
            old.put(r.key(), r);
        }
        List<Change> changes = new ArrayList<>();
        List<String> onlyNew = new ArrayList<>();
        Map<String, JmhResults.Row> unmatched = new LinkedHashMap<>(old);
        for (JmhResults.Row n : newRows) {
            JmhResults.Row o = old.get(n.key());
            if (o == null) {
                onlyNew.add(n.key());
                continue;
            }
            unmatched.remove(n.key());
            double change = (n.score() - o.score()) / o.score() * 100.0;
            double p = o.rawData().length >= 2 && n.rawData().length >= 2
                    ? RankTest.twoSidedP(o.rawData(), n.rawData()) : Double.NaN;
            boolean significant = p < alpha;
            double better = n.higherIsBetter() ? change : -change;
            Flag flag = !significant || Math.abs(change) <= thresholdPercent ? Flag.UNCHANGED
                    : better < 0 ? Flag.REGRESSION : Flag.IMPROVEMENT;
            changes.add(new Change(n.key(), o, n, change, p, o.bytesPerOp().orElse(Double.NaN),
                    n.bytesPerOp().orElse(Double.NaN), flag));
        }
        return new Result(List.copyOf(changes), List.copyOf(unmatched.keySet()), List.copyOf(onlyNew));
    }
}

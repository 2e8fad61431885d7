package dev.leakproof.reports;

import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.regression.SimpleRegression;

/**
 * Fits post-GC heap over time with an ordinary least-squares line and judges it: LEAK when the
 * upper bound of the slope's 95 % confidence interval exceeds the threshold, PASS otherwise. The
 * upper bound, not the slope itself, so that a short or noisy run cannot pass by luck: it must
 * show with confidence that heap grows slower than the threshold.
 */
public final class HeapTrend {

    private static final double BYTES_PER_MIB = 1024.0 * 1024.0;
    private static final double SECONDS_PER_HOUR = 3600.0;

    private HeapTrend() {
    }

    /** Verdict of a fit. */
    public enum Verdict { PASS, LEAK, INCONCLUSIVE }

    /**
     * @param samples        points used in the fit
     * @param slopeMibPerHour fitted slope
     * @param ciLow          lower bound of the slope's 95 % confidence interval, MiB/h
     * @param ciHigh         upper bound of the slope's 95 % confidence interval, MiB/h
     * @param pValue         significance of the slope being non-zero
     * @param rSquared       goodness of fit
     * @param thresholdMibPerHour the threshold judged against
     * @param verdict        LEAK when {@code ciHigh > threshold}; INCONCLUSIVE with fewer than 3 points
     * @param interceptMib   the fitted heap at time 0, MiB (for drawing the line)
     */
    public record Fit(int samples, double slopeMibPerHour, double ciLow, double ciHigh, double pValue,
                      double rSquared, double thresholdMibPerHour, Verdict verdict, double interceptMib) {

        /**
         * Half the width of the slope's confidence interval, MiB/h: the smallest growth rate this
         * run can tell from zero. A resolution coarser than the threshold means that even a flat
         * heap is judged LEAK, because the run is too short or too noisy to show otherwise.
         */
        public double resolution() {
            return (ciHigh - ciLow) / 2;
        }
    }

    /**
     * Fits {@code heapBytes} against {@code seconds}.
     *
     * @throws IllegalArgumentException when the arrays differ in length or the threshold is not positive
     */
    public static Fit fit(double[] seconds, double[] heapBytes, double thresholdMibPerHour) {
        if (seconds.length != heapBytes.length) {
            throw new IllegalArgumentException("seconds has " + seconds.length + " points but heapBytes has " + heapBytes.length);
        }
        if (!(thresholdMibPerHour > 0)) {
            throw new IllegalArgumentException("threshold must be > 0 MiB/h but was " + thresholdMibPerHour);
        }
        SimpleRegression regression = new SimpleRegression();
        for (int i = 0; i < seconds.length; i++) {
            regression.addData(seconds[i] / SECONDS_PER_HOUR, heapBytes[i] / BYTES_PER_MIB);
        }
        int n = (int) regression.getN();
        if (n < 3) {
            return new Fit(n, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, thresholdMibPerHour, Verdict.INCONCLUSIVE,
                    Double.NaN);
        }
        double slope = regression.getSlope();
        double stdErr = regression.getSlopeStdErr();
        double halfWidth = Double.isNaN(stdErr) ? 0.0 : new TDistribution(n - 2).inverseCumulativeProbability(0.975) * stdErr;
        double high = slope + halfWidth;
        Verdict verdict = high > thresholdMibPerHour ? Verdict.LEAK : Verdict.PASS;
        return new Fit(n, slope, slope - halfWidth, high, regression.getSignificance(), regression.getRSquare(),
                thresholdMibPerHour, verdict, regression.getIntercept());
    }
}

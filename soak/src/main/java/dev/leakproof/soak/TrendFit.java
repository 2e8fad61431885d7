package dev.leakproof.soak;

/**
 * Least-squares line through (time, heap) points, updated one point at a time in O(1) memory
 * (Welford's co-moment updates, so hours of samples lose no precision). The progress line shows its
 * slope with a 95 % confidence interval; the report tool does its own fit on the settled samples.
 * Not thread-safe.
 */
final class TrendFit {

    private static final double MS_PER_HOUR = 3_600_000.0;
    private static final double MIB = 1024.0 * 1024.0;
    /** Two-sided 97.5 % Student t quantiles for 1 to 30 degrees of freedom. */
    private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262,
        2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069,
        2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};

    private long n;
    private double meanX;
    private double meanY;
    private double sxx;
    private double syy;
    private double sxy;

    /** Adds a point: {@code tMs} since the start, {@code bytes} of heap. */
    void add(long tMs, long bytes) {
        double x = tMs / MS_PER_HOUR;
        double y = bytes / MIB;
        n++;
        double dx = x - meanX;
        meanX += dx / n;
        double dy = y - meanY;
        meanY += dy / n;
        sxx += dx * (x - meanX);
        syy += dy * (y - meanY);
        sxy += dx * (y - meanY);
    }

    long count() {
        return n;
    }

    /** The slope in MiB per hour, NaN with fewer than two points at distinct times. */
    double slopeMiBPerHour() {
        return n < 2 || sxx == 0 ? Double.NaN : sxy / sxx;
    }

    /** The standard deviation of the residuals in MiB, NaN with fewer than three points. */
    double residualStdDevMiB() {
        if (n < 3 || sxx == 0) {
            return Double.NaN;
        }
        return Math.sqrt(Math.max(0, syy - sxy * sxy / sxx) / (n - 2));
    }

    /** Half the width of the slope's 95 % confidence interval in MiB per hour, NaN with fewer than three points. */
    double slopeHalfWidth95() {
        double sd = residualStdDevMiB();
        return Double.isNaN(sd) ? Double.NaN : t975(n - 2) * sd / Math.sqrt(sxx);
    }

    /** The 97.5 % quantile of Student's t with {@code df} degrees of freedom (a close approximation above 30). */
    static double t975(long df) {
        if (df < 1) {
            throw new IllegalArgumentException("degrees of freedom must be at least 1, not " + df);
        }
        return df <= T975.length ? T975[(int) df - 1] : 1.959964 + 2.4 / df;
    }
}

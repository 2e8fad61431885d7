package dev.leakproof.monitor;

/**
 * One reading of a watched resource.
 *
 * @param utilisation how full it is, from 0.0 (empty) to 1.0 (at its limit)
 * @param dropsTotal  a monotonic count of what it has dropped so far (0 when it never drops)
 */
public record Reading(double utilisation, long dropsTotal) {
    public Reading {
        if (Double.isNaN(utilisation) || utilisation < 0.0) {
            throw new IllegalArgumentException("utilisation must be >= 0 but was " + utilisation);
        }
        if (dropsTotal < 0) {
            throw new IllegalArgumentException("dropsTotal must be >= 0 but was " + dropsTotal);
        }
    }
}

package dev.leakproof.reports;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the quantities the command line accepts: rates, durations, fractions and sizes. */
final class Quantities {

    private static final Pattern RATE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*(?:MiB/h)?");
    private static final Pattern DURATION = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*(ms|s|m|min|h|d)?");
    private static final Pattern PERCENT = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*%");
    private static final Pattern MIB = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*MiB");

    private Quantities() {
    }

    /**
     * A heap growth rate in MiB/h: {@code 1}, {@code 1MiB/h}, {@code 0.5 MiB/h}.
     *
     * @throws IllegalArgumentException naming the value, when it is not such a rate or not above 0
     */
    static double mibPerHour(String option, String text) {
        Matcher m = RATE.matcher(text.trim());
        if (!m.matches() || !(Double.parseDouble(m.group(1)) > 0)) {
            throw new IllegalArgumentException(option + " must be a rate above 0 like 1, 1MiB/h or 60MiB/h, not '" + text + "'");
        }
        return Double.parseDouble(m.group(1));
    }

    /**
     * A duration in milliseconds: {@code 500ms}, {@code 90s}, {@code 30m}, {@code 1h}, {@code 1d}
     * (a bare number is seconds).
     *
     * @throws IllegalArgumentException naming the value when it is not such a duration
     */
    static long durationMs(String option, String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " must be a duration like 90s, 30m or 1h, or a percentage like 10%, not '" + text + "'");
        }
        double v = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double ms = switch (unit) {
            case "ms" -> v;
            case "s" -> v * 1_000;
            case "m", "min" -> v * 60_000;
            case "h" -> v * 3_600_000;
            default -> v * 86_400_000;
        };
        return Math.round(ms);
    }

    /** A percentage {@code 10%} as a fraction 0.10, or NaN when {@code text} is not a percentage. */
    static double percent(String option, String text) {
        Matcher m = PERCENT.matcher(text.trim());
        if (!m.matches()) {
            return Double.NaN;
        }
        double v = Double.parseDouble(m.group(1)) / 100.0;
        if (v > 1) {
            throw new IllegalArgumentException(option + " must be a percentage between 0% and 100%, not '" + text + "'");
        }
        return v;
    }

    /** A size {@code 8MiB} in MiB, or NaN when {@code text} is not such a size. */
    static double mib(String text) {
        Matcher m = MIB.matcher(text.trim());
        return m.matches() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /**
     * A fraction: {@code 0.9} or {@code 90%}.
     *
     * @throws IllegalArgumentException naming the value when it is not between 0 and 1
     */
    static double fraction(String option, String text) {
        double p = percent(option, text);
        if (!Double.isNaN(p)) {
            return p;
        }
        try {
            double v = Double.parseDouble(text.trim());
            if (v >= 0 && v <= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException(option + " must be a fraction between 0 and 1 (or 0% to 100%), not '" + text + "'");
    }
}

package dev.leakproof.soak;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the soak's command-line values: durations ({@code 90s}, {@code 3m}, {@code 24h}), leak
 * rates ({@code 2MiB/min}, {@code 512KiB/min}, {@code 0}) and heap sizes ({@code 256m}, {@code 1g}).
 * Every parser throws {@link IllegalArgumentException} naming the value and the accepted forms.
 */
final class Units {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)(B|KiB|MiB|GiB)/(s|min|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)([kmg]|kib|mib|gib)?");
    /** The largest accepted leak rate: 1 GiB/min (a higher one would only crash the soak). */
    static final long MAX_RATE_BYTES_PER_MINUTE = 1L << 30;
    /** The longest accepted soak: 30 days. */
    static final Duration MAX_DURATION = Duration.ofDays(30);

    private Units() {
    }

    /**
     * A duration written as a whole number and a unit: {@code ms}, {@code s}, {@code m}, {@code h}, {@code d}.
     *
     * @throws IllegalArgumentException for any other form, zero, or more than 30 days
     */
    static Duration parseDuration(String option, String text) {
        Matcher m = DURATION.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " '" + text
                    + "' is not a duration like 90s, 3m or 24h (units ms, s, m, h, d)");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " '" + text + "' is too large (at most 30d)");
        }
        Duration d;
        try {
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(option + " '" + text + "' is too large (at most 30d)");
        }
        if (d.isZero() || d.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(option + " '" + text + "' is out of range: more than 0 and at most 30d");
        }
        return d;
    }

    /**
     * A leak rate in bytes per minute: {@code 0}, or a number, a unit ({@code B}, {@code KiB},
     * {@code MiB}, {@code GiB}) and a period ({@code /s}, {@code /min}, {@code /h}).
     *
     * @throws IllegalArgumentException for any other form, or more than 1 GiB/min
     */
    static long parseRate(String option, String text) {
        String t = text == null ? "" : text.trim();
        if (t.equals("0")) {
            return 0;
        }
        Matcher m = RATE.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " '" + text
                    + "' is not a rate like 2MiB/min, 512KiB/min or 0 (units B, KiB, MiB, GiB per s, min or h)");
        }
        double bytes = Double.parseDouble(m.group(1)) * switch (m.group(2)) {
            case "B" -> 1.0;
            case "KiB" -> 1024.0;
            case "MiB" -> 1024.0 * 1024;
            default -> 1024.0 * 1024 * 1024;
        };
        double perMinute = bytes * switch (m.group(3)) {
            case "s" -> 60.0;
            case "min" -> 1.0;
            default -> 1.0 / 60;
        };
        if (perMinute > MAX_RATE_BYTES_PER_MINUTE) {
            throw new IllegalArgumentException(option + " '" + text + "' is more than the limit of 1GiB/min");
        }
        return Math.round(perMinute);
    }

    /**
     * A memory size as the JVM's {@code -Xmx} takes it: bytes, or a number with {@code k}, {@code m},
     * {@code g} (also {@code KiB}, {@code MiB}, {@code GiB}), case-insensitive.
     *
     * @throws IllegalArgumentException for any other form, less than 16 MiB or more than 1 TiB
     */
    static long parseSize(String option, String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " '" + text + "' is not a size like 256m, 1g or 268435456");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " '" + text + "' is too large (at most 1 TiB)");
        }
        String unit = m.group(2) == null ? "" : m.group(2);
        int shift = switch (unit) {
            case "k", "kib" -> 10;
            case "m", "mib" -> 20;
            case "g", "gib" -> 30;
            default -> 0;
        };
        if (n > (1L << (40 - shift))) {
            throw new IllegalArgumentException(option + " '" + text + "' is too large (at most 1 TiB)");
        }
        long bytes = n << shift;
        if (bytes < (16L << 20)) {
            throw new IllegalArgumentException(option + " '" + text + "' is too small (at least 16m)");
        }
        return bytes;
    }

    /** {@code bytes} as a short human-readable size: {@code 512 B}, {@code 12.3 MiB}. */
    static String bytes(double bytes) {
        double a = Math.abs(bytes);
        if (a < 1024) {
            return String.format(Locale.ROOT, "%.0f B", bytes);
        }
        if (a < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024);
        }
        if (a < 1024.0 * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    /** {@code millis} as {@code hh:mm:ss}. */
    static String clock(long millis) {
        long s = Math.max(0, millis) / 1000;
        return String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}

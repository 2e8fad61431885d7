package dev.leakproof.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * Reads leakproof configuration values from environment variables ({@code LEAKPROOF_*}) or
 * system properties ({@code leakproof.*}) and turns every bad value into an
 * {@link IllegalArgumentException} that names the key, the value and what is allowed.
 *
 * <p>Not API: builders of the public components use it for their {@code fromEnvironment()} and
 * {@code fromProperties()} methods.
 */
public final class Settings {

    private final Function<String, String> lookup;
    private final String origin;

    private Settings(Function<String, String> lookup, String origin) {
        this.lookup = lookup;
        this.origin = origin;
    }

    /** Values from a map of environment variables, e.g. {@link System#getenv()}. */
    public static Settings ofEnvironment(Map<String, String> environment) {
        Objects.requireNonNull(environment, "environment");
        return new Settings(environment::get, "environment variable");
    }

    /** Values from properties, e.g. {@link System#getProperties()}. */
    public static Settings ofProperties(Properties properties) {
        Objects.requireNonNull(properties, "properties");
        return new Settings(properties::getProperty, "property");
    }

    /** The raw, trimmed value of {@code key}, or empty when it is absent or blank. */
    public Optional<String> raw(String key) {
        String value = lookup.apply(key);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(value.trim());
    }

    /** An integer in {@code [min, max]}. */
    public Optional<Integer> intIn(String key, int min, int max) {
        return raw(key).map(v -> {
            long parsed;
            try {
                parsed = Long.parseLong(v.replace("_", ""));
            } catch (NumberFormatException e) {
                throw bad(key, v, "an integer from " + min + " to " + max);
            }
            if (parsed < min || parsed > max) {
                throw bad(key, v, "an integer from " + min + " to " + max);
            }
            return (int) parsed;
        });
    }

    /** A long in {@code [min, max]}. */
    public Optional<Long> longIn(String key, long min, long max) {
        return raw(key).map(v -> {
            long parsed;
            try {
                parsed = Long.parseLong(v.replace("_", ""));
            } catch (NumberFormatException e) {
                throw bad(key, v, "an integer from " + min + " to " + max);
            }
            if (parsed < min || parsed > max) {
                throw bad(key, v, "an integer from " + min + " to " + max);
            }
            return parsed;
        });
    }

    /**
     * A fraction in {@code [min, max]}, written either as a fraction ({@code 0.8}) or as a
     * percentage ({@code 80%}).
     */
    public Optional<Double> fractionIn(String key, double min, double max) {
        return raw(key).map(v -> {
            String allowed = "a fraction from " + min + " to " + max + " (e.g. 0.8) or a percentage (e.g. 80%)";
            double parsed;
            try {
                parsed = v.endsWith("%")
                        ? Double.parseDouble(v.substring(0, v.length() - 1).trim()) / 100.0
                        : Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw bad(key, v, allowed);
            }
            if (!(parsed >= min && parsed <= max)) {
                throw bad(key, v, allowed);
            }
            return parsed;
        });
    }

    /** A duration in {@code [min, max]}; see {@link #parseDuration(String)} for the syntax. */
    public Optional<Duration> durationIn(String key, Duration min, Duration max) {
        return raw(key).map(v -> {
            String allowed = "a duration from " + format(min) + " to " + format(max)
                    + " such as 250ms, 10s, 5m, 1h or PT10S";
            Duration parsed;
            try {
                parsed = parseDuration(v);
            } catch (IllegalArgumentException e) {
                throw bad(key, v, allowed);
            }
            if (parsed.compareTo(min) < 0 || parsed.compareTo(max) > 0) {
                throw bad(key, v, allowed);
            }
            return parsed;
        });
    }

    /** One of the constants of {@code type}, case-insensitive, with {@code -} read as {@code _}. */
    public <E extends Enum<E>> Optional<E> enumOf(String key, Class<E> type) {
        return raw(key).map(v -> {
            String name = v.toUpperCase(Locale.ROOT).replace('-', '_');
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equals(name)) {
                    return constant;
                }
            }
            StringBuilder allowed = new StringBuilder("one of ");
            E[] constants = type.getEnumConstants();
            for (int i = 0; i < constants.length; i++) {
                allowed.append(i == 0 ? "" : ", ").append(constants[i].name());
            }
            throw bad(key, v, allowed.toString());
        });
    }

    /**
     * Parses {@code 250ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 1d}, {@code 100us},
     * {@code 500ns}, an ISO-8601 duration ({@code PT10S}), or a bare number of milliseconds.
     *
     * @throws IllegalArgumentException when the text is none of these
     */
    public static Duration parseDuration(String text) {
        String v = text.trim().toLowerCase(Locale.ROOT);
        if (v.startsWith("pt") || v.startsWith("p")) {
            return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
        }
        int split = 0;
        while (split < v.length() && (Character.isDigit(v.charAt(split)) || v.charAt(split) == '_')) {
            split++;
        }
        if (split == 0) {
            throw new IllegalArgumentException("not a duration: '" + text + "'");
        }
        long amount;
        try {
            amount = Long.parseLong(v.substring(0, split).replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "'", e);
        }
        String unit = v.substring(split).trim();
        switch (unit) {
            case "":
            case "ms":
                return Duration.ofMillis(amount);
            case "ns":
                return Duration.ofNanos(amount);
            case "us":
                return Duration.ofNanos(Math.multiplyExact(amount, 1000L));
            case "s":
                return Duration.ofSeconds(amount);
            case "m":
            case "min":
                return Duration.ofMinutes(amount);
            case "h":
                return Duration.ofHours(amount);
            case "d":
                return Duration.ofDays(amount);
            default:
                throw new IllegalArgumentException("not a duration: '" + text + "'");
        }
    }

    private static String format(Duration d) {
        if (d.toNanos() % 1_000_000 == 0 && d.toMillis() < 1000) {
            return d.toMillis() + "ms";
        }
        return d.toString();
    }

    private IllegalArgumentException bad(String key, String value, String allowed) {
        return new IllegalArgumentException(origin + " " + key + "='" + value + "' is invalid: expected " + allowed);
    }
}

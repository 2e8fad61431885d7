package dev.leakproof.junit;

import dev.leakproof.internal.Settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The run-wide settings of the {@link LeakDetector}, read once per test run. Each setting comes from
 * a JUnit configuration parameter (a {@code -D} system property, {@code junit-platform.properties}
 * or the launcher's parameters) or else from an environment variable, else its default. Every bad
 * value is an {@link IllegalArgumentException} that names the key, the value and what is allowed.
 */
final class DetectorConfig {

    /** Threads the JDK, JFR, JUnit and surefire start on their own: never a test's leak. */
    static final List<String> BUILT_IN_THREAD_ALLOW = List.of(
            "ForkJoinPool.commonPool-worker-*",
            "junit-timeout-thread-*",
            "junit-jupiter-timeout-watcher",
            "JFR *",
            "Attach Listener",
            "Common-Cleaner",
            "process reaper",
            "* CompilerThread*",
            "surefire-forkedjvm-*");

    final boolean enabled;
    final double thresholdMb;
    final int warmups;
    final Set<Check> checks;
    final boolean report;
    final boolean flameGraph;
    final Path reportDir;
    final List<String> threadAllow;
    final Duration threadGrace;
    final List<String> skipTests;

    private DetectorConfig(Source source) {
        this.enabled = source.bool(LeakDetector.PROP_DETECT_LEAKS, LeakDetector.ENV_DETECT_LEAKS).orElse(false);
        this.thresholdMb = source.megabytes(LeakDetector.PROP_THRESHOLD_MB, LeakDetector.ENV_THRESHOLD_MB)
                .orElse(LeakDetector.DEFAULT_THRESHOLD_MB);
        this.warmups = source.integer(LeakDetector.PROP_WARMUPS, LeakDetector.ENV_WARMUPS, 0, LeakDetector.MAX_WARMUPS)
                .orElse(0);
        this.checks = source.checks(LeakDetector.PROP_CHECKS, LeakDetector.ENV_CHECKS).orElse(EnumSet.allOf(Check.class));
        this.report = source.bool(LeakDetector.PROP_REPORT, LeakDetector.ENV_REPORT).orElse(false);
        this.flameGraph = source.bool(LeakDetector.PROP_FLAME_GRAPH, LeakDetector.ENV_FLAME_GRAPH).orElse(false);
        this.reportDir = Path.of(source.raw(LeakDetector.PROP_REPORT_DIR, LeakDetector.ENV_REPORT_DIR)
                .map(Value::text).orElse(LeakDetector.DEFAULT_REPORT_DIR));
        List<String> allow = new ArrayList<>(BUILT_IN_THREAD_ALLOW);
        allow.addAll(source.list(LeakDetector.PROP_THREAD_ALLOW, LeakDetector.ENV_THREAD_ALLOW));
        this.threadAllow = List.copyOf(allow);
        this.threadGrace = source.duration(LeakDetector.PROP_THREAD_GRACE, LeakDetector.ENV_THREAD_GRACE,
                Duration.ZERO, LeakDetector.MAX_THREAD_GRACE).orElse(LeakDetector.DEFAULT_THREAD_GRACE);
        this.skipTests = source.list(LeakDetector.PROP_SKIP, LeakDetector.ENV_SKIP);
    }

    /**
     * Reads the settings.
     *
     * @param parameters  JUnit configuration parameters by key (include system properties)
     * @param environment environment variables by name
     */
    static DetectorConfig read(Function<String, Optional<String>> parameters, Map<String, String> environment) {
        return new DetectorConfig(new Source(parameters, environment));
    }

    /** Whether the test with this unique name ({@code Class#method} or a class name) is exempt by configuration. */
    boolean skippedByConfiguration(String className, String methodName) {
        for (String glob : skipTests) {
            Pattern p = glob(glob);
            if (p.matcher(className).matches() || p.matcher(className + "#" + methodName).matches()) {
                return true;
            }
        }
        return false;
    }

    /** A glob ({@code *} any characters, {@code ?} one character) as a pattern matching whole names. */
    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    /** Parses the switch's values: 1, true, yes (on) and 0, false, no (off), in any case. */
    static Optional<Boolean> parseSwitch(String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "1":
            case "true":
            case "yes":
                return Optional.of(true);
            case "0":
            case "false":
            case "no":
                return Optional.of(false);
            default:
                return Optional.empty();
        }
    }

    /** A value and where it came from, for error messages. */
    private record Value(String text, String origin, String key) {
        IllegalArgumentException bad(String expected) {
            return new IllegalArgumentException(origin + " " + key + "='" + text + "' is invalid: expected " + expected);
        }
    }

    private static final class Source {
        private final Function<String, Optional<String>> parameters;
        private final Settings environment;

        Source(Function<String, Optional<String>> parameters, Map<String, String> environment) {
            this.parameters = parameters;
            this.environment = Settings.ofEnvironment(environment);
        }

        Optional<Value> raw(String key, String envKey) {
            Optional<String> parameter = parameters.apply(key).filter(v -> !v.isBlank()).map(String::trim);
            if (parameter.isPresent()) {
                return Optional.of(new Value(parameter.get(), "configuration parameter (or system property)", key));
            }
            return environment.raw(envKey).map(v -> new Value(v, "environment variable", envKey));
        }

        Optional<Boolean> bool(String key, String envKey) {
            return raw(key, envKey).map(v -> parseSwitch(v.text())
                    .orElseThrow(() -> v.bad("1, true or yes to turn it on, 0, false or no to turn it off")));
        }

        Optional<Double> megabytes(String key, String envKey) {
            return raw(key, envKey).map(v -> {
                String expected = "a number of MB greater than 0 and at most " + LeakDetector.MAX_THRESHOLD_MB + " (e.g. 5.0)";
                double parsed;
                try {
                    parsed = Double.parseDouble(v.text());
                } catch (NumberFormatException e) {
                    throw v.bad(expected);
                }
                if (!(parsed > 0 && parsed <= LeakDetector.MAX_THRESHOLD_MB)) {
                    throw v.bad(expected);
                }
                return parsed;
            });
        }

        Optional<Integer> integer(String key, String envKey, int min, int max) {
            return raw(key, envKey).map(v -> {
                String expected = "an integer from " + min + " to " + max;
                long parsed;
                try {
                    parsed = Long.parseLong(v.text());
                } catch (NumberFormatException e) {
                    throw v.bad(expected);
                }
                if (parsed < min || parsed > max) {
                    throw v.bad(expected);
                }
                return (int) parsed;
            });
        }

        Optional<Duration> duration(String key, String envKey, Duration min, Duration max) {
            return raw(key, envKey).map(v -> {
                String expected = "a duration from " + min.toMillis() + "ms to " + max.toSeconds() + "s such as 500ms or 2s";
                Duration parsed;
                try {
                    parsed = Settings.parseDuration(v.text());
                } catch (IllegalArgumentException | ArithmeticException e) {
                    throw v.bad(expected);
                }
                if (parsed.compareTo(min) < 0 || parsed.compareTo(max) > 0) {
                    throw v.bad(expected);
                }
                return parsed;
            });
        }

        Optional<Set<Check>> checks(String key, String envKey) {
            return raw(key, envKey).map(v -> {
                Set<Check> result = EnumSet.noneOf(Check.class);
                for (String item : v.text().split(",")) {
                    String name = item.trim().toUpperCase(Locale.ROOT);
                    if (name.isEmpty()) {
                        continue;
                    }
                    try {
                        result.add(Check.valueOf(name));
                    } catch (IllegalArgumentException e) {
                        throw v.bad("a comma-separated list of heap, threads, leases");
                    }
                }
                return Collections.unmodifiableSet(result);
            });
        }

        List<String> list(String key, String envKey) {
            return raw(key, envKey).map(v -> {
                List<String> items = new ArrayList<>();
                for (String item : v.text().split(",")) {
                    if (!item.isBlank()) {
                        items.add(item.trim());
                    }
                }
                return List.copyOf(items);
            }).orElse(List.of());
        }
    }
}

package dev.leakproof.junit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading the run-wide settings from configuration parameters and the environment. */
class DetectorConfigTest {

    private static DetectorConfig read(Map<String, String> parameters, Map<String, String> environment) {
        return DetectorConfig.read(key -> Optional.ofNullable(parameters.get(key)), environment);
    }

    private static DetectorConfig env(String name, String value) {
        return read(Map.of(), Map.of(name, value));
    }

    @Test
    void shouldUseSeedDefaultsWhenNothingIsSet() {
        DetectorConfig c = read(Map.of(), Map.of());
        assertFalse(c.enabled);
        assertEquals(5.0, c.thresholdMb);
        assertEquals(0, c.warmups);
        assertEquals(EnumSet.allOf(Check.class), c.checks);
        assertFalse(c.report);
        assertFalse(c.flameGraph);
        assertEquals(Path.of("target/leak-reports"), c.reportDir);
        assertEquals(Duration.ofSeconds(1), c.threadGrace);
        assertEquals(DetectorConfig.BUILT_IN_THREAD_ALLOW, c.threadAllow);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "true", "yes", "TRUE", "Yes", " yes "})
    void shouldSwitchOnWhenEnvironmentSaysOneTrueOrYes(String value) {
        assertTrue(env("DETECT_MEMORY_LEAKS", value).enabled);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "false", "no", "NO", "False"})
    void shouldSwitchOffWhenEnvironmentSaysZeroFalseOrNo(String value) {
        assertFalse(env("DETECT_MEMORY_LEAKS", value).enabled);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2", "on", "y", "enabled", "ja"})
    void shouldRejectSwitchNamingTheValueWhenItIsNotRecognised(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> env("DETECT_MEMORY_LEAKS", value));
        assertEquals("environment variable DETECT_MEMORY_LEAKS='" + value + "' is invalid: expected 1, true or yes"
                + " to turn it on, 0, false or no to turn it off", e.getMessage());
    }

    @Test
    void shouldPreferParameterOverEnvironmentWhenBothAreSet() {
        DetectorConfig c = read(Map.of("leakproof.detectLeaks", "false", "leakproof.leakThresholdMb", "12"),
                Map.of("DETECT_MEMORY_LEAKS", "1", "LEAKPROOF_LEAK_THRESHOLD_MB", "3"));
        assertFalse(c.enabled);
        assertEquals(12.0, c.thresholdMb);
    }

    @Test
    void shouldReadEveryEnvironmentVariableWhenNoParameterIsSet() {
        DetectorConfig c = read(Map.of(), Map.of("LEAKPROOF_LEAK_THRESHOLD_MB", "2.5", "LEAKPROOF_LEAK_REPORT", "yes",
                "LEAKPROOF_FLAME_GRAPH", "1", "LEAKPROOF_LEAK_REPORT_DIR", "out/leaks", "LEAKPROOF_LEAK_WARMUPS", "3",
                "LEAKPROOF_LEAK_CHECKS", "threads, leases", "LEAKPROOF_THREAD_ALLOW", "cache-*,metrics",
                "LEAKPROOF_THREAD_GRACE", "250ms", "LEAKPROOF_SKIP_LEAK_DETECTION", "com.example.*"));
        assertEquals(2.5, c.thresholdMb);
        assertTrue(c.report);
        assertTrue(c.flameGraph);
        assertEquals(Path.of("out/leaks"), c.reportDir);
        assertEquals(3, c.warmups);
        assertEquals(EnumSet.of(Check.THREADS, Check.LEASES), c.checks);
        assertTrue(c.threadAllow.containsAll(java.util.List.of("cache-*", "metrics")));
        assertEquals(Duration.ofMillis(250), c.threadGrace);
        assertTrue(c.skippedByConfiguration("com.example.FooTest", "shouldBar"));
        assertFalse(c.skippedByConfiguration("org.example.FooTest", "shouldBar"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "abc", "NaN", "Infinity", "1000001", "5MB"})
    void shouldRejectThresholdNamingKeyAndValueWhenItIsNotAPositiveNumber(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> read(Map.of("leakproof.leakThresholdMb", value), Map.of()));
        assertTrue(e.getMessage().startsWith("configuration parameter (or system property) leakproof.leakThresholdMb='"
                + value + "' is invalid: expected a number of MB greater than 0 and at most 1000000"), e.getMessage());
    }

    @Test
    void shouldRejectOtherBadValuesNamingKeyAndValueWhenTheyAreOutOfRange() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> env("LEAKPROOF_LEAK_WARMUPS", "101"))
                .getMessage().contains("LEAKPROOF_LEAK_WARMUPS='101' is invalid: expected an integer from 0 to 100"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> env("LEAKPROOF_LEAK_CHECKS", "heap,memory"))
                .getMessage().contains("LEAKPROOF_LEAK_CHECKS='heap,memory' is invalid: expected a comma-separated list"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> env("LEAKPROOF_THREAD_GRACE", "2 weeks"))
                .getMessage().contains("LEAKPROOF_THREAD_GRACE='2 weeks' is invalid: expected a duration"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> env("LEAKPROOF_THREAD_GRACE", "61s"))
                .getMessage().contains("'61s' is invalid"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> env("LEAKPROOF_LEAK_REPORT", "sure"))
                .getMessage().contains("LEAKPROOF_LEAK_REPORT='sure' is invalid"));
    }

    @Test
    void shouldMatchWholeNamesOnlyWhenGlobHasNoWildcard() {
        assertTrue(DetectorConfig.glob("worker-?").matcher("worker-1").matches());
        assertFalse(DetectorConfig.glob("worker-?").matcher("worker-12").matches());
        assertTrue(DetectorConfig.glob("pool.(x)*").matcher("pool.(x)-thread").matches());
        assertFalse(DetectorConfig.glob("main").matcher("main-2").matches());
    }

    @Test
    void shouldMatchClassOrClassAndMethodWhenSkippingByConfiguration() {
        DetectorConfig c = read(Map.of("leakproof.skipLeakDetection", "a.B, c.D#shouldE*"), Map.of());
        assertTrue(c.skippedByConfiguration("a.B", "anything"));
        assertTrue(c.skippedByConfiguration("c.D", "shouldEndWell"));
        assertFalse(c.skippedByConfiguration("c.D", "shouldFail"));
    }
}

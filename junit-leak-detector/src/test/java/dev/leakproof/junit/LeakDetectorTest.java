package dev.leakproof.junit;

import dev.leakproof.junit.fixtures.EnvironmentCases;
import dev.leakproof.junit.fixtures.HeapCases;
import dev.leakproof.junit.fixtures.PlainCases;
import dev.leakproof.junit.fixtures.SkippedClassCases;
import dev.leakproof.junit.fixtures.WarmupCases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.Events;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.leakproof.junit.EngineRuns.assertAllPassed;
import static dev.leakproof.junit.EngineRuns.onlyFailure;
import static dev.leakproof.junit.EngineRuns.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

/** The heap check, the switches and the thresholds, through the Jupiter engine. */
class LeakDetectorTest {

    private static final Pattern GROWTH = Pattern.compile(
            "Memory leak detected: (\\d+\\.\\d\\d) MB growth \\(threshold: (\\d+\\.\\d\\d) MB\\)\\.");
    private static final Map<String, String> AUTO_DETECT = Map.of("junit.jupiter.extensions.autodetection.enabled", "true");

    @AfterEach
    void releaseWhatTheCasesRetained() {
        HeapCases.release();
        WarmupCases.reset();
    }

    private static double growthIn(String failure, double expectedThreshold) {
        Matcher m = GROWTH.matcher(failure);
        assertTrue(m.find(), "expected the seed's message, got: " + failure);
        assertEquals(expectedThreshold, Double.parseDouble(m.group(2)), 1e-9, failure);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void shouldFailTestWhenItLeaksTwentyMegabytes() {
        String failure = onlyFailure(run(Map.of(), selectMethod(HeapCases.class, "leaksTwentyMegabytes")));
        double growth = growthIn(failure, 5.0);
        assertTrue(growth > 18 && growth < 25, "20 MB retained, reported " + growth + ": " + failure);
        assertTrue(failure.startsWith("org.opentest4j.AssertionFailedError"), failure);
        assertTrue(failure.contains("Run with -Dleakproof.leakReport=true for details."), failure);
    }

    @Test
    void shouldPassTestWhenItAllocatesAndFreesHundredMegabytes() {
        assertAllPassed(run(Map.of(), selectMethod(HeapCases.class, "allocatesAndFreesHundredMegabytes")), 1);
    }

    @Test
    void shouldPassLeakingTestWhenMethodIsAnnotatedSkipLeakDetection() {
        assertAllPassed(run(Map.of(), selectMethod(HeapCases.class, "leaksTwentyMegabytesButIsSkipped")), 1);
    }

    @Test
    void shouldSkipClassButCheckMethodWhenOnlyTheMethodAsksForDetection() {
        Events events = run(Map.of(), selectClass(SkippedClassCases.class));
        events.assertStatistics(s -> s.started(2).succeeded(1).failed(1));
        String failure = EngineRuns.failures(events).get(0);
        growthIn(failure, 5.0);
        assertTrue(events.failed().list().get(0).getTestDescriptor().getDisplayName().startsWith("leaksButAsksToBeChecked"));
    }

    @Test
    void shouldUseConfiguredThresholdWhenParameterIsSet() {
        assertAllPassed(run(Map.of(LeakDetector.PROP_THRESHOLD_MB, "50"),
                selectMethod(HeapCases.class, "leaksTwentyMegabytes")), 1);
        HeapCases.release();
        String failure = onlyFailure(run(Map.of(LeakDetector.PROP_THRESHOLD_MB, "10.5"),
                selectMethod(HeapCases.class, "leaksTwentyMegabytes")));
        growthIn(failure, 10.5);
    }

    @Test
    void shouldUseAnnotationThresholdWhenMethodOverridesIt() {
        assertAllPassed(run(Map.of(LeakDetector.PROP_THRESHOLD_MB, "1"),
                selectMethod(HeapCases.class, "leaksTwentyMegabytesUnderAThirtyMegabyteThreshold")), 1);
    }

    @Test
    void shouldFailEveryCheckedTestWithKeyAndValueWhenThresholdIsNotANumber() {
        String failure = onlyFailure(run(Map.of(LeakDetector.PROP_THRESHOLD_MB, "five"),
                selectMethod(HeapCases.class, "allocatesAndFreesHundredMegabytes")));
        assertTrue(failure.contains("leakproof.leakThresholdMb='five' is invalid"), failure);
        assertTrue(failure.contains("greater than 0"), failure);
    }

    @Test
    void shouldNotJudgeTestWhenItFailedOnItsOwn() {
        String failure = onlyFailure(run(Map.of(), selectMethod(HeapCases.class, "leaksTwentyMegabytesAndFails")));
        assertTrue(failure.contains("the test's own failure"), failure);
        assertFalse(failure.contains("Memory leak"), failure);
    }

    @Test
    void shouldCheckUnannotatedTestWhenRunWideSwitchIsOnWithAutoDetection() {
        Map<String, String> on = Map.of("junit.jupiter.extensions.autodetection.enabled", "true",
                LeakDetector.PROP_DETECT_LEAKS, "true");
        growthIn(onlyFailure(run(on, selectClass(PlainCases.class))), 5.0);
    }

    @Test
    void shouldLeaveUnannotatedTestAloneWhenRunWideSwitchIsOff() {
        assertAllPassed(run(AUTO_DETECT, selectClass(PlainCases.class)), 1);
        HeapCases.release();
        Map<String, String> off = Map.of("junit.jupiter.extensions.autodetection.enabled", "true",
                LeakDetector.PROP_DETECT_LEAKS, "no");
        assertAllPassed(run(off, selectClass(PlainCases.class)), 1);
    }

    @Test
    void shouldNotJudgeHeapWhenConfiguredChecksLeaveItOut() {
        Map<String, String> on = Map.of("junit.jupiter.extensions.autodetection.enabled", "true",
                LeakDetector.PROP_DETECT_LEAKS, "true", LeakDetector.PROP_CHECKS, "threads,leases");
        assertAllPassed(run(on, selectClass(PlainCases.class)), 1);
    }

    @Test
    void shouldExemptTestWhenItIsListedInSkipConfiguration() {
        Map<String, String> on = Map.of("junit.jupiter.extensions.autodetection.enabled", "true",
                LeakDetector.PROP_DETECT_LEAKS, "true",
                LeakDetector.PROP_SKIP, "dev.leakproof.junit.fixtures.Plain*#leaks*");
        assertAllPassed(run(on, selectClass(PlainCases.class)), 1);
    }

    @Test
    void shouldCheckTestOnceWhenDetectorIsRegisteredTwice() {
        Map<String, String> on = Map.of("junit.jupiter.extensions.autodetection.enabled", "true",
                LeakDetector.PROP_DETECT_LEAKS, "true");
        String failure = onlyFailure(run(on, selectMethod(HeapCases.class, "leaksTwentyMegabytes")));
        assertEquals(1, failure.split("Memory leak detected", -1).length - 1, failure);
    }

    @Test
    void shouldCheckTestWhenEnvironmentSwitchSaysYes() {
        growthIn(onlyFailure(run(Map.of(), selectClass(EnvironmentCases.SwitchedOn.class))), 5.0);
    }

    @Test
    void shouldLeaveTestAloneWhenEnvironmentSwitchSaysZero() {
        assertAllPassed(run(Map.of(), selectClass(EnvironmentCases.SwitchedOff.class)), 1);
    }

    @Test
    void shouldFailWithValueNamedWhenEnvironmentSwitchIsNotRecognised() {
        String failure = onlyFailure(run(Map.of(), selectClass(EnvironmentCases.BadSwitch.class)));
        assertTrue(failure.contains("environment variable DETECT_MEMORY_LEAKS='maybe' is invalid"), failure);
        assertTrue(failure.contains("1, true or yes"), failure);
    }

    @Test
    void shouldPreferParameterOverEnvironmentWhenBothAreSet() {
        assertAllPassed(run(Map.of(LeakDetector.PROP_DETECT_LEAKS, "false"),
                selectClass(EnvironmentCases.SwitchedOn.class)), 1);
    }

    @Test
    void shouldUseEnvironmentThresholdWhenNoParameterIsSet() {
        assertAllPassed(run(Map.of(), selectClass(EnvironmentCases.HighThreshold.class)), 1);
    }

    @Test
    void shouldTakeLazySingletonForLeakWhenNotWarmedUp() {
        growthIn(onlyFailure(run(Map.of(), selectMethod(WarmupCases.class, "usesLazySingletonCold"))), 5.0);
        assertEquals(1, WarmupCases.RUNS.get());
    }

    @Test
    void shouldAbsorbLazySingletonWhenWarmedUp() {
        assertAllPassed(run(Map.of(), selectMethod(WarmupCases.class, "usesLazySingletonWarm")), 1);
        assertEquals(3, WarmupCases.RUNS.get(), "two warm-up runs and the measured one");
    }

    @Test
    void shouldWarmUpEveryTestWhenRunWideWarmupsAreSet() {
        assertAllPassed(run(Map.of(LeakDetector.PROP_WARMUPS, "1"),
                selectMethod(WarmupCases.class, "usesLazySingletonCold")), 1);
        assertEquals(2, WarmupCases.RUNS.get());
    }

    @Test
    void shouldPublishHeapGrowthWhenTestPasses() {
        Events events = run(Map.of(), selectMethod(HeapCases.class, "allocatesAndFreesHundredMegabytes"));
        assertAllPassed(events, 1);
        assertTrue(events.reportingEntryPublished().stream().anyMatch(e -> e.getPayload(
                org.junit.platform.engine.reporting.ReportEntry.class).orElseThrow().getKeyValuePairs()
                .containsKey("leakproof.heapGrowthMb")), "a report entry with the growth");
    }
}

package dev.leakproof.junit;

import dev.leakproof.junit.fixtures.LeaseCases;
import dev.leakproof.junit.fixtures.ThreadCases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.leakproof.junit.EngineRuns.assertAllPassed;
import static dev.leakproof.junit.EngineRuns.onlyFailure;
import static dev.leakproof.junit.EngineRuns.run;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

/** The thread and lease checks, each failing a test on its own. */
class ThreadAndLeaseLeakTest {

    @AfterEach
    void cleanUp() throws Exception {
        ThreadCases.stopAll();
        LeaseCases.closeAll();
    }

    @Test
    void shouldFailTestWithNameAndStackWhenThreadItStartedIsStillAlive() {
        String failure = onlyFailure(run(Map.of(LeakDetector.PROP_THREAD_GRACE, "100ms"),
                selectMethod(ThreadCases.class, "leavesThreadRunning")));
        assertTrue(failure.contains("Thread leak detected: 1 thread(s) started during the test still alive after it"
                + " (waited 100 ms"), failure);
        assertTrue(failure.contains("\"leaky-worker\" daemon state=TIMED_WAITING"), failure);
        assertTrue(failure.contains("at dev.leakproof.junit.fixtures.ThreadCases.sleepQuietly"), failure);
        assertFalse(failure.contains("Memory leak"), "only the thread check runs: " + failure);
    }

    @Test
    void shouldPassTestWhenItsThreadEndsWithinGrace() {
        assertAllPassed(run(Map.of(), selectMethod(ThreadCases.class, "startsThreadThatEndsSoon")), 1);
    }

    @Test
    void shouldPassTestWhenItsThreadEndedBeforeTheTestReturned() {
        assertAllPassed(run(Map.of(LeakDetector.PROP_THREAD_GRACE, "0ms"),
                selectMethod(ThreadCases.class, "startsThreadThatEndsBeforeReturning")), 1);
    }

    @Test
    void shouldPassTestWhenItsThreadNameIsAllowedByAnnotation() {
        assertAllPassed(run(Map.of(LeakDetector.PROP_THREAD_GRACE, "0ms"),
                selectMethod(ThreadCases.class, "leavesAllowedThreadRunning")), 1);
    }

    @Test
    void shouldPassTestWhenItsThreadNameIsAllowedByConfiguration() {
        assertAllPassed(run(Map.of(LeakDetector.PROP_THREAD_GRACE, "0ms", LeakDetector.PROP_THREAD_ALLOW, "other-*, leaky-w?rker"),
                selectMethod(ThreadCases.class, "leavesThreadRunning")), 1);
    }

    @Test
    void shouldFailTestWithLeaseIdAndAcquisitionStackWhenTrackedLeaseIsStillOut() {
        String failure = onlyFailure(run(Map.of(), selectMethod(LeaseCases.class, "leavesLeaseOut")));
        assertTrue(failure.contains("Lease leak detected: 1 lease(s) of 1 BufferPool(s) built during the test"
                + " were not closed by their owner."), failure);
        assertTrue(failure.contains("pool 'cases': lease #1 (1000 B) out for"), failure);
        assertTrue(failure.contains("at dev.leakproof.junit.fixtures.LeaseCases.leavesLeaseOut"), failure);
        assertFalse(failure.contains("Untracked"), failure);
    }

    @Test
    void shouldFailTestAndExplainTrackingWhenUntrackedLeaseIsStillOut() {
        String failure = onlyFailure(run(Map.of(), selectMethod(LeaseCases.class, "leavesUntrackedLeaseOut")));
        assertTrue(failure.contains("lease #1 (100 B)"), failure);
        assertTrue(failure.contains("untracked: no acquisition stack"), failure);
        assertTrue(failure.contains("tracking(TrackingLevel.ALL)"), failure);
    }

    @Test
    void shouldPassTestWhenEveryLeaseWasClosed() {
        assertAllPassed(run(Map.of(), selectMethod(LeaseCases.class, "closesEveryLease")), 1);
    }

    @Test
    void shouldCheckLeasesWhenClassAnnotationNamesThemAndConfigurationSaysHeapOnly() {
        // The class's annotation names LEASES: the annotation is nearer than the configuration, so it wins.
        String failure = onlyFailure(run(Map.of(LeakDetector.PROP_CHECKS, "heap"),
                selectMethod(LeaseCases.class, "leavesLeaseOut")));
        assertTrue(failure.contains("Lease leak detected"), failure);
    }
}

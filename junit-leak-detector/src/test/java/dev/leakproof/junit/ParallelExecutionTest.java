package dev.leakproof.junit;

import dev.leakproof.junit.fixtures.HeapCases;
import dev.leakproof.junit.fixtures.ParallelCases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.Events;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.leakproof.junit.EngineRuns.assertAllPassed;
import static dev.leakproof.junit.EngineRuns.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

/** Under JUnit's parallel execution, checked tests run one at a time and keep their serial verdicts. */
class ParallelExecutionTest {

    private static Map<String, String> parallel(boolean detect) {
        Map<String, String> p = new HashMap<>();
        p.put("junit.jupiter.execution.parallel.enabled", "true");
        p.put("junit.jupiter.execution.parallel.mode.default", "concurrent");
        p.put("junit.jupiter.execution.parallel.mode.classes.default", "concurrent");
        p.put("junit.jupiter.execution.parallel.config.strategy", "fixed");
        p.put("junit.jupiter.execution.parallel.config.fixed.parallelism", "4");
        p.put("junit.jupiter.extensions.autodetection.enabled", "true");
        p.put(LeakDetector.PROP_DETECT_LEAKS, String.valueOf(detect));
        return p;
    }

    @BeforeEach
    @AfterEach
    void reset() {
        ParallelCases.reset();
        HeapCases.release();
    }

    @Test
    void shouldRunTestsConcurrentlyWhenDetectionIsOff() {
        // The control: without detection the cases do overlap, so the next test can fail.
        assertAllPassed(run(parallel(false), selectClass(ParallelCases.class)), 4);
        assertTrue(ParallelCases.MAX_RUNNING.get() > 1, "expected overlap, saw " + ParallelCases.MAX_RUNNING.get());
    }

    @Test
    void shouldRunCheckedTestsOneAtATimeWhenExecutionIsParallel() {
        assertAllPassed(run(parallel(true), selectClass(ParallelCases.class)), 4);
        assertEquals(1, ParallelCases.MAX_RUNNING.get(), "checked tests must not overlap");
    }

    @Test
    void shouldKeepSerialVerdictsWhenLeakingAndChurningTestsRunInParallel() {
        Events events = run(parallel(true), selectMethod(HeapCases.class, "leaksTwentyMegabytes"),
                selectMethod(HeapCases.class, "allocatesAndFreesHundredMegabytes"),
                selectMethod(HeapCases.class, "leaksTwentyMegabytesButIsSkipped"),
                selectClass(ParallelCases.class));
        events.assertStatistics(s -> s.started(7).failed(1).succeeded(6));
        List<String> failures = EngineRuns.failures(events);
        assertTrue(failures.get(0).contains("Memory leak detected"), failures.toString());
        assertEquals("leaksTwentyMegabytes()", events.failed().list().get(0).getTestDescriptor().getDisplayName());
    }
}

package dev.leakproof.junit;

import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Runs fixture tests through the Jupiter engine, the way a build would. */
final class EngineRuns {

    private EngineRuns() {
    }

    static Events run(Map<String, String> parameters, DiscoverySelector... selectors) {
        EngineTestKit.Builder kit = EngineTestKit.engine("junit-jupiter").selectors(selectors);
        parameters.forEach(kit::configurationParameter);
        return kit.execute().testEvents();
    }

    /** The failure messages of the failed tests. */
    static List<String> failures(Events events) {
        return events.failed().stream().map(EngineRuns::message).collect(Collectors.toList());
    }

    /** The one failure of a run that had exactly one test, which failed. */
    static String onlyFailure(Events events) {
        events.assertStatistics(s -> s.started(1).failed(1));
        return failures(events).get(0);
    }

    /** Asserts the run's tests all passed. */
    static void assertAllPassed(Events events, int tests) {
        assertEquals(List.of(), failures(events), "no test should fail");
        events.assertStatistics(s -> s.started(tests).succeeded(tests));
    }

    private static String message(Event event) {
        Throwable t = event.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).orElseThrow();
        return t.getClass().getName() + ": " + t.getMessage();
    }
}

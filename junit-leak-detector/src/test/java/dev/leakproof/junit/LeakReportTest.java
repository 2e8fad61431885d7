package dev.leakproof.junit;

import dev.leakproof.junit.fixtures.HeapCases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.leakproof.junit.EngineRuns.assertAllPassed;
import static dev.leakproof.junit.EngineRuns.onlyFailure;
import static dev.leakproof.junit.EngineRuns.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

/** The allocation-site report (JFR) and the flame graph (async-profiler's converter). */
class LeakReportTest {

    @AfterEach
    void release() {
        HeapCases.release();
    }

    /** The site lines of a report, in order. */
    private static List<String> siteLines(String failure) {
        return failure.lines().filter(l -> l.startsWith("  +")).collect(Collectors.toList());
    }

    @Test
    void shouldNameLeakingMethodAsTopSiteWhenReportIsOn() {
        String failure = onlyFailure(run(Map.of(LeakDetector.PROP_REPORT, "true"),
                selectMethod(HeapCases.class, "leaksTwentyMegabytes")));
        assertTrue(failure.contains("Memory leak detected: "), failure);
        assertFalse(failure.contains("Run with -Dleakproof.leakReport=true"), "no hint when the report is on: " + failure);
        assertTrue(failure.contains("=".repeat(70) + "\nMEMORY LEAK DETECTED: dev.leakproof.junit.fixtures.HeapCases#leaksTwentyMegabytes()\n"
                + "Memory growth: "), failure);
        assertTrue(failure.contains("Top 10 allocation sites of objects still alive after the test"), failure);
        List<String> sites = siteLines(failure);
        assertFalse(sites.isEmpty(), failure);
        assertTrue(sites.get(0).contains(": dev.leakproof.junit.fixtures.HeapCases.leaksTwentyMegabytes:"), failure);
        assertTrue(sites.get(0).contains("byte[]"), failure);
        assertTrue(sites.get(0).matches("  \\+(1[5-9]|2[0-5])\\.\\d\\d MB: .*"), "about 20 MB at the top site: " + failure);
    }

    @Test
    void shouldRankRetainingMethodAboveChurningMethodWhenBothRunInOneTest() {
        String failure = onlyFailure(run(Map.of(LeakDetector.PROP_REPORT, "true"),
                selectMethod(HeapCases.class, "churnsAndHoards")));
        List<String> sites = siteLines(failure);
        assertFalse(sites.isEmpty(), failure);
        assertTrue(sites.get(0).contains("HeapCases.hoard:"), failure);
        assertTrue(sites.stream().noneMatch(s -> s.contains("HeapCases.churn:")), "garbage is not alive: " + failure);
    }

    @Test
    void shouldWriteFlameGraphAndRecordingWhenTestFailsWithFlameGraphOn(@TempDir Path dir) throws IOException {
        String failure = onlyFailure(run(Map.of(LeakDetector.PROP_FLAME_GRAPH, "true", LeakDetector.PROP_REPORT_DIR, dir.toString()),
                selectMethod(HeapCases.class, "leaksTwentyMegabytes")));
        assertTrue(failure.contains("Allocation flame graph: "), failure);
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.sorted().collect(Collectors.toList());
        }
        assertEquals(2, files.size(), files.toString());
        Path html = files.stream().filter(p -> p.toString().endsWith("-alloc.html")).findFirst().orElseThrow();
        assertTrue(html.getFileName().toString().startsWith("dev.leakproof.junit.fixtures.HeapCases.leaksTwentyMegabytes-"), html.toString());
        String page = Files.readString(html);
        assertTrue(page.contains("Allocations of dev.leakproof.junit.fixtures.HeapCases#leaksTwentyMegabytes()"), "title");
        assertTrue(page.contains("leaksTwentyMegabytes"), "the leaking method is a frame of the graph");
        assertTrue(failure.contains(html.toAbsolutePath().toString()), failure);
        assertTrue(files.stream().anyMatch(p -> p.toString().endsWith(".jfr")), files.toString());
    }

    @Test
    void shouldWriteNothingWhenTestPassesWithFlameGraphOn(@TempDir Path dir) throws IOException {
        assertAllPassed(run(Map.of(LeakDetector.PROP_FLAME_GRAPH, "true", LeakDetector.PROP_REPORT_DIR, dir.toString()),
                selectMethod(HeapCases.class, "allocatesAndFreesHundredMegabytes")), 1);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void shouldExplainWhatToAddWhenConverterIsMissing() throws IOException {
        try (URLClassLoader bare = new URLClassLoader(new URL[0], ClassLoader.getPlatformClassLoader())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> FlameGraphs.checkAvailable(bare));
            assertTrue(e.getMessage().contains("leakproof.flameGraph=true needs"), e.getMessage());
            assertTrue(e.getMessage().contains("tools.profiler:jfr-converter"), e.getMessage());
        }
        FlameGraphs.checkAvailable(FlameGraphs.class.getClassLoader());
    }

    @Test
    void shouldSpellJvmArrayNamesAsJavaDoesWhenReportingTypes() {
        assertEquals("byte[]", AllocationRecording.typeName("[B"));
        assertEquals("long[][]", AllocationRecording.typeName("[[J"));
        assertEquals("java.lang.String[]", AllocationRecording.typeName("[Ljava.lang.String;"));
        assertEquals("java.util.HashMap", AllocationRecording.typeName("java.util.HashMap"));
    }

    @Test
    void shouldTreatJdkJunitAndDetectorFramesAsFrameworkWhenChoosingSite() {
        assertTrue(AllocationRecording.isFramework("java.util.ArrayList"));
        assertTrue(AllocationRecording.isFramework("org.junit.platform.commons.util.ReflectionUtils"));
        assertTrue(AllocationRecording.isFramework("dev.leakproof.junit.LeakDetector"));
        assertFalse(AllocationRecording.isFramework("dev.leakproof.junit.fixtures.HeapCases"));
        assertFalse(AllocationRecording.isFramework("dev.leakproof.pool.BufferPool"));
    }
}

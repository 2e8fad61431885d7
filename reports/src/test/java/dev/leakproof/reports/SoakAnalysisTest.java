package dev.leakproof.reports;

import dev.leakproof.reports.SoakSamples.End;
import dev.leakproof.reports.SoakSamples.Event;
import dev.leakproof.reports.SoakSamples.Header;
import dev.leakproof.reports.SoakSamples.Pool;
import dev.leakproof.reports.SoakSamples.Sample;
import dev.leakproof.reports.SoakSamples.Soak;
import dev.leakproof.reports.Verdict.Status;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SoakAnalysisTest {

    private static final long MIB = 1024 * 1024;
    private static final long MINUTE = 60_000;

    private static Header header(String inject) {
        return new Header(1, "2026-11-24T10:00:00Z", "mixed", 1, 120 * MINUTE, 256 * MIB, 10 * MINUTE, inject, 0, "17");
    }

    /** Readings of {@code cause} every 10 minutes for 2 hours, heap 100 MiB + growth. */
    private static List<Sample> readings(String cause, double mibPerHour, Pool pool) {
        List<Sample> samples = new ArrayList<>();
        for (long m = 0; m <= 120; m += 10) {
            samples.add(new Sample(m * MINUTE, cause, (long) ((100 + mibPerHour * m / 60.0 + (m % 20 == 0 ? 0.01 : -0.01)) * MIB),
                    pool, List.of()));
        }
        return samples;
    }

    private static Verdict verdict(SoakAnalysis a, String name) {
        return a.verdicts().stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(name + " missing"));
    }

    private static Soak soak(List<Sample> samples, List<Event> events, String inject) {
        return new Soak(header(inject), samples, events, new End(120 * MINUTE, "completed", null, samples.size()), 0);
    }

    @Test
    void shouldFallBackToGcReadingsWhenNoSettledReadingsAndSayWhich() {
        SoakAnalysis a = SoakAnalysis.of(soak(readings("gc", 0, null), List.of(), "none"), SoakAnalysis.Options.defaults());
        assertEquals("gc", a.basis());
        assertEquals(Status.PASS, verdict(a, "heap-growth").status());
        assertTrue(a.warnings().stream().anyMatch(w -> w.contains("'gc'")), a.warnings().toString());
        assertTrue(Charts.heap(a).startsWith("data:image/png;base64,"), "the heap chart draws gc readings once");
    }

    @Test
    void shouldBeInconclusiveAndFailWhenTooFewReadingsAfterWarmup() {
        List<Sample> few = readings("settled", 0, null).subList(0, 5);
        SoakAnalysis a = SoakAnalysis.of(soak(few, List.of(), "none"), SoakAnalysis.Options.defaults());
        // 40 minutes: the 4-minute warm-up drops the first reading, leaving 4 < MIN_FIT_POINTS.
        assertEquals(Status.INCONCLUSIVE, verdict(a, "heap-growth").status());
        assertTrue(!verdict(a, "heap-growth").passed());
    }

    @Test
    void shouldCallLeakWhenFloorRisesBeyondToleranceEvenIfSlopeIsSmall() {
        // Flat, then a step of 3 MiB over the whole last window (the floor is its minimum, so one spike
        // would not do): the slope's bound stays under a generous threshold, the floor does not.
        List<Sample> samples = new ArrayList<>(readings("settled", 0, null));
        for (int i = samples.size() - 2; i < samples.size(); i++) {
            Sample s = samples.get(i);
            samples.set(i, new Sample(s.tMs(), "settled", s.heapUsed() + 3 * MIB, null, List.of()));
        }
        SoakAnalysis.Options generous = new SoakAnalysis.Options(100, Double.NaN, -1, Double.NaN, 2.0, 0.9);
        Verdict v = verdict(SoakAnalysis.of(soak(samples, List.of(), "none"), generous), "heap-growth");
        assertEquals(Status.LEAK, v.status(), v.detail());
        assertTrue(v.detail().contains("floor rose"), v.detail());
    }

    @Test
    void shouldUseWarmupAsGivenWhenPercentOrDuration() {
        Soak s = soak(readings("settled", 0, null), List.of(), "none");
        assertEquals(60 * MINUTE, SoakAnalysis.of(s, new SoakAnalysis.Options(1, 0.5, -1, 0.05, Double.NaN, 0.9)).warmupMs());
        assertEquals(30 * MINUTE, SoakAnalysis.of(s, new SoakAnalysis.Options(1, Double.NaN, 30 * MINUTE, 0.05, Double.NaN, 0.9)).warmupMs());
        assertEquals(12 * MINUTE, SoakAnalysis.of(s, SoakAnalysis.Options.defaults()).warmupMs(), "10 % of 2 h");
    }

    @Test
    void shouldCapDefaultWarmupAtOneHourWhenRunIsLong() {
        List<Sample> samples = new ArrayList<>();
        for (long h = 0; h <= 24; h++) {
            samples.add(new Sample(h * 60 * MINUTE, "settled", 100 * MIB, null, List.of()));
        }
        assertEquals(60 * MINUTE, SoakAnalysis.of(soak(samples, List.of(), "none"), SoakAnalysis.Options.defaults()).warmupMs());
    }

    @Test
    void shouldFailReuseRateWhenBelowPassMark() {
        List<Sample> samples = new ArrayList<>();
        for (long m = 0; m <= 120; m += 10) {
            samples.add(new Sample(m * MINUTE, "settled", 100 * MIB, new Pool(0, 0, 0, m * 100, m * 40, 0), List.of()));
        }
        Verdict v = verdict(SoakAnalysis.of(soak(samples, List.of(), "none"), SoakAnalysis.Options.defaults()), "reuse-rate");
        assertEquals(Status.FAIL, v.status());
        assertEquals(0.4, (Double) v.figures().get("overall"), 1e-9);
    }

    @Test
    void shouldPassPoolLeaksOnlyWhenInjectedLeaseLeakWasFound() {
        Pool leaking = new Pool(0, 0, 0, 100, 100, 3);
        List<Sample> samples = readings("settled", 0, leaking);
        assertEquals(Status.PASS, verdict(SoakAnalysis.of(soak(samples, List.of(), "lease"), SoakAnalysis.Options.defaults()),
                "pool-leaks").status());
        assertEquals(Status.FAIL, verdict(SoakAnalysis.of(soak(samples, List.of(), "none"), SoakAnalysis.Options.defaults()),
                "pool-leaks").status());
        List<Event> events = List.of(new Event(5, "leak", "lease 7 leaked"));
        Verdict fromEvents = verdict(SoakAnalysis.of(soak(readings("settled", 0, new Pool(0, 0, 0, 1, 1, 0)), events, "none"),
                SoakAnalysis.Options.defaults()), "pool-leaks");
        assertEquals(Status.FAIL, fromEvents.status());
        assertEquals(1L, fromEvents.figures().get("leakEvents"));
    }

    @Test
    void shouldFailCompletionWhenSoakWasInterrupted() {
        Soak s = new Soak(header("none"), readings("settled", 0, null), List.of(), new End(60 * MINUTE, "interrupted", null, 13), 0);
        assertEquals(Status.FAIL, verdict(SoakAnalysis.of(s, SoakAnalysis.Options.defaults()), "soak-completed").status());
    }

    @Test
    void shouldParseQuantitiesAndRejectBadOnesNamingTheValue() {
        assertEquals(1.0, Quantities.mibPerHour("--leak-threshold", "1"));
        assertEquals(60.0, Quantities.mibPerHour("--leak-threshold", "60MiB/h"));
        assertEquals(0.5, Quantities.mibPerHour("--leak-threshold", "0.5 MiB/h"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quantities.mibPerHour("--leak-threshold", "0"));
        assertTrue(e.getMessage().contains("'0'"), e.getMessage());
        assertEquals(90 * 60_000L, Quantities.durationMs("--warmup", "90m"));
        assertEquals(3_600_000L, Quantities.durationMs("--warmup", "1h"));
        assertEquals(45_000L, Quantities.durationMs("--warmup", "45"));
        assertThrows(IllegalArgumentException.class, () -> Quantities.durationMs("--warmup", "soon"));
        assertEquals(0.1, Quantities.percent("--warmup", "10%"), 1e-12);
        assertTrue(Double.isNaN(Quantities.percent("--warmup", "10m")));
        assertEquals(0.9, Quantities.fraction("--reuse-pass", "90%"), 1e-12);
        assertEquals(0.5, Quantities.fraction("--reuse-pass", "0.5"), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Quantities.fraction("--reuse-pass", "1.5"));
        assertEquals(8.0, Quantities.mib("8MiB"));
    }
}

package dev.leakproof.reports;

import dev.leakproof.reports.SoakSamples.QueueReading;
import dev.leakproof.reports.SoakSamples.Sample;
import dev.leakproof.reports.SoakSamples.Soak;
import dev.leakproof.reports.Verdict.Status;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Judges a soak run (docs/reports.md has the rules):
 * <ul>
 *   <li>{@code soak-completed}: the file ends with an {@code end} record of status {@code completed};
 *       without one the soak crashed.</li>
 *   <li>{@code heap-growth}: after the warm-up window, heap over time is fitted with a line
 *       ({@link HeapTrend}) on the {@code settled} samples (else {@code gc}, else {@code interval});
 *       LEAK when the upper bound of the slope's 95 % confidence interval exceeds the threshold, or
 *       the floor (minimum) of the last tenth of the fitted span rose above the first tenth's by
 *       more than the tolerance; INCONCLUSIVE with fewer than {@value #MIN_FIT_POINTS} points.</li>
 *   <li>{@code reuse-rate}: pool reuses / acquires after the warm-up; FAIL below the pass mark.</li>
 *   <li>{@code queue-depth}: FAIL when any reading has size or high-water mark above capacity.</li>
 *   <li>{@code pool-leaks}: leak verdicts (pool counter and {@code leak} events); FAIL when a run
 *       without an injected lease leak has any, or a run with one has none.</li>
 * </ul>
 */
public final class SoakAnalysis {

    /** Fewest fitted points that give a heap-growth verdict. */
    public static final int MIN_FIT_POINTS = 5;
    /** Default warm-up: this fraction of the run, but at most {@link #MAX_DEFAULT_WARMUP_MS}. */
    public static final double DEFAULT_WARMUP_FRACTION = 0.10;
    /** Cap of the default warm-up: one hour. */
    public static final long MAX_DEFAULT_WARMUP_MS = 3_600_000L;
    /** Share of the fitted span whose minimum is a floor (first and last window). */
    public static final double FLOOR_WINDOW = 0.10;
    /** The smallest default floor tolerance, MiB. */
    public static final double MIN_DEFAULT_FLOOR_TOLERANCE_MIB = 1.0;
    /** Most points of a chart's time series. */
    private static final int MAX_BUCKETS = 150;
    private static final double MIB = 1024.0 * 1024.0;

    /**
     * What to judge against.
     *
     * @param leakThresholdMibPerHour slope threshold, MiB/h (&gt; 0)
     * @param warmupFraction          warm-up as a fraction of the run, or NaN to use {@code warmupMs}
     * @param warmupMs                warm-up as a duration, or -1 for the default (min(10 %, 1 h))
     * @param floorTolerancePercent   tolerated floor rise as a fraction of the first floor, or NaN
     * @param floorToleranceMib       tolerated floor rise in MiB, used when the fraction is NaN
     * @param reusePass               pass mark of the overall reuse rate, 0..1
     */
    public record Options(double leakThresholdMibPerHour, double warmupFraction, long warmupMs,
                          double floorTolerancePercent, double floorToleranceMib, double reusePass) {

        /** The defaults: 1 MiB/h, min(10 %, 1 h) warm-up, 5 % floor tolerance (at least 1 MiB), 90 % reuse. */
        public static Options defaults() {
            return new Options(1.0, Double.NaN, -1, 0.05, Double.NaN, 0.90);
        }
    }

    /** A point of a chart series: time in ms since the start, and a value. */
    public record Point(long tMs, double value) {
    }

    /** Queue figures over the run, for one queue. */
    public record QueueStats(String name, long capacity, long maxSize, long maxHighWaterMark, int violations,
                             long firstViolationMs, List<Point> size, List<Point> highWaterMark) {
    }

    private final Soak soak;
    private final Options options;
    private final long warmupMs;
    private final String basis;
    private final List<Point> fitted;
    private final HeapTrend.Fit fit;
    private final double floorFirstMib;
    private final double floorLastMib;
    private final List<Point> reuseOverTime = new ArrayList<>();
    private double reuseOverall = Double.NaN;
    private long reuseAcquires;
    private final Map<String, QueueStats> queues = new LinkedHashMap<>();
    private final List<Verdict> verdicts = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private SoakAnalysis(Soak soak, Options options) {
        this.soak = soak;
        this.options = options;
        long runMs = soak.lastMs();
        if (!Double.isNaN(options.warmupFraction())) {
            warmupMs = Math.round(runMs * options.warmupFraction());
        } else if (options.warmupMs() >= 0) {
            warmupMs = options.warmupMs();
        } else {
            warmupMs = Math.min(Math.round(runMs * DEFAULT_WARMUP_FRACTION), MAX_DEFAULT_WARMUP_MS);
        }
        String chosen = "settled";
        List<Point> points = heapPoints("settled");
        for (String fallback : new String[] {"gc", "interval"}) {
            if (points.size() >= MIN_FIT_POINTS) {
                break;
            }
            List<Point> other = heapPoints(fallback);
            if (other.size() > points.size()) {
                points = other;
                chosen = fallback;
            }
        }
        basis = chosen;
        fitted = points;
        double[] t = new double[points.size()];
        double[] heap = new double[points.size()];
        for (int i = 0; i < points.size(); i++) {
            t[i] = points.get(i).tMs() / 1000.0;
            heap[i] = points.get(i).value();
        }
        fit = HeapTrend.fit(t, heap, options.leakThresholdMibPerHour());
        if (points.isEmpty()) {
            floorFirstMib = Double.NaN;
            floorLastMib = Double.NaN;
        } else {
            long first = points.get(0).tMs();
            long last = points.get(points.size() - 1).tMs();
            long window = Math.round((last - first) * FLOOR_WINDOW);
            floorFirstMib = points.stream().filter(p -> p.tMs() <= first + window).mapToDouble(Point::value).min().orElseThrow() / MIB;
            floorLastMib = points.stream().filter(p -> p.tMs() >= last - window).mapToDouble(Point::value).min().orElseThrow() / MIB;
        }
        judgeCompletion();
        judgeHeap();
        judgeReuse();
        judgeQueues();
        judgeLeaks();
    }

    /** Analyses {@code soak} against {@code options}. */
    public static SoakAnalysis of(Soak soak, Options options) {
        return new SoakAnalysis(soak, options);
    }

    /** The soak analysed. */
    public Soak soak() {
        return soak;
    }

    /** The verdicts, in display order. */
    public List<Verdict> verdicts() {
        return List.copyOf(verdicts);
    }

    /** Warnings for the page: what limits the verdicts. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Warm-up window dropped before fitting, ms. */
    public long warmupMs() {
        return warmupMs;
    }

    /** The sample cause the heap trend was fitted on. */
    public String basis() {
        return basis;
    }

    /** The heap fit. */
    public HeapTrend.Fit fit() {
        return fit;
    }

    /** The fitted points (heap in bytes). */
    public List<Point> fittedPoints() {
        return List.copyOf(fitted);
    }

    /** Every heap reading of {@code cause} (bytes), warm-up included, at most a few thousand (evenly thinned). */
    public List<Point> heapSeries(String cause) {
        List<Point> all = new ArrayList<>();
        for (Sample s : soak.samples()) {
            if (cause.equals(s.cause())) {
                all.add(new Point(s.tMs(), s.heapUsed()));
            }
        }
        int stride = Math.max(1, all.size() / 3000);
        List<Point> thinned = new ArrayList<>();
        for (int i = 0; i < all.size(); i += stride) {
            thinned.add(all.get(i));
        }
        return thinned;
    }

    /** Reuse rate per time bucket (Δreuses / Δacquires). */
    public List<Point> reuseOverTime() {
        return List.copyOf(reuseOverTime);
    }

    /** Overall reuse rate after the warm-up, or NaN without pool data. */
    public double reuseOverall() {
        return reuseOverall;
    }

    /** Per-queue figures, by queue name. */
    public Map<String, QueueStats> queues() {
        return Map.copyOf(queues);
    }

    /** Queue names in the order first seen. */
    public List<String> queueNames() {
        return List.copyOf(queues.keySet());
    }

    private List<Point> heapPoints(String cause) {
        List<Point> points = new ArrayList<>();
        for (Sample s : soak.samples()) {
            if (cause.equals(s.cause()) && s.tMs() >= warmupMs) {
                points.add(new Point(s.tMs(), s.heapUsed()));
            }
        }
        return points;
    }

    private void judgeCompletion() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("samples", soak.samples().size());
        f.put("lastRecordMs", soak.lastMs());
        f.put("plannedDurationMs", soak.header().plannedDurationMs());
        if (soak.end() == null) {
            f.put("endStatus", "missing");
            verdicts.add(new Verdict("soak-completed", Status.FAIL, String.format(Locale.ROOT,
                    "the soak CRASHED: no end record; its last record is at %s%s", duration(soak.lastMs()),
                    soak.truncatedLines() > 0 ? " and its last line is cut short" : ""), f));
            return;
        }
        f.put("endStatus", soak.end().status());
        switch (soak.end().status()) {
            case "completed" -> verdicts.add(new Verdict("soak-completed", Status.PASS,
                    "the soak completed after " + duration(soak.end().tMs()), f));
            case "interrupted" -> verdicts.add(new Verdict("soak-completed", Status.FAIL,
                    "the soak was stopped after " + duration(soak.end().tMs()) + " of a planned "
                            + duration(soak.header().plannedDurationMs()), f));
            default -> {
                f.put("error", soak.end().error());
                verdicts.add(new Verdict("soak-completed", Status.FAIL, "the soak ended with status '" + soak.end().status()
                        + "'" + (soak.end().error() == null ? "" : ": " + soak.end().error()), f));
            }
        }
    }

    private void judgeHeap() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("basis", basis);
        f.put("warmupMs", warmupMs);
        f.put("points", fit.samples());
        f.put("thresholdMibPerHour", options.leakThresholdMibPerHour());
        if (fit.samples() < MIN_FIT_POINTS) {
            verdicts.add(new Verdict("heap-growth", Status.INCONCLUSIVE, "only " + fit.samples() + " heap readings after the "
                    + duration(warmupMs) + " warm-up; at least " + MIN_FIT_POINTS + " are needed to judge growth", f));
            return;
        }
        double tolerance = !Double.isNaN(options.floorTolerancePercent())
                ? Math.max(options.floorTolerancePercent() * floorFirstMib, MIN_DEFAULT_FLOOR_TOLERANCE_MIB)
                : options.floorToleranceMib();
        double rise = floorLastMib - floorFirstMib;
        f.put("slopeMibPerHour", fit.slopeMibPerHour());
        f.put("ciLowMibPerHour", fit.ciLow());
        f.put("ciHighMibPerHour", fit.ciHigh());
        f.put("resolutionMibPerHour", fit.resolution());
        f.put("pValue", fit.pValue());
        f.put("rSquared", fit.rSquared());
        f.put("floorFirstMib", floorFirstMib);
        f.put("floorLastMib", floorLastMib);
        f.put("floorRiseMib", rise);
        f.put("floorToleranceMib", tolerance);
        boolean slopeLeak = fit.ciHigh() > options.leakThresholdMibPerHour();
        boolean floorLeak = rise > tolerance;
        String fitText = String.format(Locale.ROOT, "slope %s MiB/h (95 %% CI %s to %s) over %d %s readings; floor %s -> %s MiB",
                num(fit.slopeMibPerHour()), num(fit.ciLow()), num(fit.ciHigh()), fit.samples(), basis,
                num(floorFirstMib), num(floorLastMib));
        if (fit.resolution() > options.leakThresholdMibPerHour()) {
            warnings.add(String.format(Locale.ROOT, "This run resolves heap growth only to ±%s MiB/h, coarser than the %s MiB/h "
                    + "threshold: a LEAK verdict may only mean that it could not show growth below the threshold. "
                    + "Run longer, or raise --leak-threshold.", num(fit.resolution()), num(options.leakThresholdMibPerHour())));
        }
        if (!"settled".equals(basis)) {
            warnings.add("The heap trend is fitted on '" + basis + "' readings: the file has fewer than " + MIN_FIT_POINTS
                    + " settled readings after the warm-up, so the fit includes garbage not yet collected.");
        }
        if (slopeLeak || floorLeak) {
            String why = slopeLeak && floorLeak ? "the slope's upper bound and the floor rise both exceed their limits"
                    : slopeLeak ? "the slope's upper bound exceeds " + num(options.leakThresholdMibPerHour()) + " MiB/h"
                    : "the floor rose " + num(rise) + " MiB, more than the " + num(tolerance) + " MiB tolerance";
            verdicts.add(new Verdict("heap-growth", Status.LEAK, why + ": " + fitText, f));
        } else {
            verdicts.add(new Verdict("heap-growth", Status.PASS, "heap growth below " + num(options.leakThresholdMibPerHour())
                    + " MiB/h with 95 % confidence: " + fitText, f));
        }
    }

    private void judgeReuse() {
        List<Sample> withPool = soak.samples().stream().filter(s -> s.pool() != null).toList();
        if (withPool.isEmpty()) {
            return;
        }
        int step = Math.max(1, (withPool.size() - 1) / MAX_BUCKETS);
        for (int i = step; i < withPool.size(); i += step) {
            Sample a = withPool.get(i - step);
            Sample b = withPool.get(i);
            long acquires = b.pool().acquires() - a.pool().acquires();
            if (acquires > 0) {
                reuseOverTime.add(new Point(b.tMs(), (double) (b.pool().reuses() - a.pool().reuses()) / acquires));
            }
        }
        Sample first = withPool.stream().filter(s -> s.tMs() >= warmupMs).findFirst().orElse(withPool.get(0));
        Sample last = withPool.get(withPool.size() - 1);
        reuseAcquires = last.pool().acquires() - first.pool().acquires();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("acquires", reuseAcquires);
        f.put("reuses", last.pool().reuses() - first.pool().reuses());
        f.put("passMark", options.reusePass());
        if (reuseAcquires <= 0) {
            verdicts.add(new Verdict("reuse-rate", Status.INCONCLUSIVE, "the pool served no acquisition after the warm-up", f));
            return;
        }
        reuseOverall = (double) (last.pool().reuses() - first.pool().reuses()) / reuseAcquires;
        f.put("overall", reuseOverall);
        String text = String.format(Locale.ROOT, "%.1f %% of %d acquisitions after the warm-up were reuses (pass mark %.1f %%)",
                reuseOverall * 100, reuseAcquires, options.reusePass() * 100);
        verdicts.add(new Verdict("reuse-rate", reuseOverall >= options.reusePass() ? Status.PASS : Status.FAIL, text, f));
    }

    private void judgeQueues() {
        Map<String, List<Sample>> byName = new LinkedHashMap<>();
        for (Sample s : soak.samples()) {
            for (QueueReading q : s.queues()) {
                byName.computeIfAbsent(q.name(), k -> new ArrayList<>()).add(s);
            }
        }
        if (byName.isEmpty()) {
            return;
        }
        int totalViolations = 0;
        List<String> over = new ArrayList<>();
        for (Map.Entry<String, List<Sample>> e : byName.entrySet()) {
            long capacity = 0;
            long maxSize = 0;
            long maxHwm = 0;
            int violations = 0;
            long firstViolation = -1;
            List<QueueReading> readings = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            for (Sample s : e.getValue()) {
                for (QueueReading q : s.queues()) {
                    if (!q.name().equals(e.getKey())) {
                        continue;
                    }
                    capacity = Math.max(capacity, q.capacity());
                    maxSize = Math.max(maxSize, q.size());
                    maxHwm = Math.max(maxHwm, q.highWaterMark());
                    if (q.size() > q.capacity() || q.highWaterMark() > q.capacity()) {
                        violations++;
                        if (firstViolation < 0) {
                            firstViolation = s.tMs();
                        }
                    }
                    readings.add(q);
                    times.add(s.tMs());
                }
            }
            // Charts: per bucket, the largest size (so that a spike is not thinned away) and the high-water mark.
            List<Point> size = new ArrayList<>();
            List<Point> hwm = new ArrayList<>();
            int step = Math.max(1, readings.size() / MAX_BUCKETS);
            for (int i = 0; i < readings.size(); i += step) {
                long max = 0;
                long maxHigh = 0;
                int end = Math.min(readings.size(), i + step);
                for (int j = i; j < end; j++) {
                    max = Math.max(max, readings.get(j).size());
                    maxHigh = Math.max(maxHigh, readings.get(j).highWaterMark());
                }
                size.add(new Point(times.get(end - 1), max));
                hwm.add(new Point(times.get(end - 1), maxHigh));
            }
            queues.put(e.getKey(), new QueueStats(e.getKey(), capacity, maxSize, maxHwm, violations, firstViolation, size, hwm));
            totalViolations += violations;
            if (violations > 0) {
                over.add(String.format(Locale.ROOT, "%s (capacity %d, max size %d, high-water %d, first at %s)", e.getKey(),
                        capacity, maxSize, maxHwm, duration(firstViolation)));
            }
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("queues", queues.size());
        f.put("violations", totalViolations);
        for (QueueStats q : queues.values()) {
            f.put(q.name() + ".capacity", q.capacity());
            f.put(q.name() + ".maxHighWaterMark", q.maxHighWaterMark());
        }
        verdicts.add(totalViolations == 0
                ? new Verdict("queue-depth", Status.PASS, "no queue ever held more than its capacity (" + queues.size()
                        + (queues.size() == 1 ? " queue)" : " queues)"), f)
                : new Verdict("queue-depth", Status.FAIL, totalViolations + " readings above capacity: " + String.join("; ", over), f));
    }

    private void judgeLeaks() {
        long poolVerdicts = 0;
        boolean hasPool = false;
        for (Sample s : soak.samples()) {
            if (s.pool() != null) {
                hasPool = true;
                poolVerdicts = Math.max(poolVerdicts, s.pool().leakVerdicts());
            }
        }
        long events = soak.events().stream().filter(e -> "leak".equals(e.kind())).count();
        if (!hasPool && events == 0) {
            return;
        }
        boolean injected = "lease".equals(soak.header().injectLeakKind());
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("poolLeakVerdicts", poolVerdicts);
        f.put("leakEvents", events);
        f.put("injectedLeaseLeak", injected);
        long found = Math.max(poolVerdicts, events);
        if (injected) {
            verdicts.add(new Verdict("pool-leaks", found > 0 ? Status.PASS : Status.FAIL, found > 0
                    ? "the pool found the injected lease leak: " + poolVerdicts + " leak verdicts, " + events + " leak events"
                    : "the pool found NONE of the injected leaked leases", f));
        } else {
            verdicts.add(new Verdict("pool-leaks", found == 0 ? Status.PASS : Status.FAIL, found == 0
                    ? "no pool lease was leaked"
                    : "the pool declared leases leaked: " + poolVerdicts + " leak verdicts, " + events + " leak events", f));
        }
    }

    /** A duration as {@code 1h 02m}, {@code 3m 05s} or {@code 12.5s}. */
    static String duration(long ms) {
        if (ms >= 3_600_000) {
            return String.format(Locale.ROOT, "%dh %02dm", ms / 3_600_000, ms / 60_000 % 60);
        }
        if (ms >= 60_000) {
            return String.format(Locale.ROOT, "%dm %02ds", ms / 60_000, ms / 1000 % 60);
        }
        return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        // A day-long soak resolves thousandths of a MiB/h: keep small figures visible.
        return v == 0 || Math.abs(v) >= 0.01 ? String.format(Locale.ROOT, "%.3f", v) : String.format(Locale.ROOT, "%.2e", v);
    }
}

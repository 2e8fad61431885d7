package dev.leakproof.reports;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One report being written: gathers what {@link ReportTool} read and judged, and writes
 * {@code index.html}, {@code summary.md} and {@code verdict.json}. {@code summary.md} and
 * {@code verdict.json} depend on the inputs alone (no time stamp, no absolute path), so that they
 * can be compared with golden files; the page carries the generation time.
 */
final class Report {

    /** Most benchmark bar charts on one page (one per benchmark and parameter set). */
    static final int MAX_BENCHMARK_CHARTS = 12;

    final String title;
    final Path out;
    final List<String> baselines;
    final List<Verdict> verdicts = new ArrayList<>();
    String jmhFile;
    List<JmhResults.Row> rows = List.of();
    String compareFile;
    JmhComparison.Result comparison;
    double regressionThresholdPercent;
    double alpha;
    String soakFile;
    SoakAnalysis soak;
    final List<JcstressSummary.Summary> jcstress = new ArrayList<>();
    List<Path> flames = List.of();

    Report(String title, Path out, List<String> baselines) {
        this.title = title;
        this.out = out;
        this.baselines = List.copyOf(baselines);
    }

    void write() throws IOException {
        Map<String, String> inputs = new LinkedHashMap<>();
        if (jmhFile != null) {
            inputs.put("jmh", jmhFile);
        }
        if (compareFile != null) {
            inputs.put("compareJmh", compareFile);
        }
        if (soakFile != null) {
            inputs.put("soak", soakFile);
        }
        for (JcstressSummary.Summary s : jcstress) {
            inputs.put("jcstress-" + s.kind(), link(s.dir().resolve("summary.json")));
        }
        ReportTool.writeVerdict(out.resolve("verdict.json"), title, verdicts, inputs);
        Files.writeString(out.resolve("summary.md"), markdown(), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("index.html"), html(), StandardCharsets.UTF_8);
    }

    private boolean pass() {
        return verdicts.stream().allMatch(Verdict::passed);
    }

    // ---------------------------------------------------------------- Markdown

    private String markdown() {
        StringBuilder md = new StringBuilder("# ").append(title).append("\n\n");
        md.append("**Overall: ").append(pass() ? "PASS" : "FAIL").append("**\n\n");
        md.append("| check | status | detail |\n|---|---|---|\n");
        for (Verdict v : verdicts) {
            md.append("| ").append(v.name()).append(" | ").append(v.status()).append(" | ").append(mdCell(v.detail())).append(" |\n");
        }
        if (soak != null) {
            md.append("\n## Soak\n\n");
            SoakSamples.Header h = soak.soak().header();
            md.append(String.format(Locale.ROOT, "Workload `%s`, seed %d, JVM %s, heap max %s MiB, planned %s, injected leak: %s.%n%n",
                    h.workload(), h.seed(), h.jvmVersion(), fmt(h.heapMaxBytes() / 1048576.0),
                    SoakAnalysis.duration(h.plannedDurationMs()), injected(h)));
            md.append("| heap trend | value |\n|---|---:|\n");
            for (String[] row : heapRows()) {
                md.append("| ").append(row[0]).append(" | ").append(row[1]).append(" |\n");
            }
            for (String w : soak.warnings()) {
                md.append("\n> Warning: ").append(w).append('\n');
            }
            if (!soak.queueNames().isEmpty()) {
                md.append("\n| queue | capacity | max size | max high-water mark | readings above capacity |\n|---|---:|---:|---:|---:|\n");
                for (String name : soak.queueNames()) {
                    SoakAnalysis.QueueStats q = soak.queues().get(name);
                    md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d |%n", name, q.capacity(), q.maxSize(),
                            q.maxHighWaterMark(), q.violations()));
                }
            }
        }
        if (jmhFile != null) {
            md.append("\n## Benchmarks\n\n");
            if (rows.isEmpty()) {
                md.append("No benchmark results.\n");
            } else {
                Map<String, Map<JmhResults.Row, Double>> ratios = ratios();
                md.append("| benchmark | params | score | unit | transfers/us | B/op |");
                ratios.keySet().forEach(base -> md.append(" vs ").append(base).append(" |"));
                md.append("\n|---|---|---:|---|---:|---:|").append("---:|".repeat(ratios.size())).append('\n');
                for (JmhResults.Row r : rows) {
                    md.append("| ").append(r.shortName()).append(" | ").append(r.params())
                            .append(" | ").append(scoreText(r))
                            .append(" | ").append(r.unit())
                            .append(" | ").append(r.secondary().containsKey(JmhResults.TRANSFERS) ? fmt(r.workScore()) : "")
                            .append(" | ").append(r.bytesPerOp().map(Report::fmt).orElse("")).append(" |");
                    ratios.values().forEach(m -> md.append(' ').append(ratioText(m, r)).append(" |"));
                    md.append('\n');
                }
            }
        }
        if (comparison != null) {
            md.append("\n## Comparison with ").append(compareFile).append("\n\n");
            md.append(comparisonNote()).append("\n\n");
            md.append("| benchmark | params | old | new | unit | change | p | B/op old -> new | flag |\n");
            md.append("|---|---|---:|---:|---|---:|---:|---:|---|\n");
            for (JmhComparison.Change c : comparison.changes()) {
                md.append("| ").append(c.newRow().shortName()).append(" | ").append(c.newRow().params())
                        .append(" | ").append(scoreText(c.oldRow())).append(" | ").append(scoreText(c.newRow()))
                        .append(" | ").append(c.newRow().unit())
                        .append(" | ").append(String.format(Locale.ROOT, "%+.1f %%", c.changePercent()))
                        .append(" | ").append(pText(c.pValue()))
                        .append(" | ").append(bytesChange(c))
                        .append(" | ").append(c.flag()).append(" |\n");
            }
            if (!comparison.onlyOld().isEmpty() || !comparison.onlyNew().isEmpty()) {
                md.append("\nOnly in the old run: ").append(comparison.onlyOld().size())
                        .append("; only in the new run: ").append(comparison.onlyNew().size()).append(".\n");
            }
        }
        for (JcstressSummary.Summary s : jcstress) {
            md.append("\n## jcstress ").append(s.kind()).append("\n\n");
            md.append(String.format(Locale.ROOT, "%d tests: %d passed, %d did not (jcstress exit %d). Report: `%s`.%n",
                    s.tests().size(), s.count("PASSED"), s.tests().size() - s.count("PASSED"), s.jcstressExit(),
                    link(s.dir().resolve("index.html"))));
            List<Map.Entry<String, String>> notable = notable(s);
            if (!notable.isEmpty()) {
                md.append("\n| test | status |\n|---|---|\n");
                for (Map.Entry<String, String> e : notable) {
                    md.append("| ").append(e.getKey()).append(" | ").append(e.getValue()).append(" |\n");
                }
            }
        }
        if (!flames.isEmpty()) {
            md.append("\n## Flame graphs\n\n");
            for (Path f : flames) {
                md.append("- [").append(f.getFileName()).append("](").append(link(f)).append(")\n");
            }
        }
        return md.toString();
    }

    // ---------------------------------------------------------------- HTML

    private String html() {
        StringBuilder b = new StringBuilder();
        int[] charts = {0};
        b.append("<h1>").append(esc(title)).append("</h1>");
        b.append("<p class=\"overall ").append(pass() ? "pass" : "fail").append("\">Overall: ").append(pass() ? "PASS" : "FAIL").append("</p>");
        b.append("<h2>Verdicts</h2><table><tr><th>check</th><th>status</th><th>detail</th></tr>");
        for (Verdict v : verdicts) {
            b.append("<tr><td>").append(esc(v.name())).append("</td><td class=\"st ").append(v.passed() ? "pass" : "fail")
                    .append("\">").append(v.status()).append("</td><td>").append(esc(v.detail())).append("</td></tr>");
        }
        b.append("</table>");
        if (soak != null) {
            soakHtml(b, charts);
        }
        if (jmhFile != null) {
            benchmarksHtml(b, charts);
        }
        if (comparison != null) {
            comparisonHtml(b, charts);
        }
        for (JcstressSummary.Summary s : jcstress) {
            b.append("<h2>jcstress ").append(esc(s.kind())).append("</h2><p>")
                    .append(String.format(Locale.ROOT, "%d tests: %d passed, %d did not (jcstress exit %d). ", s.tests().size(),
                            s.count("PASSED"), s.tests().size() - s.count("PASSED"), s.jcstressExit()))
                    .append("<a href=\"").append(esc(link(s.dir().resolve("index.html")))).append("\">jcstress report</a></p>");
            List<Map.Entry<String, String>> notable = notable(s);
            if (!notable.isEmpty()) {
                b.append("<table><tr><th>test</th><th>status</th></tr>");
                for (Map.Entry<String, String> e : notable) {
                    b.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(esc(e.getValue())).append("</td></tr>");
                }
                b.append("</table>");
            }
        }
        if (!flames.isEmpty()) {
            b.append("<h2>Flame graphs</h2><ul>");
            for (Path f : flames) {
                b.append("<li><a href=\"").append(esc(link(f))).append("\">").append(esc(f.getFileName().toString())).append("</a></li>");
            }
            b.append("</ul>");
        }
        b.append("<footer>Generated ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append(" by the leakproof report tool. verdict.json and summary.md hold the same verdicts.</footer>");
        return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"leakproof-charts\" content=\"" + charts[0] + "\"><title>" + esc(title) + "</title><style>"
                + "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
                + "table{border-collapse:collapse;margin:0.5em 0;font-size:0.92em}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}"
                + "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}th{background:#f3f3f3}"
                + ".overall{font-size:1.4em;font-weight:bold;padding:0.3em 0.6em;display:inline-block;border-radius:4px}"
                + ".pass{background:#d9f2d9;color:#145214}.fail{background:#f8d7d7;color:#7a1111}td.st{font-weight:bold}"
                + ".warn{background:#fff4cc;border-left:4px solid #e0a800;padding:0.5em 1em}"
                + "img.chart{display:block;margin:1em 0;max-width:100%;border:1px solid #eee}div.wide{overflow-x:auto;max-width:100%}"
                + "footer{margin-top:3em;color:#777;font-size:0.85em}</style></head><body>"
                + b + "</body></html>\n";
    }

    private void soakHtml(StringBuilder b, int[] charts) {
        SoakSamples.Header h = soak.soak().header();
        b.append("<h2>Soak</h2><p>").append(esc(String.format(Locale.ROOT,
                "Workload %s, seed %d, started %s, JVM %s, heap max %s MiB, planned %s, injected leak: %s.", h.workload(), h.seed(),
                h.startedAt(), h.jvmVersion(), fmt(h.heapMaxBytes() / 1048576.0), SoakAnalysis.duration(h.plannedDurationMs()),
                injected(h)))).append("</p>");
        if (soak.soak().end() == null) {
            b.append("<p class=\"warn\"><strong>The soak crashed:</strong> the samples file has no end record. "
                    + "The figures below cover the run up to its last record.</p>");
        }
        for (String w : soak.warnings()) {
            b.append("<p class=\"warn\">").append(esc(w)).append("</p>");
        }
        b.append("<table><tr><th>heap trend</th><th>value</th></tr>");
        for (String[] row : heapRows()) {
            b.append("<tr><td>").append(esc(row[0])).append("</td><td class=n>").append(esc(row[1])).append("</td></tr>");
        }
        b.append("</table>");
        if (!soak.soak().samples().isEmpty()) {
            chart(b, charts, Charts.heap(soak), "heap over time with the fitted line");
        }
        if (!soak.reuseOverTime().isEmpty()) {
            double mark = verdicts.stream().filter(v -> "reuse-rate".equals(v.name())).findFirst()
                    .map(v -> ((Number) v.figures().get("passMark")).doubleValue()).orElse(0.9);
            chart(b, charts, Charts.reuse(soak, mark), "pool reuse rate over time");
        }
        if (!soak.queueNames().isEmpty()) {
            b.append("<table><tr><th>queue</th><th>capacity</th><th>max size</th><th>max high-water mark</th><th>readings above capacity</th></tr>");
            for (String name : soak.queueNames()) {
                SoakAnalysis.QueueStats q = soak.queues().get(name);
                b.append("<tr><td>").append(esc(name)).append("</td><td class=n>").append(q.capacity()).append("</td><td class=n>")
                        .append(q.maxSize()).append("</td><td class=n>").append(q.maxHighWaterMark()).append("</td><td class=n>")
                        .append(q.violations()).append("</td></tr>");
            }
            b.append("</table>");
            for (String name : soak.queueNames()) {
                chart(b, charts, Charts.queue(soak, soak.queues().get(name)), "queue " + name + " depth over time");
            }
        }
    }

    private void benchmarksHtml(StringBuilder b, int[] charts) {
        b.append("<h2>Benchmarks</h2>");
        if (rows.isEmpty()) {
            b.append("<p>No benchmark results.</p>");
            return;
        }
        Map<String, Map<JmhResults.Row, Double>> ratios = ratios();
        b.append("<p>Ratios compare successful transfers (or the score) with each baseline implementation (")
                .append(ratios.isEmpty() ? "none of " + esc(String.join(", ", baselines)) + " ran" : esc(String.join(", ", ratios.keySet())))
                .append(") measured in the same run, with the same other parameters: above 1 is more work done for throughput scores, "
                        + "but less time per operation below 1 for time scores. Errors are JMH's 99.9 % intervals.</p>")
                .append("<div class=wide><table><tr><th>benchmark</th><th>params</th><th>score</th><th>unit</th><th>transfers/us</th><th>B/op</th>");
        ratios.keySet().forEach(base -> b.append("<th>&times; ").append(esc(base)).append("</th>"));
        b.append("</tr>");
        for (JmhResults.Row r : rows) {
            b.append("<tr><td>").append(esc(r.shortName())).append("</td><td>").append(esc(r.params().toString()))
                    .append("</td><td class=n>").append(scoreText(r))
                    .append("</td><td>").append(esc(r.unit()))
                    .append("</td><td class=n>").append(r.secondary().containsKey(JmhResults.TRANSFERS) ? fmt(r.workScore()) : "")
                    .append("</td><td class=n>").append(r.bytesPerOp().map(Report::fmt).orElse("")).append("</td>");
            ratios.values().forEach(m -> b.append("<td class=n>").append(ratioText(m, r)).append("</td>"));
            b.append("</tr>");
        }
        b.append("</table></div>");
        Map<String, List<JmhResults.Row>> groups = new LinkedHashMap<>();
        for (JmhResults.Row r : rows) {
            groups.computeIfAbsent(r.groupKey(), k -> new ArrayList<>()).add(r);
        }
        int drawn = 0;
        for (List<JmhResults.Row> group : groups.values()) {
            if (drawn++ == MAX_BENCHMARK_CHARTS) {
                b.append("<p>").append(groups.size() - MAX_BENCHMARK_CHARTS).append(" more benchmark groups: see the table.</p>");
                break;
            }
            JmhResults.Row first = group.get(0);
            Map<String, String> rest = new java.util.TreeMap<>(first.params());
            rest.remove("impl");
            String unit = first.unit() + (first.secondary().containsKey(JmhResults.TRANSFERS) ? " (successful transfers)" : "");
            chart(b, charts, Charts.benchmarks(first.shortName() + (rest.isEmpty() ? "" : " " + rest), group, unit),
                    "benchmark " + first.shortName());
        }
    }

    private void comparisonHtml(StringBuilder b, int[] charts) {
        b.append("<h2>Comparison with ").append(esc(compareFile)).append("</h2><p>").append(esc(comparisonNote())).append("</p>");
        b.append("<table><tr><th>#</th><th>benchmark and params</th><th>old</th><th>new</th><th>unit</th><th>change</th><th>p</th>")
                .append("<th>B/op old &rarr; new</th><th>flag</th></tr>");
        Map<JmhComparison.Change, String> labels = new LinkedHashMap<>();
        for (JmhComparison.Change c : comparison.changes()) {
            // Numbers, not names, label the bars: names long enough to tell benchmarks apart crowd the chart out.
            labels.put(c, "#" + (labels.size() + 1));
            b.append("<tr><td>").append(labels.get(c)).append("</td><td>").append(esc(c.newRow().shortName()))
                    .append("<br><small>").append(esc(c.newRow().params().toString())).append("</small>")
                    .append("</td><td class=n>").append(scoreText(c.oldRow())).append("</td><td class=n>").append(scoreText(c.newRow()))
                    .append("</td><td>").append(esc(c.newRow().unit()))
                    .append("</td><td class=n>").append(String.format(Locale.ROOT, "%+.1f %%", c.changePercent()))
                    .append("</td><td class=n>").append(pText(c.pValue()))
                    .append("</td><td class=n>").append(esc(bytesChange(c)))
                    .append("</td><td class=\"st ").append(c.flag() == JmhComparison.Flag.REGRESSION ? "fail" : "pass").append("\">")
                    .append(c.flag()).append("</td></tr>");
        }
        b.append("</table>");
        if (!comparison.onlyOld().isEmpty() || !comparison.onlyNew().isEmpty()) {
            b.append("<p>Only in the old run: ").append(esc(String.join(", ", comparison.onlyOld()))).append(". Only in the new run: ")
                    .append(esc(String.join(", ", comparison.onlyNew()))).append(".</p>");
        }
        if (!comparison.changes().isEmpty()) {
            chart(b, charts, Charts.comparison(comparison.changes(), labels), "score change per benchmark");
        }
    }

    private static void chart(StringBuilder b, int[] charts, String dataUri, String alt) {
        charts[0]++;
        b.append("<img class=\"chart\" alt=\"").append(esc(alt)).append("\" src=\"").append(dataUri).append("\">");
    }

    // ---------------------------------------------------------------- shared bits

    /** Ratios against each baseline that ran, by baseline, in the order given. */
    private Map<String, Map<JmhResults.Row, Double>> ratios() {
        Map<String, Map<JmhResults.Row, Double>> all = new LinkedHashMap<>();
        for (String base : baselines) {
            Map<JmhResults.Row, Double> r = JmhResults.ratios(rows, base);
            if (!r.isEmpty()) {
                all.put(base, r);
            }
        }
        return all;
    }

    private static String ratioText(Map<JmhResults.Row, Double> ratios, JmhResults.Row r) {
        return ratios.containsKey(r) ? String.format(Locale.ROOT, "%.2fx", ratios.get(r)) : "";
    }

    private String comparisonNote() {
        return String.format(Locale.ROOT, "Change of the primary score, new run (%s) against old (%s). A REGRESSION is worse by more "
                        + "than %s %% (lower throughput, or more time per operation) and significant at %s in a two-sided "
                        + "Mann-Whitney U test of the per-iteration scores (a rank test, robust to the outlier iterations "
                        + "of a shared machine).", jmhFile, compareFile, compact(regressionThresholdPercent), alpha);
    }

    private List<String[]> heapRows() {
        HeapTrend.Fit fit = soak.fit();
        Map<String, Object> f = verdicts.stream().filter(v -> "heap-growth".equals(v.name())).findFirst()
                .map(Verdict::figures).orElse(Map.of());
        List<String[]> r = new ArrayList<>();
        r.add(new String[] {"readings fitted", fit.samples() + " " + soak.basis()});
        r.add(new String[] {"warm-up left out", SoakAnalysis.duration(soak.warmupMs())});
        r.add(new String[] {"slope", SoakAnalysis.num(fit.slopeMibPerHour()) + " MiB/h"});
        r.add(new String[] {"95 % confidence interval", SoakAnalysis.num(fit.ciLow()) + " to " + SoakAnalysis.num(fit.ciHigh()) + " MiB/h"});
        r.add(new String[] {"resolution (CI half-width)", "±" + SoakAnalysis.num(fit.resolution()) + " MiB/h"});
        r.add(new String[] {"threshold", SoakAnalysis.num(fit.thresholdMibPerHour()) + " MiB/h"});
        r.add(new String[] {"p-value (slope ≠ 0)", pText(fit.pValue())});
        r.add(new String[] {"R²", SoakAnalysis.num(fit.rSquared())});
        if (f.containsKey("floorFirstMib")) {
            r.add(new String[] {"floor, first window -> last window", SoakAnalysis.num((Double) f.get("floorFirstMib")) + " -> "
                    + SoakAnalysis.num((Double) f.get("floorLastMib")) + " MiB"});
            r.add(new String[] {"floor rise (tolerance)", SoakAnalysis.num((Double) f.get("floorRiseMib")) + " MiB ("
                    + SoakAnalysis.num((Double) f.get("floorToleranceMib")) + " MiB)"});
        }
        if (!Double.isNaN(soak.reuseOverall())) {
            r.add(new String[] {"pool reuse rate after warm-up", String.format(Locale.ROOT, "%.1f %%", soak.reuseOverall() * 100)});
        }
        return r;
    }

    private static String injected(SoakSamples.Header h) {
        return "none".equals(h.injectLeakKind()) ? "none"
                : h.injectLeakKind() + " at " + fmt(h.injectBytesPerMinute()) + " bytes/min";
    }

    private static List<Map.Entry<String, String>> notable(JcstressSummary.Summary s) {
        String expected = "controls".equals(s.kind()) ? "FAILED" : "PASSED";
        return s.tests().entrySet().stream().filter(e -> !expected.equals(e.getValue())).toList();
    }

    private static String scoreText(JmhResults.Row r) {
        return fmt(r.score()) + (r.error() > 0 ? " ± " + fmt(r.error()) : "");
    }

    private static String bytesChange(JmhComparison.Change c) {
        if (Double.isNaN(c.oldBytesPerOp()) && Double.isNaN(c.newBytesPerOp())) {
            return "";
        }
        return fmt(c.oldBytesPerOp()) + " -> " + fmt(c.newBytesPerOp());
    }

    private static String pText(double p) {
        if (Double.isNaN(p)) {
            return "n/a";
        }
        return p < 0.0001 ? "< 0.0001" : String.format(Locale.ROOT, "%.4f", p);
    }

    /** A link from the output folder to {@code target}, relative when possible, with forward slashes. */
    String link(Path target) {
        Path from = out.toAbsolutePath().normalize();
        Path to = target.toAbsolutePath().normalize();
        try {
            return from.relativize(to).toString().replace('\\', '/');
        } catch (IllegalArgumentException e) {
            return to.toUri().toString();
        }
    }

    private static String mdCell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        // Allocation targets are stated in hundredths of a byte per operation: keep small values visible.
        return v != 0 && Math.abs(v) < 0.01 ? String.format(Locale.ROOT, "%.5f", v) : String.format(Locale.ROOT, "%.3f", v);
    }

    /** A number with at most 3 decimals and no trailing zeros: 5, 2.5. */
    static String compact(double v) {
        return new java.math.BigDecimal(v).setScale(3, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

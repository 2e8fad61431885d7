package dev.leakproof.reports;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * The report tool: turns one run's results into {@code index.html} (self-contained: charts are
 * embedded PNG, no script, no external resource), {@code summary.md} and {@code verdict.json}
 * (format {@value #VERDICT_FORMAT}) in an output folder.
 *
 * <p>Inputs, each optional but at least one needed: JMH JSON ({@code --jmh}, with ratios against a
 * each baseline implementation of the same run, and {@code --compare-jmh} for a two-run comparison),
 * soak samples ({@code --soak}, format {@code leakproof-soak-samples} 1), jcstress summaries
 * ({@code --jcstress}, format 1) and flame graphs ({@code --flame}, linked).
 *
 * <p>Exit code: 0 when every verdict passes, 1 when one fails (FAIL, LEAK or INCONCLUSIVE), 2 on
 * bad input (unreadable file, unknown format or version, bad option value).
 */
@Command(name = "report", mixinStandardHelpOptions = true, version = "leakproof report 0.2", sortOptions = false,
        description = "Writes index.html, summary.md and verdict.json for one run. Exit code: 0 every verdict passed, "
                + "1 a verdict failed, 2 bad input.")
public final class ReportTool implements Callable<Integer> {

    /** Format version of verdict.json. */
    public static final int VERDICT_FORMAT = 2;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, description = "Output folder (created if missing).")
    Path out;

    @Option(names = "--title", defaultValue = "leakproof run", description = "Page title (default: ${DEFAULT-VALUE}).")
    String title;

    @Option(names = "--jmh", description = "JMH JSON result file (-rf json); with --compare-jmh, the NEW run.")
    Path jmh;

    @Option(names = "--baseline", split = ",", paramLabel = "IMPL",
            defaultValue = "ARRAY_BLOCKING_QUEUE,JCTOOLS_MPMC,SEED_PORT,NETTY_POOLED",
            description = "The impl parameters whose rows are baselines of ratios, comma-separated or repeated; a column "
                    + "per baseline that ran (default: ${DEFAULT-VALUE}).")
    List<String> baselines;

    @Option(names = "--compare-jmh", paramLabel = "OLD.json",
            description = "JMH JSON of an older run (another commit or JDK): per-benchmark change against --jmh.")
    Path compareJmh;

    @Option(names = "--regression-threshold", defaultValue = "5%", paramLabel = "PERCENT",
            description = "Smallest worsening flagged as a regression, when significant (default: ${DEFAULT-VALUE}).")
    String regressionThreshold;

    @Option(names = "--alpha", defaultValue = "0.05",
            description = "Significance level of the two-run comparison (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--soak", paramLabel = "FILE", description = "Soak samples (samples.jsonl, leakproof-soak-samples v1).")
    Path soak;

    @Option(names = "--leak-threshold", defaultValue = "1MiB/h", paramLabel = "RATE",
            description = "Heap growth that is a leak: 1, 1MiB/h, 60MiB/h (default: ${DEFAULT-VALUE}).")
    String leakThreshold;

    @Option(names = "--warmup", paramLabel = "DURATION|PERCENT",
            description = "Start of the run left out of the heap fit: 30m, 1h, 10%% (default: min(10%% of the run, 1h)).")
    String warmup;

    @Option(names = "--floor-tolerance", defaultValue = "5%", paramLabel = "PERCENT|MiB",
            description = "Tolerated rise of the heap floor, last window vs first: 5%% of the first floor (at least 1 MiB), "
                    + "or a size like 8MiB (default: ${DEFAULT-VALUE}).")
    String floorTolerance;

    @Option(names = "--reuse-pass", defaultValue = "0.90", paramLabel = "FRACTION",
            description = "Pass mark of the pool's overall reuse rate: 0.9 or 90%% (default: ${DEFAULT-VALUE}).")
    String reusePass;

    @Option(names = "--jcstress", paramLabel = "DIR",
            description = "Folder holding a jcstress summary.json from scripts/stress.sh (repeatable).")
    List<Path> jcstress = new ArrayList<>();

    @Option(names = "--flame", paramLabel = "DIR", description = "Folder of flame graph HTML files to link.")
    Path flame;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ReportTool()).execute(args));
    }

    @Override
    public Integer call() {
        try {
            return run();
        } catch (InputException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("report: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            spec.commandLine().getErr().println("report: cannot write to " + out + ": " + e.getMessage());
            return 2;
        } catch (UncheckedIOException e) {
            spec.commandLine().getErr().println("report: " + e.getMessage());
            return 2;
        }
    }

    private int run() throws InputException, IOException {
        if (jmh == null && soak == null && jcstress.isEmpty()) {
            throw new InputException("nothing to report: give --jmh, --soak or --jcstress");
        }
        if (compareJmh != null && jmh == null) {
            throw new InputException("--compare-jmh " + compareJmh + " needs --jmh (the new run to compare with it)");
        }
        Report report = new Report(title, out, baselines);
        if (jmh != null) {
            report.jmhFile = report.link(jmh);
            report.rows = JmhResults.read(jmh);
            report.verdicts.add(report.rows.isEmpty()
                    ? new Verdict("benchmarks-ran", Verdict.Status.FAIL, jmh.getFileName() + " holds no benchmark result", Map.of("rows", 0))
                    : new Verdict("benchmarks-ran", Verdict.Status.PASS, report.rows.size() + " benchmark results",
                    Map.of("rows", report.rows.size())));
        }
        if (compareJmh != null) {
            double threshold = Quantities.percent("--regression-threshold", regressionThreshold);
            if (Double.isNaN(threshold)) {
                threshold = Double.parseDouble(checkNumber("--regression-threshold", regressionThreshold)) / 100.0;
            }
            report.compareFile = report.link(compareJmh);
            report.comparison = JmhComparison.compare(JmhResults.read(compareJmh), report.rows, threshold * 100, alpha);
            report.regressionThresholdPercent = threshold * 100;
            report.alpha = alpha;
            List<JmhComparison.Change> regressions = report.comparison.regressions();
            Map<String, Object> f = new java.util.LinkedHashMap<>();
            f.put("compared", report.comparison.changes().size());
            f.put("regressions", regressions.size());
            f.put("improvements", report.comparison.changes().stream().filter(c -> c.flag() == JmhComparison.Flag.IMPROVEMENT).count());
            f.put("thresholdPercent", threshold * 100);
            f.put("alpha", alpha);
            f.put("test", "Mann-Whitney U, two-sided, on per-iteration scores");
            if (report.comparison.changes().isEmpty()) {
                report.verdicts.add(new Verdict("jmh-regressions", Verdict.Status.INCONCLUSIVE,
                        "the two runs have no benchmark in common", f));
            } else {
                report.verdicts.add(new Verdict("jmh-regressions", regressions.isEmpty() ? Verdict.Status.PASS : Verdict.Status.FAIL,
                        regressions.isEmpty() ? "no significant regression beyond " + Report.compact(threshold * 100) + " % in "
                                + report.comparison.changes().size() + " benchmarks"
                                : regressions.size() + " benchmarks regressed beyond " + Report.compact(threshold * 100)
                                + " % (significant at " + alpha + ")", f));
            }
        }
        if (soak != null) {
            report.soakFile = report.link(soak);
            report.soak = SoakAnalysis.of(SoakSamples.read(soak), soakOptions());
            report.verdicts.addAll(report.soak.verdicts());
        }
        for (Path dir : jcstress) {
            JcstressSummary.Summary s = JcstressSummary.read(dir);
            report.jcstress.add(s);
            report.verdicts.add(s.verdict());
        }
        if (flame != null) {
            if (!Files.isDirectory(flame)) {
                throw new InputException("--flame " + flame + " is not a folder");
            }
            try (Stream<Path> files = Files.list(flame)) {
                report.flames = files.filter(p -> p.getFileName().toString().endsWith(".html")).sorted().toList();
            }
        }
        Files.createDirectories(out);
        report.write();
        boolean pass = report.verdicts.stream().allMatch(Verdict::passed);
        java.io.PrintWriter stdout = spec.commandLine().getOut();
        stdout.println("report " + (pass ? "PASS" : "FAIL") + ": " + out.resolve("index.html"));
        for (Verdict v : report.verdicts) {
            stdout.println("  " + v.status() + " " + v.name() + ": " + v.detail());
        }
        stdout.flush();
        return pass ? 0 : 1;
    }

    private SoakAnalysis.Options soakOptions() {
        double threshold = Quantities.mibPerHour("--leak-threshold", leakThreshold);
        double warmupFraction = Double.NaN;
        long warmupMs = -1;
        if (warmup != null) {
            warmupFraction = Quantities.percent("--warmup", warmup);
            if (Double.isNaN(warmupFraction)) {
                warmupMs = Quantities.durationMs("--warmup", warmup);
            }
        }
        double tolerancePercent = Quantities.percent("--floor-tolerance", floorTolerance);
        double toleranceMib = Double.NaN;
        if (Double.isNaN(tolerancePercent)) {
            toleranceMib = Quantities.mib(floorTolerance);
            if (Double.isNaN(toleranceMib)) {
                throw new IllegalArgumentException("--floor-tolerance must be a percentage like 5% or a size like 8MiB, not '"
                        + floorTolerance + "'");
            }
        }
        return new SoakAnalysis.Options(threshold, warmupFraction, warmupMs, tolerancePercent, toleranceMib,
                Quantities.fraction("--reuse-pass", reusePass));
    }

    private static String checkNumber(String option, String text) {
        try {
            double v = Double.parseDouble(text.trim());
            if (v >= 0) {
                return text.trim();
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be a percentage like 5% (or 5), not '" + text + "'");
    }

    /** Writes verdict.json; shared with {@link Report}. */
    static void writeVerdict(Path file, String title, List<Verdict> verdicts, Map<String, String> inputs) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("format", VERDICT_FORMAT);
        root.put("title", title);
        root.put("status", verdicts.stream().allMatch(Verdict::passed) ? "PASS" : "FAIL");
        ObjectNode in = root.putObject("inputs");
        inputs.forEach(in::put);
        ArrayNode list = root.putArray("verdicts");
        for (Verdict v : verdicts) {
            ObjectNode node = list.addObject();
            node.put("name", v.name());
            node.put("status", v.status().name());
            node.put("detail", v.detail());
            ObjectNode figures = node.putObject("figures");
            v.figures().forEach((k, value) -> {
                if (value instanceof Double d) {
                    if (Double.isFinite(d)) {
                        figures.put(k, new java.math.BigDecimal(d).round(new java.math.MathContext(6)).doubleValue());
                    } else {
                        figures.putNull(k);
                    }
                } else {
                    figures.putPOJO(k, value);
                }
            });
        }
        mapper.writeValue(file.toFile(), root);
    }
}

package dev.leakproof.reports;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The report tool: turns one run's results into {@code index.html} (self-contained),
 * {@code summary.md} and {@code verdict.json} in an output folder. Exit code 0 when every verdict
 * passes, 1 when one fails, 2 on bad input.
 *
 * <p>Inputs so far: a JMH JSON result file, with ratios against a baseline implementation in the
 * same run. Soak samples and jcstress results are added by later issues.
 */
@Command(name = "report", mixinStandardHelpOptions = true, version = "leakproof report 0.1",
        description = "Writes index.html, summary.md and verdict.json for one run.")
public final class ReportTool implements Callable<Integer> {

    /** Format version of verdict.json. */
    public static final int VERDICT_FORMAT = 1;

    @Option(names = "--jmh", description = "JMH JSON result file (-rf json).")
    Path jmh;

    @Option(names = "--out", required = true, description = "Output folder (created if missing).")
    Path out;

    @Option(names = "--baseline", defaultValue = "ARRAY_BLOCKING_QUEUE",
            description = "The impl parameter whose rows are the baseline of ratios (default: ${DEFAULT-VALUE}).")
    String baseline;

    @Option(names = "--title", defaultValue = "leakproof run", description = "Page title (default: ${DEFAULT-VALUE}).")
    String title;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ReportTool()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        Files.createDirectories(out);
        List<JmhResults.Row> rows = jmh == null ? List.of() : JmhResults.read(jmh);
        Map<JmhResults.Row, Double> ratios = JmhResults.ratios(rows, baseline);
        boolean benchmarksPresent = jmh == null || !rows.isEmpty();

        Files.writeString(out.resolve("index.html"), html(rows, ratios), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("summary.md"), markdown(rows, ratios), StandardCharsets.UTF_8);
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode verdict = mapper.createObjectNode();
        verdict.put("format", VERDICT_FORMAT);
        verdict.put("generated", Instant.now().toString());
        ArrayNode checks = verdict.putArray("checks");
        ObjectNode bench = checks.addObject();
        bench.put("name", "benchmarks-ran");
        bench.put("pass", benchmarksPresent);
        bench.put("detail", rows.size() + " benchmark rows");
        verdict.put("pass", benchmarksPresent);
        mapper.writeValue(out.resolve("verdict.json").toFile(), verdict);
        System.out.println("report written to " + out.resolve("index.html"));
        return benchmarksPresent ? 0 : 1;
    }

    private String markdown(List<JmhResults.Row> rows, Map<JmhResults.Row, Double> ratios) {
        StringBuilder md = new StringBuilder("# ").append(title).append("\n\n");
        if (rows.isEmpty()) {
            return md.append("No benchmark results.\n").toString();
        }
        md.append("| benchmark | params | score | unit | transfers/us | B/op | vs ").append(baseline).append(" |\n");
        md.append("|---|---|---:|---|---:|---:|---:|\n");
        for (JmhResults.Row r : rows) {
            md.append("| ").append(r.shortName()).append(" | ").append(r.params())
                    .append(" | ").append(fmt(r.score())).append(r.error() > 0 ? " ± " + fmt(r.error()) : "")
                    .append(" | ").append(r.unit())
                    .append(" | ").append(r.secondary().containsKey(JmhResults.TRANSFERS) ? fmt(r.workScore()) : "")
                    .append(" | ").append(r.bytesPerOp().map(ReportTool::fmt).orElse(""))
                    .append(" | ").append(ratios.containsKey(r) ? String.format(Locale.ROOT, "%.2fx", ratios.get(r)) : "")
                    .append(" |\n");
        }
        return md.toString();
    }

    private String html(List<JmhResults.Row> rows, Map<JmhResults.Row, Double> ratios) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title>")
                .append("<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}")
                .append("td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f3f3}</style></head><body>")
                .append("<h1>").append(esc(title)).append("</h1>");
        if (rows.isEmpty()) {
            h.append("<p>No benchmark results.</p>");
        } else {
            h.append("<h2>Benchmarks</h2><p>Ratios compare successful transfers (or the score) with <code>")
                    .append(esc(baseline)).append("</code> in the same run.</p><table><tr><th>benchmark</th><th>params</th>")
                    .append("<th>score</th><th>unit</th><th>transfers/us</th><th>B/op</th><th>ratio</th></tr>");
            for (JmhResults.Row r : rows) {
                h.append("<tr><td>").append(esc(r.shortName())).append("</td><td>").append(esc(r.params().toString()))
                        .append("</td><td class=n>").append(fmt(r.score())).append(r.error() > 0 ? " ± " + fmt(r.error()) : "")
                        .append("</td><td>").append(esc(r.unit()))
                        .append("</td><td class=n>").append(r.secondary().containsKey(JmhResults.TRANSFERS) ? fmt(r.workScore()) : "")
                        .append("</td><td class=n>").append(r.bytesPerOp().map(ReportTool::fmt).orElse(""))
                        .append("</td><td class=n>").append(ratios.containsKey(r) ? String.format(Locale.ROOT, "%.2fx", ratios.get(r)) : "")
                        .append("</td></tr>");
            }
            h.append("</table>");
        }
        return h.append("</body></html>\n").toString();
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

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

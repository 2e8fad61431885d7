package dev.leakproof.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Golden-file tests: a trimmed JMH JSON of the queue transfer benchmark (JMH 1.37 format). */
class ReportToolTest {

    private static Path golden() throws URISyntaxException {
        return Path.of(ReportToolTest.class.getResource("/golden/jmh-queue-transfer.json").toURI());
    }

    @Test
    void shouldReadRowsAndSecondaryMetricsWhenGivenJmhJson() throws Exception {
        List<JmhResults.Row> rows = JmhResults.read(golden());
        assertEquals(3, rows.size());
        JmhResults.Row abq = rows.stream().filter(r -> "ARRAY_BLOCKING_QUEUE".equals(r.params().get("impl"))).findFirst().orElseThrow();
        assertEquals("QueueTransferBenchmark.transfer", abq.shortName());
        assertEquals(0.941338100636332, abq.workScore(), 1e-12, "work score is the 'polled' transfers, not the raw score");
        assertEquals(0.11127927116903354, abq.bytesPerOp().orElseThrow(), 1e-12);
    }

    @Test
    void shouldComputeRatiosAgainstBaselineInSameGroupWhenBaselinePresent() throws Exception {
        List<JmhResults.Row> rows = JmhResults.read(golden());
        Map<JmhResults.Row, Double> ratios = JmhResults.ratios(rows, "ARRAY_BLOCKING_QUEUE");
        assertEquals(3, ratios.size());
        JmhResults.Row mpmc = rows.stream().filter(r -> "JCTOOLS_MPMC".equals(r.params().get("impl"))).findFirst().orElseThrow();
        assertEquals(5.871411882362018 / 0.941338100636332, ratios.get(mpmc), 1e-9);
        assertTrue(JmhResults.ratios(rows, "NO_SUCH_IMPL").isEmpty());
    }

    @Test
    void shouldWriteHtmlMarkdownAndVerdictWhenRun(@TempDir Path out) throws Exception {
        int code = new CommandLine(new ReportTool()).execute("--jmh", golden().toString(), "--out", out.toString());
        assertEquals(0, code);
        String html = Files.readString(out.resolve("index.html"));
        assertTrue(html.contains("QueueTransferBenchmark.transfer") && html.contains("JCTOOLS_MPMC") && html.contains("6.24x"), html);
        assertTrue(Files.readString(out.resolve("summary.md")).contains("| QueueTransferBenchmark.transfer |"));
        JsonNode verdict = new ObjectMapper().readTree(out.resolve("verdict.json").toFile());
        assertEquals(ReportTool.VERDICT_FORMAT, verdict.get("format").asInt());
        assertEquals("PASS", verdict.get("status").asText());
    }

    @Test
    void shouldExitWithUsageErrorWhenOutIsMissing() {
        assertEquals(2, new CommandLine(new ReportTool()).execute("--jmh", "x.json"));
    }

    @Test
    void shouldExitWithInputErrorNamingBothVersionsWhenSoakVersionIsUnknown(@TempDir Path dir) throws Exception {
        Path samples = Files.writeString(dir.resolve("samples.jsonl"),
                "{\"format\":\"leakproof-soak-samples\",\"version\":7}\n{\"type\":\"end\",\"tMs\":1,\"status\":\"completed\"}\n");
        StringWriter err = new StringWriter();
        assertEquals(2, cli(err).execute("--soak", samples.toString(), "--out", dir.resolve("out").toString()));
        assertTrue(err.toString().contains("version 7") && err.toString().contains("version 1"), err.toString());
    }

    @Test
    void shouldExitWithInputErrorNamingBothFormatsWhenSoakFormatIsUnknown(@TempDir Path dir) throws Exception {
        Path samples = Files.writeString(dir.resolve("samples.jsonl"), "{\"format\":\"other-samples\",\"version\":1}\n");
        StringWriter err = new StringWriter();
        assertEquals(2, cli(err).execute("--soak", samples.toString(), "--out", dir.resolve("out").toString()));
        assertTrue(err.toString().contains("'other-samples'") && err.toString().contains("'leakproof-soak-samples'"), err.toString());
    }

    @Test
    void shouldExitWithInputErrorWhenALineBeforeTheLastIsMalformed(@TempDir Path dir) throws Exception {
        Path samples = Files.writeString(dir.resolve("samples.jsonl"), "{\"format\":\"leakproof-soak-samples\",\"version\":1}\n"
                + "{\"type\":\"sample\",\"tMs\":1,\"cau\n{\"type\":\"end\",\"tMs\":2,\"status\":\"completed\"}\n");
        StringWriter err = new StringWriter();
        assertEquals(2, cli(err).execute("--soak", samples.toString(), "--out", dir.resolve("out").toString()));
        assertTrue(err.toString().contains("line 2 is not valid JSON"), err.toString());
    }

    @Test
    void shouldExitWithInputErrorWhenJcstressSummaryFormatIsUnknown(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("summary.json"), "{\"format\": 9, \"tests\": []}");
        StringWriter err = new StringWriter();
        assertEquals(2, cli(err).execute("--jcstress", dir.toString(), "--out", dir.resolve("out").toString()));
        assertTrue(err.toString().contains("format 9") && err.toString().contains("format 1"), err.toString());
    }

    @Test
    void shouldExitWithInputErrorWhenJmhFileIsNotAnArray(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("jmh.json"), "{\"benchmark\": \"x\"}");
        StringWriter err = new StringWriter();
        assertEquals(2, cli(err).execute("--jmh", bad.toString(), "--out", dir.resolve("out").toString()));
        assertTrue(err.toString().contains("not a JMH JSON result"), err.toString());
    }

    @Test
    void shouldExitWithInputErrorWhenNoInputOrBadOptionValue(@TempDir Path dir) throws Exception {
        StringWriter err = new StringWriter();
        assertEquals(2, cli(err).execute("--out", dir.toString()));
        assertTrue(err.toString().contains("nothing to report"), err.toString());
        StringWriter err2 = new StringWriter();
        assertEquals(2, cli(err2).execute("--soak", GoldenFileTest.fixture("soak/clean.jsonl").toString(), "--out", dir.toString(),
                "--leak-threshold", "fast"));
        assertTrue(err2.toString().contains("--leak-threshold") && err2.toString().contains("'fast'"), err2.toString());
    }

    @Test
    void shouldFailControlsVerdictWhenAControlWasNotCaught(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("summary.json"), "{\"format\": 1, \"kind\": \"controls\", \"jcstressExit\": 1, \"tests\": ["
                + "{\"test\": \"dev.leakproof.controls.BrokenAStress\", \"status\": \"FAILED\"},"
                + "{\"test\": \"dev.leakproof.controls.BrokenBStress\", \"status\": \"PASSED\"}]}");
        Verdict v = JcstressSummary.read(dir).verdict();
        assertEquals(Verdict.Status.FAIL, v.status());
        assertTrue(v.detail().contains("BrokenBStress PASSED"), v.detail());
        assertEquals(1, cli(new StringWriter()).execute("--jcstress", dir.toString(), "--out", dir.resolve("out").toString()));
    }

    @Test
    void shouldLinkFlameGraphsWhenFlameFolderGiven(@TempDir Path dir) throws Exception {
        Path flame = Files.createDirectories(dir.resolve("flame"));
        Files.writeString(flame.resolve("alloc.html"), "<html></html>");
        Files.writeString(flame.resolve("notes.txt"), "not a graph");
        assertEquals(0, cli(new StringWriter()).execute("--jmh", golden().toString(), "--flame", flame.toString(),
                "--out", dir.toString()));
        String html = Files.readString(dir.resolve("index.html"));
        assertTrue(html.contains("href=\"flame/alloc.html\""), html);
        assertTrue(!html.contains("notes.txt"));
    }

    private static CommandLine cli(StringWriter err) {
        CommandLine cli = new CommandLine(new ReportTool());
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new StringWriter()));
        return cli;
    }

    @Test
    void shouldFailVerdictWhenJmhFileHasNoRows(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.json"), "[]");
        assertEquals(1, cli(new StringWriter()).execute("--jmh", empty.toString(), "--out", dir.resolve("out").toString()));
    }
}

package dev.leakproof.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

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
        assertTrue(verdict.get("pass").asBoolean());
    }

    @Test
    void shouldExitWithUsageErrorWhenOutIsMissing() {
        assertEquals(2, new CommandLine(new ReportTool()).execute("--jmh", "x.json"));
    }

    @Test
    void shouldFailVerdictWhenJmhFileHasNoRows(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.json"), "[]");
        assertEquals(1, new CommandLine(new ReportTool()).execute("--jmh", empty.toString(), "--out", dir.resolve("out").toString()));
    }
}

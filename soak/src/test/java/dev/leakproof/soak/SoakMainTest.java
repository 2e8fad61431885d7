package dev.leakproof.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end: short real soaks, an interrupted one, and bad usage. */
class SoakMainTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return SoakMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
    }

    private String errText() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteAValidSamplesFileEndingInEndWhenAShortSoakCompletes() throws Exception {
        Path soak = dir.resolve("soak");
        int code = run("--duration", "5s", "--workload", "mixed", "--seed", "7", "--settle-interval", "2s",
                "--progress-interval", "2s", "--inject-leak", "6MiB/min", "--out", soak.toString());
        assertEquals(0, code, errText());
        List<JsonNode> lines = SamplesWriterTest.parse(Files.readString(soak.resolve(SoakRunner.SAMPLES)));
        JsonNode header = lines.get(0);
        assertEquals("leakproof-soak-samples", header.get("format").asText());
        assertEquals(5000, header.get("plannedDurationMs").asLong());
        assertEquals("retained", header.get("injectLeak").get("kind").asText());
        JsonNode end = lines.get(lines.size() - 1);
        assertEquals("end", end.get("type").asText());
        assertEquals("completed", end.get("status").asText());
        assertEquals("soak.jfr", end.get("jfr").asText());
        long samples = 0;
        long settled = 0;
        long lastInjected = 0;
        for (JsonNode l : lines.subList(1, lines.size() - 1)) {
            if (!l.get("type").asText().equals("sample")) {
                assertEquals("event", l.get("type").asText());
                continue;
            }
            samples++;
            if (l.get("cause").asText().equals("settled")) {
                settled++;
            }
            assertTrue(l.get("heapUsed").asLong() > 0);
            for (JsonNode q : l.get("queues")) {
                assertTrue(q.get("size").asInt() <= q.get("capacity").asInt(), q.toString());
                assertTrue(q.get("highWaterMark").asInt() <= q.get("capacity").asInt(), q.toString());
            }
            assertTrue(l.has("pool") && l.has("retry") && l.has("pipeline"), l.toString());
            lastInjected = l.get("injected").get("bytes").asLong();
        }
        assertEquals(samples, end.get("samples").asLong());
        assertTrue(settled >= 2, "settled samples: " + settled);
        assertTrue(lastInjected > 0, "the injected leak shows in the samples");
        assertTrue(Files.size(soak.resolve(SoakRunner.JFR)) > 0, "soak.jfr written");
        String log = Files.readString(soak.resolve(SoakRunner.LOG));
        assertTrue(log.contains("elapsed") && log.contains("soak completed"), log);
    }

    @Test
    void shouldEndInterruptedWhenStoppedWhileRunning() throws Exception {
        Path soak = dir.resolve("soak");
        SoakMain main = new SoakMain(new PrintStream(out, true, StandardCharsets.UTF_8), false);
        AtomicInteger code = new AtomicInteger(-1);
        Thread t = new Thread(() -> code.set(SoakMain.commandLine(main, System.out, System.err).execute(
                "--duration", "10m", "--workload", "queue", "--no-jfr", "--out", soak.toString())));
        t.start();
        Path samples = soak.resolve(SoakRunner.SAMPLES);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline
                && (main.runner() == null || !Files.exists(samples) || Files.readAllLines(samples).size() < 3)) {
            Thread.sleep(50);
        }
        main.runner().requestStop();
        t.join(30_000);
        assertFalse(t.isAlive(), "the soak ended after the stop request");
        assertEquals(0, code.get());
        List<JsonNode> lines = SamplesWriterTest.parse(Files.readString(samples));
        JsonNode end = lines.get(lines.size() - 1);
        assertEquals("end", end.get("type").asText());
        assertEquals("interrupted", end.get("status").asText());
        assertFalse(lines.get(1).has("pool"), "a component the workload does not run is absent");
    }

    @Test
    void shouldExitTwoNamingTheValueWhenTheDurationIsBad() {
        assertEquals(2, run("--duration", "5x", "--out", dir.toString()));
        assertTrue(errText().contains("'5x'"), errText());
    }

    @Test
    void shouldExitTwoNamingTheValueWhenTheRateIsBad() {
        assertEquals(2, run("--inject-leak", "4MB/min", "--out", dir.toString()));
        assertTrue(errText().contains("'4MB/min'"), errText());
    }

    @Test
    void shouldExitTwoWhenTheHeapDoesNotMatchThisJvm() {
        assertEquals(2, run("--heap", "64g", "--out", dir.toString()));
        assertTrue(errText().contains("-Xmx64g"), errText());
    }

    @Test
    void shouldExitTwoWhenTheWorkloadOrLeakKindIsUnknown() {
        assertEquals(2, run("--workload", "disk", "--out", dir.toString()));
        assertTrue(errText().contains("'disk'"), errText());
        assertEquals(2, run("--workload", "queue", "--leak-kind", "lease", "--out", dir.toString()));
        assertTrue(errText().contains("lease"), errText());
    }
}

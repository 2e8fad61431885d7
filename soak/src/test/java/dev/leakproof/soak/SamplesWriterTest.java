package dev.leakproof.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The samples format of docs/soak-format.md, version 1, checked by parsing the lines back. */
class SamplesWriterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static SamplesWriter.Header header() {
        return new SamplesWriter.Header("2026-11-24T10:00:00Z", "mixed", 42, 180_000, 268_435_456L, 1000, 10_000,
                "retained", 4L << 20, "Vendor \"quoted\"", "17.0.15", List.of("G1 Young Generation", "G1 Old Generation"),
                2, 1.0);
    }

    static List<JsonNode> parse(String text) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    @Test
    void shouldWriteTheHeaderWhenStarted() throws Exception {
        StringWriter out = new StringWriter();
        try (SamplesWriter w = new SamplesWriter(out)) {
            w.header(header());
        }
        JsonNode h = parse(out.toString()).get(0);
        assertEquals("leakproof-soak-samples", h.get("format").asText());
        assertEquals(1, h.get("version").asInt());
        assertEquals("2026-11-24T10:00:00Z", h.get("startedAt").asText());
        assertEquals("mixed", h.get("workload").asText());
        assertEquals(42, h.get("seed").asLong());
        assertEquals(180_000, h.get("plannedDurationMs").asLong());
        assertEquals(268_435_456L, h.get("heapMaxBytes").asLong());
        assertEquals(1000, h.get("sampleIntervalMs").asLong());
        assertEquals(10_000, h.get("settleIntervalMs").asLong());
        assertEquals("retained", h.get("injectLeak").get("kind").asText());
        assertEquals(4L << 20, h.get("injectLeak").get("bytesPerMinute").asLong());
        assertEquals("Vendor \"quoted\"", h.get("jvm").get("vendor").asText());
        assertEquals("17.0.15", h.get("jvm").get("version").asText());
        assertEquals("G1 Old Generation", h.get("jvm").get("gcs").get(1).asText());
        assertEquals(2, h.get("host").get("cpus").asInt());
    }

    @Test
    void shouldWriteEveryRecordTypeWhenGivenThem() throws Exception {
        StringWriter out = new StringWriter();
        try (SamplesWriter w = new SamplesWriter(out)) {
            w.header(header());
            HeapReader.Reading r = new HeapReader.Reading(10, 20, 5, 7, 1);
            Json s = w.beginSample(1000, "interval", r);
            FakeWorkload.stats(s, 3);
            w.finishSample(s);
            Json g = w.beginSample(1500, "gc", r);
            g.object("gc").field("name", "G1 Young Generation").field("action", "end of minor GC")
                    .field("cause", "G1 Evacuation Pause").field("durationMs", 4).end();
            w.finishSample(g);
            w.event(1600, "leak", "lease 7 \"held\"\nlong");
            w.end(2000, "completed", null, "soak.jfr");
        }
        List<JsonNode> lines = parse(out.toString());
        assertEquals(5, lines.size());
        JsonNode sample = lines.get(1);
        assertEquals("sample", sample.get("type").asText());
        assertEquals(1000, sample.get("tMs").asLong());
        assertEquals("interval", sample.get("cause").asText());
        assertEquals(10, sample.get("heapUsed").asLong());
        assertEquals(20, sample.get("heapCommitted").asLong());
        assertEquals(5, sample.get("oldGenUsed").asLong());
        assertEquals(7, sample.get("directUsed").asLong());
        assertEquals(1, sample.get("directCount").asLong());
        assertFalse(sample.has("gc"));
        JsonNode q = sample.get("queues").get(0);
        for (String f : new String[] {"name", "strategy", "capacity", "size", "highWaterMark", "accepted", "delivered",
            "dropped", "timedOut"}) {
            assertTrue(q.has(f), "queue field " + f);
        }
        for (String f : new String[] {"usedBytes", "retainedBytes", "maxTotalBytes", "activeLeases", "acquires", "reuses",
            "leaksReclaimed", "leakVerdicts"}) {
            assertTrue(sample.get("pool").has(f), "pool field " + f);
        }
        for (String f : new String[] {"size", "capacity", "evicted", "expired", "exhausted", "succeeded"}) {
            assertTrue(sample.get("retry").has(f), "retry field " + f);
        }
        for (String f : new String[] {"produced", "processed", "failed"}) {
            assertTrue(sample.get("pipeline").has(f), "pipeline field " + f);
        }
        JsonNode gc = lines.get(2);
        assertEquals("gc", gc.get("cause").asText());
        assertEquals("G1 Young Generation", gc.get("gc").get("name").asText());
        assertEquals("end of minor GC", gc.get("gc").get("action").asText());
        assertEquals("G1 Evacuation Pause", gc.get("gc").get("cause").asText());
        assertEquals(4, gc.get("gc").get("durationMs").asLong());
        JsonNode event = lines.get(3);
        assertEquals("event", event.get("type").asText());
        assertEquals("leak", event.get("kind").asText());
        assertEquals("lease 7 \"held\"\nlong", event.get("detail").asText());
        JsonNode end = lines.get(4);
        assertEquals("end", end.get("type").asText());
        assertEquals("completed", end.get("status").asText());
        assertTrue(end.get("error").isNull());
        assertEquals(2, end.get("samples").asLong());
        assertEquals("soak.jfr", end.get("jfr").asText());
    }

    @Test
    void shouldRefuseRecordsWhenTheHeaderIsMissing() {
        SamplesWriter w = new SamplesWriter(new StringWriter());
        assertThrows(IllegalStateException.class, () -> w.event(0, "phase", "x"));
        assertThrows(IllegalStateException.class, () -> w.end(0, "failed", "e", null));
    }
}

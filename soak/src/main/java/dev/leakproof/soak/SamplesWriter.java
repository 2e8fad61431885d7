package dev.leakproof.soak;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;

/**
 * Writes {@code samples.jsonl} in the format {@code leakproof-soak-samples}, version 1
 * (docs/soak-format.md): the header line, then records, each flushed as soon as it is written, so a
 * crashed soak leaves every record it made and nothing accumulates in memory. Not thread-safe: one
 * thread writes.
 */
final class SamplesWriter implements AutoCloseable {

    static final String FORMAT = "leakproof-soak-samples";
    static final int VERSION = 1;

    /** What the header says about the run. */
    record Header(String startedAt, String workload, long seed, long plannedDurationMs, long heapMaxBytes,
                  long sampleIntervalMs, long settleIntervalMs, String injectKind, long injectBytesPerMinute,
                  String jvmVendor, String jvmVersion, List<String> gcs, int cpus, double pace) {
    }

    private final BufferedWriter out;
    private final Json json = new Json();
    private long samples;
    private boolean headerWritten;

    SamplesWriter(Writer out) {
        this.out = out instanceof BufferedWriter b ? b : new BufferedWriter(out);
    }

    /** Writes the header; must be the first line. */
    void header(Header h) {
        if (headerWritten) {
            throw new IllegalStateException("the header was already written");
        }
        json.begin().field("format", FORMAT).field("version", VERSION).field("startedAt", h.startedAt())
                .field("workload", h.workload()).field("seed", h.seed())
                .field("plannedDurationMs", h.plannedDurationMs()).field("heapMaxBytes", h.heapMaxBytes())
                .field("sampleIntervalMs", h.sampleIntervalMs()).field("settleIntervalMs", h.settleIntervalMs())
                .object("injectLeak").field("kind", h.injectKind()).field("bytesPerMinute", h.injectBytesPerMinute()).end()
                .object("jvm").field("vendor", h.jvmVendor()).field("version", h.jvmVersion()).array("gcs");
        for (String gc : h.gcs()) {
            json.element(gc);
        }
        json.endArray().end().object("host").field("cpus", h.cpus()).end()
                .object("driver").field("pace", h.pace()).end()
                .end();
        headerWritten = true;
        write(json.line());
    }

    /**
     * Starts a {@code sample} record with the JVM fields; the caller adds the component fields to the
     * returned builder and passes it to {@link #finishSample(Json)}.
     */
    Json beginSample(long tMs, String cause, HeapReader.Reading r) {
        requireHeader();
        return json.begin().field("type", "sample").field("tMs", tMs).field("cause", cause)
                .field("heapUsed", r.heapUsed()).field("heapCommitted", r.heapCommitted())
                .field("oldGenUsed", r.oldGenUsed()).field("directUsed", r.directUsed())
                .field("directCount", r.directCount());
    }

    /** Ends and writes the sample begun by {@link #beginSample}. */
    void finishSample(Json sample) {
        if (sample != json) {
            throw new IllegalArgumentException("not this writer's sample");
        }
        json.end();
        samples++;
        write(json.line());
    }

    /** Writes an {@code event} record. */
    void event(long tMs, String kind, String detail) {
        requireHeader();
        json.begin().field("type", "event").field("tMs", tMs).field("kind", kind).field("detail", detail).end();
        write(json.line());
    }

    /** Writes the {@code end} record: {@code completed}, {@code interrupted} or {@code failed}. */
    void end(long tMs, String status, String error, String jfr) {
        requireHeader();
        json.begin().field("type", "end").field("tMs", tMs).field("status", status).field("error", error)
                .field("samples", samples).field("jfr", jfr).end();
        write(json.line());
    }

    /** Whether the header has been written. */
    boolean hasHeader() {
        return headerWritten;
    }

    /** Sample records written so far. */
    long samples() {
        return samples;
    }

    /** The reused line buffer's capacity (bounded-memory test). */
    int bufferCapacity() {
        return json.bufferCapacity();
    }

    private void requireHeader() {
        if (!headerWritten) {
            throw new IllegalStateException("write the header first");
        }
    }

    private void write(CharSequence line) {
        try {
            out.append(line).append('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a soak sample line", e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the samples file", e);
        }
    }
}

package dev.leakproof.reports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reader of a soak run's {@code samples.jsonl}, format {@code leakproof-soak-samples} version 1
 * (docs/soak-format.md). Fields the reader does not know are ignored; a file whose format or
 * version is unknown is refused, naming both.
 *
 * <p>A soak that crashed may leave a truncated last line: it is skipped and counted in
 * {@link Soak#truncatedLines()}. A malformed line anywhere else is bad input.
 */
public final class SoakSamples {

    /** The value of the header's {@code format} field. */
    public static final String FORMAT = "leakproof-soak-samples";
    /** The versions this reader understands. */
    public static final int VERSION = 1;

    private SoakSamples() {
    }

    /**
     * The header (line 1).
     *
     * @param version          format version
     * @param startedAt        wall-clock start, as written
     * @param workload         workload name
     * @param seed             random seed
     * @param plannedDurationMs planned duration
     * @param heapMaxBytes     maximum heap of the soak JVM
     * @param settleIntervalMs interval of settled readings
     * @param injectLeakKind   {@code none}, {@code retained} or {@code lease}
     * @param injectBytesPerMinute injected leak rate
     * @param jvmVersion       JVM version of the soak
     */
    public record Header(int version, String startedAt, String workload, long seed, long plannedDurationMs,
                         long heapMaxBytes, long settleIntervalMs, String injectLeakKind, double injectBytesPerMinute,
                         String jvmVersion) {
    }

    /**
     * The pool part of a sample (cumulative counters).
     *
     * @param usedBytes     bytes lent out
     * @param maxTotalBytes the pool's bound
     * @param activeLeases  leases not yet ended
     * @param acquires      acquisitions so far
     * @param reuses        acquisitions served from a cached buffer so far
     * @param leakVerdicts  leases the pool has declared leaked so far
     */
    public record Pool(long usedBytes, long maxTotalBytes, long activeLeases, long acquires, long reuses,
                       long leakVerdicts) {
    }

    /**
     * One queue of a sample.
     *
     * @param name          queue name
     * @param capacity      configured capacity
     * @param size          size at the reading
     * @param highWaterMark largest size seen so far
     */
    public record QueueReading(String name, long capacity, long size, long highWaterMark) {
    }

    /**
     * A {@code sample} record.
     *
     * @param tMs      milliseconds since the start of the soak
     * @param cause    {@code interval}, {@code gc} or {@code settled}
     * @param heapUsed heap used, bytes
     * @param pool     the pool reading, or null when the workload runs no pool
     * @param queues   the queue readings (empty when the workload runs no queue)
     */
    public record Sample(long tMs, String cause, long heapUsed, Pool pool, List<QueueReading> queues) {
    }

    /**
     * An {@code event} record.
     *
     * @param tMs    milliseconds since the start
     * @param kind   {@code phase}, {@code leak}, {@code failure}, {@code warning}, ...
     * @param detail free text
     */
    public record Event(long tMs, String kind, String detail) {
    }

    /**
     * The {@code end} record.
     *
     * @param tMs     milliseconds since the start
     * @param status  {@code completed}, {@code interrupted} or {@code failed}
     * @param error   the error of a failed soak, or null
     * @param samples number of samples written
     */
    public record End(long tMs, String status, String error, long samples) {
    }

    /**
     * A whole file.
     *
     * @param header         line 1
     * @param samples        every sample, in file order
     * @param events         every event, in file order
     * @param end            the end record, or null when the soak crashed before writing it
     * @param truncatedLines 1 when the last line was cut short (a crash), else 0
     */
    public record Soak(Header header, List<Sample> samples, List<Event> events, End end, int truncatedLines) {

        /** The time of the last record, ms since the start. */
        public long lastMs() {
            long last = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).tMs();
            for (Event e : events) {
                last = Math.max(last, e.tMs());
            }
            return end != null ? Math.max(last, end.tMs()) : last;
        }
    }

    /**
     * Reads a samples file.
     *
     * @throws InputException when the file cannot be read, its header names another format or an
     *                        unknown version, or a line other than the last is not valid JSON
     */
    public static Soak read(Path file) throws InputException {
        if (!Files.isRegularFile(file)) {
            throw new InputException("no soak samples file at " + file);
        }
        ObjectMapper mapper = new ObjectMapper();
        List<Sample> samples = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        End end = null;
        Header header = null;
        int truncated = 0;
        // Streamed line by line: a 24-hour soak writes a few hundred thousand lines.
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            String badLine = null;
            int badNumber = 0;
            JsonProcessingException badError = null;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                if (badLine != null) {
                    // The bad line was not the last one: not a crash's cut-off line but a malformed file.
                    throw new InputException(file + " line " + badNumber + " is not valid JSON: " + badError.getOriginalMessage(), badError);
                }
                if (header == null) {
                    header = header(file, parse(mapper, file, number, line));
                    continue;
                }
                JsonNode r;
                try {
                    r = mapper.readTree(line);
                } catch (JsonProcessingException e) {
                    badLine = line;
                    badNumber = number;
                    badError = e;
                    continue;
                }
                switch (r.path("type").asText("")) {
                    case "sample" -> samples.add(sample(r));
                    case "event" -> events.add(new Event(r.path("tMs").asLong(), r.path("kind").asText(""),
                            r.path("detail").asText("")));
                    case "end" -> end = new End(r.path("tMs").asLong(), r.path("status").asText(""),
                            r.path("error").isNull() ? null : r.path("error").asText(null), r.path("samples").asLong());
                    default -> {
                        // A record type added by a later driver: ignored, as the format allows.
                    }
                }
            }
            if (badLine != null) {
                if (end != null) {
                    throw new InputException(file + " line " + badNumber + " is not valid JSON: " + badError.getOriginalMessage(), badError);
                }
                truncated = 1;
            }
        } catch (IOException e) {
            throw new InputException("cannot read soak samples " + file + ": " + e.getMessage(), e);
        }
        if (header == null) {
            throw new InputException(file + " is empty: expected a " + FORMAT + " header on line 1");
        }
        return new Soak(header, List.copyOf(samples), List.copyOf(events), end, truncated);
    }

    private static Header header(Path file, JsonNode h) throws InputException {
        String format = h.path("format").asText("");
        int version = h.path("version").asInt(-1);
        if (!FORMAT.equals(format) || version != VERSION) {
            throw new InputException(file + " has format '" + format + "' version " + h.path("version").asText("?")
                    + "; this report tool reads format '" + FORMAT + "' version " + VERSION);
        }
        return new Header(version, h.path("startedAt").asText(""), h.path("workload").asText(""),
                h.path("seed").asLong(), h.path("plannedDurationMs").asLong(), h.path("heapMaxBytes").asLong(),
                h.path("settleIntervalMs").asLong(), h.path("injectLeak").path("kind").asText("none"),
                h.path("injectLeak").path("bytesPerMinute").asDouble(), h.path("jvm").path("version").asText(""));
    }

    private static JsonNode parse(ObjectMapper mapper, Path file, int lineNumber, String line) throws InputException {
        try {
            return mapper.readTree(line);
        } catch (JsonProcessingException e) {
            throw new InputException(file + " line " + lineNumber + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Sample sample(JsonNode r) {
        JsonNode p = r.path("pool");
        Pool pool = p.isObject() ? new Pool(p.path("usedBytes").asLong(), p.path("maxTotalBytes").asLong(),
                p.path("activeLeases").asLong(), p.path("acquires").asLong(), p.path("reuses").asLong(),
                p.path("leakVerdicts").asLong()) : null;
        List<QueueReading> queues = new ArrayList<>();
        for (JsonNode q : r.path("queues")) {
            queues.add(new QueueReading(q.path("name").asText(""), q.path("capacity").asLong(), q.path("size").asLong(),
                    q.path("highWaterMark").asLong()));
        }
        return new Sample(r.path("tMs").asLong(), r.path("cause").asText(""), r.path("heapUsed").asLong(), pool,
                List.copyOf(queues));
    }
}

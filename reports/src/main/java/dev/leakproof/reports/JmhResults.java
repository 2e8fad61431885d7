package dev.leakproof.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads a JMH JSON result file ({@code -rf json}) and puts each row beside its baseline: the row
 * of the same benchmark and parameters whose {@code impl} parameter is the baseline implementation.
 */
public final class JmhResults {

    /** The secondary metric that counts successful work where a raw score counts calls. */
    public static final String TRANSFERS = "polled";
    /** JMH's normalised allocation metric from {@code -prof gc}. */
    public static final String ALLOC_NORM = "gc.alloc.rate.norm";

    private JmhResults() {
    }

    /**
     * One benchmark result.
     *
     * @param benchmark the benchmark's full name
     * @param params    its parameters, by name, in a stable order
     * @param score     the primary score
     * @param error     the primary score's 99.9 % error (NaN for a single iteration)
     * @param unit      the primary score's unit
     * @param secondary secondary metrics' scores by name
     * @param mode      JMH mode: {@code thrpt}, {@code avgt}, {@code sample}, {@code ss}
     * @param rawData   the primary metric's per-iteration scores, all forks in order
     * @param secondaryErrors secondary metrics' errors by name (NaN where JMH gave none)
     */
    public record Row(String benchmark, Map<String, String> params, double score, double error, String unit,
                      Map<String, Double> secondary, String mode, double[] rawData, Map<String, Double> secondaryErrors) {

        /** Whether a larger primary score is better: throughput modes and {@code ops/...} units. */
        public boolean higherIsBetter() {
            return "thrpt".equals(mode) || unit.startsWith("ops/");
        }

        /** The benchmark with every parameter: the key under which two runs are compared. */
        public String key() {
            return benchmark + params;
        }

        /** The error of {@link #workScore()}. */
        public double workError() {
            return secondary.containsKey(TRANSFERS) ? secondaryErrors.getOrDefault(TRANSFERS, Double.NaN) : error;
        }

        /** The score that measures useful work: successful transfers where counted, else the primary score. */
        public double workScore() {
            return secondary.getOrDefault(TRANSFERS, score);
        }

        /** Bytes allocated per operation, if {@code -prof gc} ran. */
        public Optional<Double> bytesPerOp() {
            return Optional.ofNullable(secondary.get(ALLOC_NORM));
        }

        /** The benchmark's short name: class and method. */
        public String shortName() {
            String[] parts = benchmark.split("\\.");
            return parts.length >= 2 ? parts[parts.length - 2] + "." + parts[parts.length - 1] : benchmark;
        }

        /** The parameters other than {@code impl}, as text: the group a row is compared within. */
        public String groupKey() {
            Map<String, String> rest = new TreeMap<>(params);
            rest.remove("impl");
            return benchmark + rest;
        }
    }

    /**
     * Reads every row of a JMH JSON file.
     *
     * @throws InputException when the file cannot be read or is not a JMH JSON array of results
     */
    public static List<Row> read(Path file) throws InputException {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new InputException("no JMH result file at " + file);
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new InputException("cannot read JMH results " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isArray()) {
            throw new InputException(file + " is not a JMH JSON result (expected a JSON array, as -rf json writes)");
        }
        for (JsonNode node : root) {
            if (!node.has("benchmark") || !node.path("primaryMetric").isObject()) {
                throw new InputException(file + " holds an entry without 'benchmark' and 'primaryMetric': not JMH 1.x JSON");
            }
        }
        List<Row> rows = new ArrayList<>();
        for (JsonNode node : root) {
            Map<String, String> params = new TreeMap<>();
            JsonNode p = node.path("params");
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                params.put(e.getKey(), e.getValue().asText());
            }
            JsonNode primary = node.path("primaryMetric");
            Map<String, Double> secondary = new LinkedHashMap<>();
            Map<String, Double> secondaryErrors = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.path("secondaryMetrics").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                secondary.put(e.getKey(), number(e.getValue().path("score")));
                secondaryErrors.put(e.getKey(), number(e.getValue().path("scoreError")));
            }
            List<Double> raw = new ArrayList<>();
            for (JsonNode fork : primary.path("rawData")) {
                for (JsonNode iteration : fork) {
                    raw.add(number(iteration));
                }
            }
            rows.add(new Row(node.path("benchmark").asText(), params, number(primary.path("score")),
                    number(primary.path("scoreError")), primary.path("scoreUnit").asText(), secondary,
                    node.path("mode").asText(""), raw.stream().mapToDouble(Double::doubleValue).toArray(), secondaryErrors));
        }
        return rows;
    }

    /**
     * The ratio of each row's work score to that of the baseline row in its group, or empty when the
     * group has no baseline row.
     */
    public static Map<Row, Double> ratios(List<Row> rows, String baselineImpl) {
        Map<String, Row> baselines = new LinkedHashMap<>();
        for (Row r : rows) {
            if (baselineImpl.equals(r.params().get("impl"))) {
                baselines.put(r.groupKey(), r);
            }
        }
        Map<Row, Double> ratios = new LinkedHashMap<>();
        for (Row r : rows) {
            Row base = baselines.get(r.groupKey());
            if (base != null && base.workScore() > 0) {
                ratios.put(r, r.workScore() / base.workScore());
            }
        }
        return ratios;
    }

    private static double number(JsonNode n) {
        if (n.isNumber()) {
            return n.asDouble();
        }
        String text = n.asText("NaN");
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}

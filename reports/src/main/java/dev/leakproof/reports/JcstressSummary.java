package dev.leakproof.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.leakproof.reports.Verdict.Status;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reader of the {@code summary.json} that {@code scripts/stress.sh} writes beside a jcstress report
 * (format 1): {@code kind} ({@code tests} or {@code controls}), jcstress's exit code, and one
 * status per test ({@code PASSED}, {@code FAILED}, {@code ERROR}, ...).
 *
 * <p>Verdicts: the {@code tests} pass when jcstress exited 0 and every test PASSED; the negative
 * {@code controls} pass when every control FAILED, i.e. jcstress caught each deliberately broken
 * variant (a control that passed, or crashed with ERROR, proves nothing).
 */
public final class JcstressSummary {

    /** The format version this reader understands. */
    public static final int FORMAT = 1;

    /**
     * One summary.
     *
     * @param dir          the folder holding it (and jcstress's {@code index.html})
     * @param kind         {@code tests} or {@code controls}
     * @param jcstressExit jcstress's exit code
     * @param tests        status by test name, in file order
     */
    public record Summary(Path dir, String kind, int jcstressExit, Map<String, String> tests) {

        /** Number of tests whose status is {@code status}. */
        public long count(String status) {
            return tests.values().stream().filter(status::equals).count();
        }

        /** The verdict this summary gives. */
        public Verdict verdict() {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("tests", tests.size());
            f.put("passed", count("PASSED"));
            f.put("failed", tests.size() - count("PASSED"));
            f.put("jcstressExit", jcstressExit);
            String name = "controls".equals(kind) ? "jcstress-controls" : "jcstress-tests";
            if (tests.isEmpty()) {
                return new Verdict(name, Status.INCONCLUSIVE, "no jcstress test was reported", f);
            }
            if ("controls".equals(kind)) {
                List<String> missed = tests.entrySet().stream().filter(e -> !"FAILED".equals(e.getValue()))
                        .map(e -> shortName(e.getKey()) + " " + e.getValue()).toList();
                return missed.isEmpty()
                        ? new Verdict(name, Status.PASS, "jcstress caught all " + tests.size() + " negative controls", f)
                        : new Verdict(name, Status.FAIL, "negative controls NOT caught (the test has no proven power): "
                        + String.join(", ", missed), f);
            }
            List<String> failed = tests.entrySet().stream().filter(e -> !"PASSED".equals(e.getValue()))
                    .map(e -> shortName(e.getKey()) + " " + e.getValue()).toList();
            if (failed.isEmpty() && jcstressExit == 0) {
                return new Verdict(name, Status.PASS, "all " + tests.size() + " jcstress tests passed", f);
            }
            return new Verdict(name, Status.FAIL, failed.isEmpty() ? "jcstress exited " + jcstressExit
                    : failed.size() + " jcstress tests did not pass: " + String.join(", ", failed), f);
        }
    }

    private JcstressSummary() {
    }

    /**
     * Reads {@code dir/summary.json}.
     *
     * @throws InputException when it is missing, malformed, or of another format version
     */
    public static Summary read(Path dir) throws InputException {
        Path file = dir.resolve("summary.json");
        if (!Files.isRegularFile(file)) {
            throw new InputException("no jcstress summary.json in " + dir + " (scripts/stress.sh writes it)");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new InputException("cannot read jcstress summary " + file + ": " + e.getMessage(), e);
        }
        int format = root == null ? -1 : root.path("format").asInt(-1);
        if (format != FORMAT) {
            throw new InputException(file + " has jcstress summary format " + (root == null ? "?" : root.path("format").asText("?"))
                    + "; this report tool reads format " + FORMAT);
        }
        Map<String, String> tests = new LinkedHashMap<>();
        for (JsonNode t : root.path("tests")) {
            tests.put(t.path("test").asText(), t.path("status").asText(""));
        }
        return new Summary(dir, root.path("kind").asText("tests"), root.path("jcstressExit").asInt(-1), tests);
    }

    /** The test's simple class name, with its nested class when there is one. */
    static String shortName(String test) {
        String[] parts = test.split("\\.");
        int i = parts.length - 1;
        while (i > 0 && !parts[i - 1].isEmpty() && Character.isUpperCase(parts[i - 1].charAt(0))) {
            i--;
        }
        return String.join(".", java.util.Arrays.copyOfRange(parts, i, parts.length));
    }
}

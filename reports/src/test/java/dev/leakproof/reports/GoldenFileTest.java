package dev.leakproof.reports;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden-file tests, one per input format version and shape: the fixtures in
 * {@code src/test/resources/golden/} (hand-made soak samples of format 1 from docs/soak-format.md,
 * JMH 1.37 JSON, jcstress summary format 1) are laid out as a run folder, the tool is run on it,
 * and its {@code summary.md} and {@code verdict.json} must equal {@code golden/expected/<case>/}.
 * The page must be self-contained and hold the expected number of charts.
 *
 * <p>After an intended change of the output, regenerate the expected files with
 * {@code mvn -o -q -pl reports -am test -Dtest=GoldenFileTest -Dgolden.update=true -Dstress.skip=true
 * -Dsurefire.failIfNoSpecifiedTests=false} and review the diff.
 */
class GoldenFileTest {

    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    /**
     * @param name     case name: folder of the expected files
     * @param files    fixture → path in the run folder, pairs
     * @param args     tool arguments (paths relative to the run folder)
     * @param exitCode expected exit code
     * @param charts   expected number of charts on the page
     * @param phrases  text the page must show
     */
    record Case(String name, List<String> files, List<String> args, int exitCode, int charts, List<String> phrases) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case("soak-clean", List.of("soak/clean.jsonl", "soak/samples.jsonl"),
                        List.of("--soak", "soak/samples.jsonl"), 0, 3, List.of("Overall: PASS", "heap-growth")),
                new Case("soak-leak", List.of("soak/leak.jsonl", "soak/samples.jsonl"),
                        List.of("--soak", "soak/samples.jsonl"), 1, 3, List.of("Overall: FAIL", "LEAK", "retained at")),
                new Case("soak-crash", List.of("soak/crash.jsonl", "soak/samples.jsonl"),
                        List.of("--soak", "soak/samples.jsonl"), 1, 3, List.of("The soak crashed", "CRASHED")),
                new Case("soak-queue-over-capacity", List.of("soak/queue-over-capacity.jsonl", "soak/samples.jsonl"),
                        List.of("--soak", "soak/samples.jsonl"), 1, 3, List.of("readings above capacity")),
                new Case("jmh", List.of("jmh-queue-transfer.json", "jmh.json"),
                        List.of("--jmh", "jmh.json"), 0, 1, List.of("JCTOOLS_MPMC", "6.24x")),
                new Case("jmh-compare", List.of("jmh-compare-new.json", "jmh.json", "jmh-compare-old.json", "old/jmh.json"),
                        List.of("--jmh", "jmh.json", "--compare-jmh", "old/jmh.json"), 1, 3,
                        List.of("REGRESSION", "IMPROVEMENT", "Mann-Whitney")),
                new Case("jcstress", List.of("jcstress/tests/summary.json", "jcstress/summary.json",
                        "jcstress/controls/summary.json", "jcstress-controls/summary.json"),
                        List.of("--jcstress", "jcstress", "--jcstress", "jcstress-controls"), 0, 0,
                        List.of("jcstress tests", "jcstress controls", "href=\"jcstress/index.html\""))
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldMatchGoldenFilesWhenRunOnFixture(Case c, @TempDir Path run) throws Exception {
        for (int i = 0; i < c.files().size(); i += 2) {
            Path target = run.resolve(c.files().get(i + 1));
            Files.createDirectories(target.getParent());
            Files.copy(fixture(c.files().get(i)), target);
        }
        List<String> args = new ArrayList<>(List.of("--out", run.toString(), "--title", "golden " + c.name()));
        for (String a : c.args()) {
            args.add(a.startsWith("--") ? a : run.resolve(a).toString());
        }
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new ReportTool());
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new StringWriter()));
        int code = cli.execute(args.toArray(String[]::new));
        assertEquals(c.exitCode(), code, "exit code; stderr: " + err);

        for (String file : List.of("summary.md", "verdict.json")) {
            String actual = Files.readString(run.resolve(file));
            Path expected = expectedDir(c.name()).resolve(file);
            if (UPDATE) {
                Files.createDirectories(expected.getParent());
                Files.writeString(expected, actual, StandardCharsets.UTF_8);
            }
            assertTrue(Files.exists(expected), "no golden file " + expected + ": run with -Dgolden.update=true and review it");
            assertEquals(Files.readString(expected), actual, c.name() + "/" + file + " differs from the golden file");
        }

        String html = Files.readString(run.resolve("index.html"));
        assertSelfContained(html);
        assertEquals(c.charts(), count(html, "<img class=\"chart\""), "charts on the page");
        assertTrue(html.contains("<meta name=\"leakproof-charts\" content=\"" + c.charts() + "\">"), "chart count announced");
        for (String phrase : c.phrases()) {
            assertTrue(html.contains(phrase), "page shows '" + phrase + "'");
        }
    }

    /** No external resource: every src is a data: URI, no http(s) URL, no script. */
    static void assertSelfContained(String html) {
        assertFalse(html.contains("http://") || html.contains("https://"), "page refers to a URL");
        assertFalse(html.contains("<script"), "page holds a script");
        Matcher m = Pattern.compile("src=\"([^\"]{0,30})").matcher(html);
        while (m.find()) {
            assertTrue(m.group(1).startsWith("data:image/png;base64,"), "src is not embedded: " + m.group(1));
        }
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(GoldenFileTest.class.getResource("/golden/" + name).toURI());
    }

    /** The expected files: in the source tree when updating them, else on the class path. */
    private static Path expectedDir(String name) throws URISyntaxException, IOException {
        if (UPDATE) {
            return Path.of("src/test/resources/golden/expected", name);
        }
        var url = GoldenFileTest.class.getResource("/golden/expected/" + name);
        return url == null ? Path.of("src/test/resources/golden/expected", name) : Path.of(url.toURI());
    }
}

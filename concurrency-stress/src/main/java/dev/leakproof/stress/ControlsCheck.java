package dev.leakproof.stress;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Proves that <em>every</em> negative control was caught, not just one: jcstress's exit code 1 only
 * says that some test failed.
 *
 * <p>Reads the list of controls from {@code META-INF/TestList} on the class path (the shaded
 * {@code jcstress.jar} carries it: every class in {@code dev.leakproof.controls}), then the text
 * output jcstress printed for the controls run. A control counts as caught only if jcstress printed
 * {@code [FAILED]} for it and at least one of its result rows is a {@code Forbidden} outcome seen at
 * least once; an {@code [ERROR]} (a crash, a hang) does not count, since it proves nothing about the
 * race. The text output is used rather than the HTML report because it is what jcstress prints for
 * every run, one status line and one result table per test and configuration, in a stable format.
 *
 * <p>It also accepts the folder of jcstress's HTML report instead of the text output: there a
 * control counts as caught when {@code index.html} grades it {@code FAILED}, which jcstress does only
 * for a forbidden outcome ({@code ERROR} is separate). {@code scripts/stress.sh --controls} uses the
 * report, because in jcstress's non-quick modes the text output of passed configurations is sparse;
 * the {@code mvn verify} gate (quick mode) uses the stricter text check.
 *
 * <p>Run: {@code java -cp concurrency-stress/target/jcstress.jar dev.leakproof.stress.ControlsCheck <jcstress-output.txt | report-dir>}
 * <br>Exit code: 0 when every control was caught, 1 when one was not (each is named), 2 on bad input.
 */
public final class ControlsCheck {

    static final String CONTROLS_PACKAGE = "dev.leakproof.controls.";

    /** {@code .......... [FAILED] dev.leakproof.controls.X} (also OK, ERROR, ...). */
    private static final Pattern STATUS = Pattern.compile("\\[([A-Z_ -]+)]\\s+(" + Pattern.quote(CONTROLS_PACKAGE) + "\\S+)");
    /** A result row: {@code   1, 1, 0  12,345  0.52%  Forbidden  ...}. */
    private static final Pattern FORBIDDEN_ROW = Pattern.compile("^\\s+.+?\\s+([0-9][0-9,]*)\\s+[0-9.<>]+%\\s+Forbidden\\b");

    private ControlsCheck() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1 || args[0].equals("-h") || args[0].equals("--help")) {
            System.err.println("usage: java -cp jcstress.jar dev.leakproof.stress.ControlsCheck <jcstress-output.txt>");
            System.exit(2);
        }
        Path output = Path.of(args[0]);
        boolean report = Files.isDirectory(output);
        if (report) {
            output = output.resolve("index.html");
        }
        if (!Files.isRegularFile(output)) {
            System.err.println("ControlsCheck: no jcstress output or report at " + args[0]);
            System.exit(2);
        }
        Set<String> controls = listControls();
        if (controls.isEmpty()) {
            System.err.println("ControlsCheck: no class of " + CONTROLS_PACKAGE + " in META-INF/TestList");
            System.exit(2);
        }
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        Map<String, String> verdicts = report ? checkReport(controls, lines) : check(controls, lines);
        int missed = 0;
        for (Map.Entry<String, String> e : verdicts.entrySet()) {
            boolean caught = e.getValue().equals("caught");
            missed += caught ? 0 : 1;
            System.out.printf("%s %s: %s%n", caught ? "[caught]" : "[MISSED]", e.getKey(), e.getValue());
        }
        System.out.printf("ControlsCheck: %d of %d negative controls caught with a FORBIDDEN outcome%n",
                controls.size() - missed, controls.size());
        System.exit(missed == 0 ? 0 : 1);
    }

    /** Verdict per control: "caught", or why not. */
    static Map<String, String> check(Set<String> controls, List<String> lines) {
        Map<String, Set<String>> statuses = new TreeMap<>();
        Map<String, Long> forbiddenSamples = new TreeMap<>();
        String current = null;
        for (String line : lines) {
            Matcher m = STATUS.matcher(line);
            if (m.find()) {
                current = m.group(2);
                statuses.computeIfAbsent(current, k -> new TreeSet<>()).add(m.group(1).trim());
                continue;
            }
            if (current == null) {
                continue;
            }
            if (line.startsWith("(") || line.startsWith("RUN RESULTS") || line.contains("Failed tests:")) {
                current = null; // progress lines and the final summary belong to no test
                continue;
            }
            Matcher row = FORBIDDEN_ROW.matcher(line);
            if (row.find()) {
                long n = Long.parseLong(row.group(1).replace(",", ""));
                forbiddenSamples.merge(current, n, Long::sum);
            }
        }
        Map<String, String> verdicts = new TreeMap<>();
        for (String c : controls) {
            Set<String> s = statuses.get(c);
            long forbidden = forbiddenSamples.getOrDefault(c, 0L);
            String verdict;
            if (s == null) {
                verdict = "not run (check the -t filter and the output file)";
            } else if (s.contains("FAILED") && forbidden > 0) {
                verdict = "caught";
            } else if (s.contains("FAILED")) {
                verdict = "FAILED but no Forbidden row with samples was printed (statuses " + s + ")";
            } else {
                verdict = "not caught: jcstress reported " + s + " (the control is not broken enough, or the test has no power)";
            }
            verdicts.put(c, verdict);
        }
        return verdicts;
    }

    /** {@code <a href="dev.leakproof.controls.X.html">} then, on the next line, {@code <td class="failed">FAILED</td>}. */
    private static final Pattern REPORT_LINK = Pattern.compile("<a href=\"(" + Pattern.quote(CONTROLS_PACKAGE) + "[^\"]+)\\.html\">");
    private static final Pattern REPORT_STATUS = Pattern.compile("<td class=\"[a-zA-Z]+\">([A-Z][A-Z_ ]*)</td>");

    /** Verdict per control from the HTML report's index: "caught" when graded FAILED in every row that names it. */
    static Map<String, String> checkReport(Set<String> controls, List<String> lines) {
        Map<String, Set<String>> statuses = new TreeMap<>();
        for (int i = 0; i + 1 < lines.size(); i++) {
            Matcher link = REPORT_LINK.matcher(lines.get(i));
            if (link.find()) {
                Matcher st = REPORT_STATUS.matcher(lines.get(i + 1));
                if (st.find()) {
                    statuses.computeIfAbsent(link.group(1), k -> new TreeSet<>()).add(st.group(1).trim());
                }
            }
        }
        Map<String, String> verdicts = new TreeMap<>();
        for (String c : controls) {
            Set<String> s = statuses.get(c);
            verdicts.put(c, s == null ? "not in the report (check the -t filter)"
                    : s.contains("FAILED") ? "caught"
                    : "not caught: the report grades it " + s + " (the control is not broken enough, or the test has no power)");
        }
        return verdicts;
    }

    /** Every test class in {@link #CONTROLS_PACKAGE} listed in any {@code META-INF/TestList} on the class path. */
    static Set<String> listControls() throws IOException {
        Set<String> out = new TreeSet<>();
        Enumeration<URL> lists = ControlsCheck.class.getClassLoader().getResources("META-INF/TestList");
        while (lists.hasMoreElements()) {
            try (InputStream in = lists.nextElement().openStream();
                 BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    String name = firstField(line);
                    if (name != null && name.startsWith(CONTROLS_PACKAGE)) {
                        out.add(name);
                    }
                }
            }
        }
        return out;
    }

    /** A TestList line is {@code JCTEST} then length-prefixed fields ({@code 49Sdev.leakproof...}); the first is the class. */
    static String firstField(String line) {
        if (!line.startsWith("JCTEST")) {
            return null;
        }
        int i = "JCTEST".length();
        int j = i;
        while (j < line.length() && Character.isDigit(line.charAt(j))) {
            j++;
        }
        if (j == i || j >= line.length() || line.charAt(j) != 'S') {
            return null;
        }
        int len = Integer.parseInt(line.substring(i, j));
        int from = j + 1;
        return from + len <= line.length() ? line.substring(from, from + len) : null;
    }

}

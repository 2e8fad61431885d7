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
 * Proves that every stress test of shipped code actually ran and passed. jcstress exits 0 when a
 * test is skipped (for instance a test with more actors than the machine has CPUs, which jcstress
 * silently leaves out), so exit code 0 alone cannot tell a passing gate from an empty one.
 *
 * <p>Lists the tests of {@code dev.leakproof.*} outside {@code dev.leakproof.controls} from
 * {@code META-INF/TestList} on the class path, then reads the {@code index.html} of the gate's
 * jcstress report: each test must be there, and graded {@code PASSED} in every row that names it.
 *
 * <p>Run: {@code java -cp concurrency-stress/target/jcstress.jar dev.leakproof.stress.GateCheck <report-dir>}
 * <br>Exit code: 0 when every test ran and passed, 1 when one did not (each is named), 2 on bad input.
 */
public final class GateCheck {

    private static final String PREFIX = "dev.leakproof.";
    private static final Pattern REPORT_LINK = Pattern.compile("<a href=\"(" + Pattern.quote(PREFIX) + "[^\"]+)\\.html\">");
    private static final Pattern REPORT_STATUS = Pattern.compile("<td class=\"[a-zA-Z]+\">([A-Z][A-Z_ ]*)</td>");

    private GateCheck() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1 || args[0].equals("-h") || args[0].equals("--help")) {
            System.err.println("usage: java -cp jcstress.jar dev.leakproof.stress.GateCheck <jcstress-report-dir>");
            System.exit(2);
        }
        Path index = Path.of(args[0]).resolve("index.html");
        if (!Files.isRegularFile(index)) {
            System.err.println("GateCheck: no jcstress report at " + index);
            System.exit(2);
        }
        Set<String> tests = listTests();
        if (tests.isEmpty()) {
            System.err.println("GateCheck: no stress test of shipped code in META-INF/TestList");
            System.exit(2);
        }
        Map<String, String> verdicts = check(tests, Files.readAllLines(index, StandardCharsets.UTF_8));
        int bad = 0;
        for (Map.Entry<String, String> e : verdicts.entrySet()) {
            boolean ok = e.getValue().equals("passed");
            bad += ok ? 0 : 1;
            System.out.printf("%s %s: %s%n", ok ? "[ran]" : "[NOT PASSED]", e.getKey(), e.getValue());
        }
        System.out.printf("GateCheck: %d of %d stress tests ran and passed%n", tests.size() - bad, tests.size());
        System.exit(bad == 0 ? 0 : 1);
    }

    static Map<String, String> check(Set<String> tests, List<String> lines) {
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
        for (String t : tests) {
            Set<String> s = statuses.get(t);
            verdicts.put(t, s == null ? "not in the report: skipped (more actors than CPUs?) or filtered out"
                    : s.equals(Set.of("PASSED")) ? "passed"
                    : "graded " + s);
        }
        return verdicts;
    }

    static Set<String> listTests() throws IOException {
        Set<String> out = new TreeSet<>();
        Enumeration<URL> lists = GateCheck.class.getClassLoader().getResources("META-INF/TestList");
        while (lists.hasMoreElements()) {
            try (InputStream in = lists.nextElement().openStream();
                 BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    String name = ControlsCheck.firstField(line);
                    if (name != null && name.startsWith(PREFIX) && !name.startsWith(ControlsCheck.CONTROLS_PACKAGE)) {
                        out.add(name);
                    }
                }
            }
        }
        return out;
    }
}

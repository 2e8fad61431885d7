package dev.leakproof.junit;

import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedObject;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A JFR recording around one test, and what it says about the test's allocations. Records
 * {@code jdk.OldObjectSample} with allocation stacks (the JVM keeps a sample of allocations and, when
 * the recording stops, emits those still alive) and {@code jdk.ObjectAllocationSample} (throttled
 * allocation samples, each weighted by the bytes it stands for), both only while the test runs. No
 * agent is needed: the recording is started through the {@code jdk.jfr} API.
 *
 * <p>Costs a few hundred milliseconds the first time JFR starts in a JVM and tens of milliseconds per
 * test after that, which is why the detector records only when the report or the flame graph is on.
 */
final class AllocationRecording implements AutoCloseable {

    static final String OLD_OBJECT_SAMPLE = "jdk.OldObjectSample";
    static final String ALLOCATION_SAMPLE = "jdk.ObjectAllocationSample";
    /** Sites shown in a report, as in the seed's report. */
    static final int TOP_SITES = 10;
    /** Allocation samples per second at most; JFR's own default is 150, too few for a short test. */
    static final String ALLOCATION_THROTTLE = "5000/s";
    /** The smallest object: what a sampled object of unknown size counts for. */
    static final long MIN_OBJECT_BYTES = 16;

    private static final List<String> FRAMEWORK_PREFIXES = List.of(
            "java.", "javax.", "jdk.", "sun.", "com.sun.", "org.junit.", "org.opentest4j.", "org.apache.maven.surefire.");

    private final Recording recording;
    private final Instant start;

    private AllocationRecording(Recording recording, Instant start) {
        this.recording = recording;
        this.start = start;
    }

    /**
     * Starts a recording named after the test.
     *
     * @throws IllegalStateException when JFR is not available in this JVM
     */
    static AllocationRecording start(String testName) {
        if (!FlightRecorder.isAvailable()) {
            throw new IllegalStateException("leak report and flame graph need Java Flight Recorder, which this JVM lacks");
        }
        Recording recording = new Recording();
        recording.setName("leakproof leak detector: " + testName);
        recording.enable(OLD_OBJECT_SAMPLE).withStackTrace().with("cutoff", "0 ns");
        recording.enable(ALLOCATION_SAMPLE).withStackTrace().with("throttle", ALLOCATION_THROTTLE);
        recording.setToDisk(true);
        recording.start();
        Instant start = recording.getStartTime();
        return new AllocationRecording(recording, start != null ? start : Instant.now());
    }

    /** Stops the recording (the JVM then emits the old-object samples still alive) and writes it to {@code file}. */
    Path stopAndDump(Path file) throws IOException {
        recording.stop();
        recording.dump(file);
        return file;
    }

    Instant start() {
        return start;
    }

    @Override
    public void close() {
        recording.close();
    }

    /** One allocation site: the first frame of the stack outside the JDK, JUnit and this extension. */
    record Site(String frame, long bytes, int samples, Set<String> types) {
    }

    /** The report's sites and what they were computed from. */
    record Sites(List<Site> top, boolean live, int totalSites) {
    }

    /**
     * The top sites by bytes of objects allocated since {@code since} and still alive when the
     * recording stopped, from the old-object samples; when there are none, the top sites of all
     * allocations since {@code since}, from the allocation samples ({@link Sites#live()} false).
     */
    static Sites sites(Path file, Instant since) throws IOException {
        Map<String, long[]> liveBytes = new HashMap<>();
        Map<String, Set<String>> liveTypes = new HashMap<>();
        Map<String, long[]> allocated = new HashMap<>();
        Map<String, Set<String>> allocatedTypes = new HashMap<>();
        try (RecordingFile in = new RecordingFile(file)) {
            while (in.hasMoreEvents()) {
                RecordedEvent e = in.readEvent();
                String name = e.getEventType().getName();
                if (OLD_OBJECT_SAMPLE.equals(name)) {
                    Instant allocatedAt = e.getInstant("allocationTime");
                    if (allocatedAt.isBefore(since)) {
                        continue;
                    }
                    RecordedObject object = e.getValue("object");
                    RecordedClass type = object == null ? null : object.getValue("type");
                    add(liveBytes, liveTypes, siteOf(e.getStackTrace()), sampledSize(e, type), type);
                } else if (ALLOCATION_SAMPLE.equals(name)) {
                    if (e.getStartTime().isBefore(since)) {
                        continue;
                    }
                    add(allocated, allocatedTypes, siteOf(e.getStackTrace()), e.getLong("weight"), e.getClass("objectClass"));
                }
            }
        }
        boolean live = !liveBytes.isEmpty();
        return top(live ? liveBytes : allocated, live ? liveTypes : allocatedTypes, live);
    }

    private static void add(Map<String, long[]> bytes, Map<String, Set<String>> types, String site, long size, RecordedClass type) {
        long[] v = bytes.computeIfAbsent(site, k -> new long[2]);
        v[0] += size;
        v[1]++;
        if (type != null) {
            types.computeIfAbsent(site, k -> new LinkedHashSet<>()).add(typeName(type.getName()));
        }
    }

    private static Sites top(Map<String, long[]> bytes, Map<String, Set<String>> types, boolean live) {
        List<Site> sites = new ArrayList<>();
        bytes.forEach((site, v) -> sites.add(new Site(site, v[0], (int) v[1], types.getOrDefault(site, Set.of()))));
        sites.sort(Comparator.comparingLong(Site::bytes).reversed().thenComparing(Site::frame));
        return new Sites(List.copyOf(sites.subList(0, Math.min(TOP_SITES, sites.size()))), live, sites.size());
    }

    /** The sampled object's size: JFR's {@code objectSize} where the JDK records it (JDK 22+), else computed for arrays. */
    private static long sampledSize(RecordedEvent e, RecordedClass type) {
        if (e.hasField("objectSize")) {
            return e.getLong("objectSize");
        }
        int elements = e.hasField("arrayElements") ? e.getInt("arrayElements") : -1;
        if (type != null && elements >= 0 && type.getName().startsWith("[")) {
            long raw = 16 + (long) elements * elementBytes(type.getName().charAt(1));
            return (raw + 7) & ~7L;
        }
        return MIN_OBJECT_BYTES;
    }

    private static int elementBytes(char descriptor) {
        switch (descriptor) {
            case 'Z':
            case 'B':
                return 1;
            case 'C':
            case 'S':
                return 2;
            case 'J':
            case 'D':
                return 8;
            default:
                return 4; // int, float, and references with compressed oops (heaps below 32 GB)
        }
    }

    /** {@code [B} as {@code byte[]}, {@code [Ljava.lang.String;} as {@code java.lang.String[]}. */
    static String typeName(String jvmName) {
        int dims = 0;
        while (dims < jvmName.length() && jvmName.charAt(dims) == '[') {
            dims++;
        }
        if (dims == 0) {
            return jvmName;
        }
        String element;
        char d = jvmName.charAt(dims);
        switch (d) {
            case 'Z': element = "boolean"; break;
            case 'B': element = "byte"; break;
            case 'C': element = "char"; break;
            case 'S': element = "short"; break;
            case 'I': element = "int"; break;
            case 'J': element = "long"; break;
            case 'F': element = "float"; break;
            case 'D': element = "double"; break;
            case 'L': element = jvmName.substring(dims + 1, jvmName.length() - 1); break;
            default: element = jvmName.substring(dims);
        }
        return element + "[]".repeat(dims);
    }

    /** The first frame outside the JDK, JUnit, surefire and this extension; else the top frame. */
    static String siteOf(RecordedStackTrace stack) {
        if (stack == null || stack.getFrames().isEmpty()) {
            return "(no stack)";
        }
        for (RecordedFrame f : stack.getFrames()) {
            if (f.isJavaFrame() && !isFramework(f.getMethod().getType().getName())) {
                return frame(f);
            }
        }
        return frame(stack.getFrames().get(0));
    }

    static boolean isFramework(String className) {
        for (String prefix : FRAMEWORK_PREFIXES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        int dot = className.lastIndexOf('.');
        return dot > 0 && className.substring(0, dot).equals(LeakDetector.class.getPackageName());
    }

    private static String frame(RecordedFrame f) {
        String s = f.getMethod().getType().getName() + "." + f.getMethod().getName();
        return f.getLineNumber() > 0 ? s + ":" + f.getLineNumber() : s;
    }

    /** The report block of the seed, with the sites. */
    static String format(String testName, double growthMb, double thresholdMb, Sites sites) {
        String rule = "=".repeat(70);
        StringBuilder sb = new StringBuilder();
        sb.append(rule).append('\n')
                .append("MEMORY LEAK DETECTED: ").append(testName).append('\n')
                .append(String.format(Locale.ROOT, "Memory growth: %.2f MB (threshold: %.2f MB)%n", growthMb, thresholdMb))
                .append(rule).append("\n\n");
        if (sites.top().isEmpty()) {
            sb.append("No allocation was sampled during the test (JFR ").append(OLD_OBJECT_SAMPLE).append(" and ")
                    .append(ALLOCATION_SAMPLE).append(" recorded nothing): the growth may come from another thread"
                            + " that allocated before the test or from memory the JVM does not sample.\n");
            return sb.toString();
        }
        if (sites.live()) {
            sb.append("Top ").append(TOP_SITES).append(" allocation sites of objects still alive after the test (JFR ")
                    .append(OLD_OBJECT_SAMPLE).append(": sampled objects and their sizes,")
                    .append(" so many small objects count for less than they hold):\n");
        } else {
            sb.append("No sampled object allocated during the test is still alive; top ").append(TOP_SITES)
                    .append(" allocation sites during the test (JFR ").append(ALLOCATION_SAMPLE).append(", live or not):\n");
        }
        for (Site site : sites.top()) {
            sb.append(String.format(Locale.ROOT, "  +%.2f MB: %s  (%d sample%s: %s)%n", site.bytes() / 1_000_000.0,
                    site.frame(), site.samples(), site.samples() == 1 ? "" : "s", String.join(", ", site.types())));
        }
        if (sites.totalSites() > sites.top().size()) {
            sb.append("  ... ").append(sites.totalSites() - sites.top().size()).append(" more site(s)\n");
        }
        return sb.toString();
    }
}

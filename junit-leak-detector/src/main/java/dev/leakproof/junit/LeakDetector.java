package dev.leakproof.junit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.ReflectionSupport;
import org.opentest4j.AssertionFailedError;

import java.io.IOException;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A JUnit 5 extension that fails a test which leaks: heap that stays reachable after it, threads it
 * started that outlive it, or leases of leakproof {@code BufferPool}s it built that were never
 * closed. The JVM version of the seed's pytest plugin; no agent and no JVM per test.
 *
 * <h2>Switching it on</h2>
 * <ul>
 *   <li>{@link DetectLeaks @DetectLeaks} on a test class or method (registers the extension there);</li>
 *   <li>for a whole run, {@code -Dleakproof.detectLeaks=true} or {@code DETECT_MEMORY_LEAKS=1|true|yes}
 *       (case-insensitive; {@code 0|false|no} is off; anything else is an error naming the value),
 *       with the extension registered for every test by JUnit's auto-detection
 *       ({@code junit.jupiter.extensions.autodetection.enabled=true}: this jar lists it in
 *       {@code META-INF/services}), or by {@code @ExtendWith}/{@code @RegisterExtension};</li>
 *   <li>{@link SkipLeakDetection @SkipLeakDetection} exempts a test or a class, and
 *       {@code leakproof.skipLeakDetection} lists tests to exempt by name, for tests one cannot annotate.</li>
 * </ul>
 * The nearest annotation wins (method, class, superclass, enclosing class), then the run-wide switch.
 *
 * <h2>What a checked test goes through</h2>
 * Before the test (before its {@code @BeforeEach} methods): the warm-up runs are done first when
 * {@code warmups > 0} (see below); then, when the report or flame graph is on, a JFR recording
 * starts; the live threads and the pool registry are noted; and used heap is read after a forced,
 * settled garbage collection ({@link SettledHeap}). After the test (after its {@code @AfterEach}
 * methods), in this order:
 * <ol>
 *   <li><b>threads</b> ({@link Check#THREADS}): threads started since, still alive after waiting up
 *       to {@code leakproof.threadGrace} (default 1 s) for them to end, whose names match no allowed
 *       glob, fail the test with their names, states and stacks;</li>
 *   <li><b>leases</b> ({@link Check#LEASES}): pools built since with leases still out, or with leases
 *       reclaimed by the GC or force-released, fail the test with each lease's id, size, age, thread
 *       and (when tracked) acquisition stack;</li>
 *   <li><b>heap</b> ({@link Check#HEAP}): a second settled reading; growth above the threshold fails
 *       the test with {@code Memory leak detected: 8.42 MB growth (threshold: 5.00 MB).};</li>
 *   <li>with {@code leakproof.leakReport=true}, a heap failure lists the top 10 allocation sites of
 *       objects allocated during the test and still alive, from the recording
 *       ({@code jdk.OldObjectSample}; {@code jdk.ObjectAllocationSample} when none is alive); with
 *       {@code leakproof.flameGraph=true}, any failure writes an HTML allocation flame graph (and the
 *       {@code .jfr} file) under {@code leakproof.leakReportDir} (default {@code target/leak-reports}).</li>
 * </ol>
 * A test that already failed or was aborted is not judged. MB are 10^6 bytes, as the seed reports them.
 *
 * <h2>Warm-up</h2>
 * With {@code warmups = N} the test method is invoked N extra times on the same test instance (its
 * {@code @BeforeEach}/{@code @AfterEach} methods run once, around all of them) before the measured
 * run; the snapshots are taken after the warm-ups, so one-time class initialisation, lazy singletons
 * and caches filled on first use are absorbed. A warm-up failure fails the test.
 *
 * <h2>Parallel execution</h2>
 * Heap readings are global to the JVM. A checked test holds a JVM-wide lock exclusively from its
 * first snapshot to its verdict; every other test the extension sees holds it shared while it runs.
 * So under {@code junit.jupiter.execution.parallel.enabled=true} checked tests run one at a time and
 * never beside another test the extension sees, and their verdicts are those of a serial run; tests
 * the extension is not registered for (no auto-detection, no annotation) are not held back and may
 * disturb the heap reading: register the extension for every test (auto-detection), or mark checked
 * classes {@code @Isolated}. A test running inside an unchecked test on the same thread (a dynamic
 * test run by a waiting worker) cannot take the lock; its heap check is skipped with a warning, its
 * thread and lease checks still run.
 *
 * <h2>Settings</h2>
 * JUnit configuration parameters (so {@code -D} system properties and {@code junit-platform.properties}),
 * else environment variables: {@value #PROP_DETECT_LEAKS}/{@value #ENV_DETECT_LEAKS},
 * {@value #PROP_THRESHOLD_MB}/{@value #ENV_THRESHOLD_MB} (default 5.0), {@value #PROP_REPORT},
 * {@value #PROP_FLAME_GRAPH}, {@value #PROP_REPORT_DIR}, {@value #PROP_WARMUPS} (default 0),
 * {@value #PROP_CHECKS} (default {@code heap,threads,leases}), {@value #PROP_THREAD_ALLOW} (globs),
 * {@value #PROP_THREAD_GRACE} (default 1s), {@value #PROP_SKIP} (globs of {@code Class} or
 * {@code Class#method}). A bad value fails each test it applies to with a message naming the key and value.
 *
 * <p>Registered more than once for the same test (say auto-detected and by {@code @DetectLeaks}),
 * the first registration to see the test checks it and the others stand aside.
 */
public final class LeakDetector implements BeforeEachCallback, AfterEachCallback, InvocationInterceptor {

    /** Configuration parameter / system property: the run-wide switch. */
    public static final String PROP_DETECT_LEAKS = "leakproof.detectLeaks";
    /** Environment variable: the run-wide switch, as in the seed ({@code 1|true|yes}). */
    public static final String ENV_DETECT_LEAKS = "DETECT_MEMORY_LEAKS";
    /** Configuration parameter: heap growth threshold in MB. */
    public static final String PROP_THRESHOLD_MB = "leakproof.leakThresholdMb";
    /** Environment variable: heap growth threshold in MB. */
    public static final String ENV_THRESHOLD_MB = "LEAKPROOF_LEAK_THRESHOLD_MB";
    /** Configuration parameter: list the top allocation sites on a heap failure. */
    public static final String PROP_REPORT = "leakproof.leakReport";
    /** Environment variable: list the top allocation sites on a heap failure. */
    public static final String ENV_REPORT = "LEAKPROOF_LEAK_REPORT";
    /** Configuration parameter: write an allocation flame graph for each failing test. */
    public static final String PROP_FLAME_GRAPH = "leakproof.flameGraph";
    /** Environment variable: write an allocation flame graph for each failing test. */
    public static final String ENV_FLAME_GRAPH = "LEAKPROOF_FLAME_GRAPH";
    /** Configuration parameter: where flame graphs and recordings go. */
    public static final String PROP_REPORT_DIR = "leakproof.leakReportDir";
    /** Environment variable: where flame graphs and recordings go. */
    public static final String ENV_REPORT_DIR = "LEAKPROOF_LEAK_REPORT_DIR";
    /** Configuration parameter: warm-up runs before the measured one. */
    public static final String PROP_WARMUPS = "leakproof.leakWarmups";
    /** Environment variable: warm-up runs before the measured one. */
    public static final String ENV_WARMUPS = "LEAKPROOF_LEAK_WARMUPS";
    /** Configuration parameter: the checks, comma-separated ({@code heap,threads,leases}). */
    public static final String PROP_CHECKS = "leakproof.leakChecks";
    /** Environment variable: the checks, comma-separated. */
    public static final String ENV_CHECKS = "LEAKPROOF_LEAK_CHECKS";
    /** Configuration parameter: names of threads allowed to outlive a test, comma-separated globs. */
    public static final String PROP_THREAD_ALLOW = "leakproof.threadAllow";
    /** Environment variable: names of threads allowed to outlive a test. */
    public static final String ENV_THREAD_ALLOW = "LEAKPROOF_THREAD_ALLOW";
    /** Configuration parameter: how long to wait for threads started by a test to end. */
    public static final String PROP_THREAD_GRACE = "leakproof.threadGrace";
    /** Environment variable: how long to wait for threads started by a test to end. */
    public static final String ENV_THREAD_GRACE = "LEAKPROOF_THREAD_GRACE";
    /** Configuration parameter: tests exempt by name, comma-separated globs of {@code Class} or {@code Class#method}. */
    public static final String PROP_SKIP = "leakproof.skipLeakDetection";
    /** Environment variable: tests exempt by name. */
    public static final String ENV_SKIP = "LEAKPROOF_SKIP_LEAK_DETECTION";

    /** The seed's threshold: 5.0 MB. */
    public static final double DEFAULT_THRESHOLD_MB = 5.0;
    /** The largest threshold accepted, in MB. */
    public static final double MAX_THRESHOLD_MB = 1_000_000;
    /** The most warm-up runs accepted. */
    public static final int MAX_WARMUPS = 100;
    /** How long threads started by a test get to end, by default. */
    public static final Duration DEFAULT_THREAD_GRACE = Duration.ofSeconds(1);
    /** The longest grace accepted. */
    public static final Duration MAX_THREAD_GRACE = Duration.ofSeconds(60);
    /** Where flame graphs go by default, relative to the working directory (the module, under Maven). */
    public static final String DEFAULT_REPORT_DIR = "target/leak-reports";

    private static final System.Logger LOG = System.getLogger(LeakDetector.class.getName());
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LeakDetector.class);
    private static final String STATE = "state";

    private final Map<String, String> environment;

    /** The extension as {@code @ExtendWith} and auto-detection create it: reads the process environment. */
    public LeakDetector() {
        this(System.getenv());
    }

    private LeakDetector(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /**
     * An extension that reads {@code environment} instead of the process environment, for
     * {@code @RegisterExtension}, e.g. to switch detection on for one class the way CI would:
     * {@code @RegisterExtension static LeakDetector detector = LeakDetector.withEnvironment(Map.of("DETECT_MEMORY_LEAKS", "1"));}
     */
    public static LeakDetector withEnvironment(Map<String, String> environment) {
        return new LeakDetector(Objects.requireNonNull(environment, "environment"));
    }

    // ------------------------------------------------------------------ callbacks

    @Override
    public void beforeEach(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        if (store.get(STATE) != null) {
            return; // another registration of the detector checks this test
        }
        Policy policy = policy(context);
        if (policy == null) {
            MeasurementLock.lockShared();
            store.put(STATE, new State(this, null, false, testName(context)));
            return;
        }
        if (policy.flameGraph()) {
            FlameGraphs.checkAvailable(LeakDetector.class.getClassLoader());
        }
        boolean exclusive = MeasurementLock.lockExclusive();
        State state = new State(this, policy, exclusive, testName(context));
        store.put(STATE, state);
        if (!exclusive && policy.checks().contains(Check.HEAP)) {
            LOG.log(System.Logger.Level.WARNING, "leak detector: " + state.testName + " runs inside another test"
                    + " on the same thread under parallel execution; its heap growth is not checked");
        }
        if (policy.warmups() == 0) {
            state.begin();
        }
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext extensionContext) throws Throwable {
        warmUpAndBegin(invocation, invocationContext, extensionContext);
        invocation.proceed();
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                            ExtensionContext extensionContext) throws Throwable {
        warmUpAndBegin(invocation, invocationContext, extensionContext);
        invocation.proceed();
    }

    private void warmUpAndBegin(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                ExtensionContext context) throws Throwable {
        State state = context.getStore(NAMESPACE).get(STATE, State.class);
        if (state == null || state.owner != this || state.policy == null || state.begun) {
            return;
        }
        try {
            for (int i = 0; i < state.policy.warmups(); i++) {
                ReflectionSupport.invokeMethod(invocationContext.getExecutable(),
                        invocationContext.getTarget().orElse(null), invocationContext.getArguments().toArray());
            }
        } catch (Throwable t) {
            invocation.skip();
            throw t;
        }
        state.begin();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        State state = store.get(STATE, State.class);
        if (state == null || state.owner != this) {
            return;
        }
        store.remove(STATE);
        String failure;
        try {
            failure = state.policy == null ? null : state.judge(context);
        } finally {
            state.release();
        }
        if (failure != null) {
            throw new AssertionFailedError(failure);
        }
    }

    // ------------------------------------------------------------------ policy

    /** What applies to one test: {@code null} when the test is not checked. */
    record Policy(double thresholdMb, int warmups, Set<Check> checks, List<Pattern> threadAllow, Duration threadGrace,
                  boolean report, boolean flameGraph, Path reportDir) {
    }

    private DetectorConfig config(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(this,
                key -> DetectorConfig.read(context::getConfigurationParameter, environment), DetectorConfig.class);
    }

    private Policy policy(ExtensionContext context) {
        Method method = context.getRequiredTestMethod();
        List<AnnotatedElement> chain = new ArrayList<>();
        chain.add(method);
        for (Class<?> c = context.getRequiredTestClass(); c != null; c = c.getEnclosingClass()) {
            chain.add(c);
        }
        List<DetectLeaks> detect = new ArrayList<>();
        Boolean on = null;
        for (AnnotatedElement element : chain) {
            Optional<SkipLeakDetection> skip = AnnotationSupport.findAnnotation(element, SkipLeakDetection.class);
            Optional<DetectLeaks> annotation = AnnotationSupport.findAnnotation(element, DetectLeaks.class);
            if (on == null && skip.isPresent()) {
                LOG.log(System.Logger.Level.DEBUG, () -> "leak detector: " + testName(context) + " skipped: "
                        + skip.get().value());
                return null;
            }
            annotation.ifPresent(detect::add);
            if (on == null && annotation.isPresent()) {
                on = true;
            }
        }
        DetectorConfig config = config(context);
        if (on == null) {
            if (!config.enabled || config.skippedByConfiguration(context.getRequiredTestClass().getName(), method.getName())) {
                return null;
            }
        }
        double threshold = config.thresholdMb;
        int warmups = config.warmups;
        Set<Check> checks = config.checks;
        List<String> allow = new ArrayList<>(config.threadAllow);
        for (int i = detect.size() - 1; i >= 0; i--) { // farthest first, so the nearest overrides
            DetectLeaks d = detect.get(i);
            if (d.thresholdMb() != DetectLeaks.INHERIT_THRESHOLD) {
                if (!(d.thresholdMb() > 0 && d.thresholdMb() <= MAX_THRESHOLD_MB)) {
                    throw new IllegalArgumentException("@DetectLeaks(thresholdMb = " + d.thresholdMb() + ") on "
                            + testName(context) + " is invalid: expected a number of MB greater than 0 and at most "
                            + MAX_THRESHOLD_MB);
                }
                threshold = d.thresholdMb();
            }
            if (d.warmups() != DetectLeaks.INHERIT_WARMUPS) {
                if (d.warmups() < 0 || d.warmups() > MAX_WARMUPS) {
                    throw new IllegalArgumentException("@DetectLeaks(warmups = " + d.warmups() + ") on "
                            + testName(context) + " is invalid: expected an integer from 0 to " + MAX_WARMUPS);
                }
                warmups = d.warmups();
            }
            if (d.checks().length > 0) {
                checks = EnumSet.copyOf(Arrays.asList(d.checks()));
            }
            allow.addAll(Arrays.asList(d.allowThreads()));
        }
        List<Pattern> patterns = new ArrayList<>();
        for (String glob : allow) {
            patterns.add(DetectorConfig.glob(glob));
        }
        return new Policy(threshold, warmups, Set.copyOf(checks), List.copyOf(patterns), config.threadGrace,
                config.report, config.flameGraph, config.reportDir);
    }

    private static String testName(ExtensionContext context) {
        String name = context.getRequiredTestClass().getName() + "#" + context.getRequiredTestMethod().getName() + "()";
        String display = context.getDisplayName();
        return display.equals(context.getRequiredTestMethod().getName() + "()") ? name : name + " [" + display + "]";
    }

    private static String fileName(ExtensionContext context) {
        String base = context.getRequiredTestClass().getName() + "." + context.getRequiredTestMethod().getName();
        String id = Integer.toHexString(context.getUniqueId().hashCode());
        return (base + "-" + id).replaceAll("[^A-Za-z0-9._-]", "_");
    }

    // ------------------------------------------------------------------ one test

    /** The state of one test between its callbacks. */
    private static final class State {
        final LeakDetector owner;
        final Policy policy;
        final boolean exclusive;
        final String testName;
        boolean begun;
        AllocationRecording recording;
        ThreadSnapshot threads;
        LeaseSnapshot leases;
        SettledHeap.Reading before;
        Instant recordingStart;
        long overheadNanos;

        State(LeakDetector owner, Policy policy, boolean exclusive, String testName) {
            this.owner = owner;
            this.policy = policy;
            this.exclusive = exclusive;
            this.testName = testName;
        }

        boolean heapChecked() {
            return exclusive && policy.checks().contains(Check.HEAP);
        }

        void begin() {
            long start = System.nanoTime();
            begun = true;
            if (policy.report() || policy.flameGraph()) {
                recording = AllocationRecording.start(testName);
                recordingStart = recording.start();
            }
            if (policy.checks().contains(Check.THREADS)) {
                threads = ThreadSnapshot.take();
            }
            if (policy.checks().contains(Check.LEASES)) {
                leases = LeaseSnapshot.take();
            }
            if (heapChecked()) {
                before = SettledHeap.measure();
            }
            overheadNanos += System.nanoTime() - start;
        }

        /** The failure message, or {@code null} when the test leaked nothing (or was not judged). */
        String judge(ExtensionContext context) throws InterruptedException, IOException {
            if (!begun) {
                return null;
            }
            if (context.getExecutionException().isPresent()) {
                return null; // a failed or aborted test is not judged: its own failure is the story
            }
            long start = System.nanoTime();
            List<String> sections = new ArrayList<>();
            if (threads != null) {
                List<Thread> leaked = threads.leakedSince(policy.threadAllow(), policy.threadGrace().toNanos());
                if (!leaked.isEmpty()) {
                    sections.add("Thread leak detected: " + leaked.size() + " thread(s) started during the test"
                            + " still alive after it (waited " + policy.threadGrace().toMillis() + " ms for them to end):\n"
                            + ThreadSnapshot.describe(leaked)
                            + "Stop them in the test (close what started them), or allow them by name with -D"
                            + PROP_THREAD_ALLOW + "=<glob,...> or @DetectLeaks(allowThreads = ...).\n");
                }
            }
            if (leases != null) {
                String leaked = leases.leaksSince();
                if (leaked != null) {
                    sections.add(leaked);
                }
            }
            boolean heapFailed = false;
            double growthMb = 0;
            if (before != null) {
                SettledHeap.Reading after = SettledHeap.measure();
                growthMb = (after.usedBytes() - before.usedBytes()) / 1_000_000.0;
                context.publishReportEntry("leakproof.heapGrowthMb", String.format(Locale.ROOT, "%.3f", growthMb));
                if (!before.settled() || !after.settled()) {
                    LOG.log(System.Logger.Level.WARNING, "leak detector: heap of " + testName + " not judged: System.gc()"
                            + " did not settle (" + before + ", " + after + "); is -XX:+DisableExplicitGC or"
                            + " -XX:+ExplicitGCInvokesConcurrent set?");
                } else if (growthMb > policy.thresholdMb()) {
                    heapFailed = true;
                    sections.add(0, String.format(Locale.ROOT, "Memory leak detected: %.2f MB growth (threshold: %.2f MB).%n",
                            growthMb, policy.thresholdMb())
                            + (policy.report() ? "" : "Run with -D" + PROP_REPORT + "=true for details.\n"));
                }
            }
            if (recording != null) {
                finishRecording(context, sections, !sections.isEmpty(), heapFailed, growthMb);
            }
            overheadNanos += System.nanoTime() - start;
            context.publishReportEntry("leakproof.checkMillis", String.valueOf(overheadNanos / 1_000_000));
            return sections.isEmpty() ? null : String.join("\n", sections);
        }

        /**
         * Stops the recording; for a failing test adds the report after the heap section (heap failure
         * with the report on) and the flame graph's path at the end (flame graphs on).
         */
        private void finishRecording(ExtensionContext context, List<String> sections, boolean failed, boolean heapFailed,
                                     double growthMb) throws IOException {
            boolean keep = failed && policy.flameGraph();
            Path jfr;
            if (keep) {
                Files.createDirectories(policy.reportDir());
                jfr = policy.reportDir().resolve(fileName(context) + ".jfr");
            } else {
                jfr = Files.createTempFile("leakproof-", ".jfr");
            }
            try {
                recording.stopAndDump(jfr);
                recording.close();
                recording = null;
                if (heapFailed && policy.report()) {
                    AllocationRecording.Sites sites = AllocationRecording.sites(jfr, recordingStart);
                    sections.add(1, AllocationRecording.format(testName, growthMb, policy.thresholdMb(), sites));
                }
                if (keep) {
                    Path html = policy.reportDir().resolve(fileName(context) + "-alloc.html");
                    FlameGraphs.write(jfr, html, "Allocations of " + testName);
                    sections.add("Allocation flame graph: " + html.toAbsolutePath() + "\n"
                            + "JFR recording: " + jfr.toAbsolutePath() + "\n");
                }
            } finally {
                if (!keep) {
                    Files.deleteIfExists(jfr);
                }
            }
        }

        void release() {
            if (recording != null) {
                recording.close();
                recording = null;
            }
            if (policy == null) {
                MeasurementLock.unlockShared();
            } else if (exclusive) {
                MeasurementLock.unlockExclusive();
            }
        }
    }
}

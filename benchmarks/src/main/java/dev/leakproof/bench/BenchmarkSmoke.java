package dev.leakproof.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The benchmark smoke pass of {@code mvn verify}: checks that the jar lists benchmarks (an empty
 * list means annotation processing was skipped, as JDK 23+ does without {@code <proc>full</proc>}),
 * then runs every benchmark for one very short iteration in one fork, so that none can rot. Every
 * implementation under comparison ({@code impl}) and every other parameter value runs, except the
 * size-like parameters in {@link #SMOKE_PARAMS}, which are pinned to one representative value to keep
 * the pass under 3 minutes on 2 cores. Measures nothing worth quoting.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.leakproof.bench.BenchmarkSmoke [result.json] [include-regex]}
 */
public final class BenchmarkSmoke {

    /**
     * Parameters pinned to one value in the smoke pass: name, value. The full matrix of these runs
     * in {@code scripts/bench.sh}; here one value shows the code path works.
     */
    static final String[][] SMOKE_PARAMS = {
            {"size", "4096"},        // pool benchmarks: 64 B and 64 KiB run the same code as 4 KiB
            {"capacity", "1024"},    // queue and retry-buffer add: 64 K and 1 M only take longer to fill
    };

    private BenchmarkSmoke() {
    }

    public static void main(String[] args) throws RunnerException {
        String resultFile = args.length > 0 ? args[0] : "smoke-jmh.json";
        String include = args.length > 1 ? args[1] : ".*";

        Set<BenchmarkListEntry> listed = BenchmarkList.defaultList()
                .find(OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT), List.of(include), List.of());
        if (listed.isEmpty()) {
            fail("benchmarks.jar lists no benchmark matching '" + include
                    + "': was the JMH annotation processor skipped (JDK 23+ needs <proc>full</proc>)?");
        }
        Set<String> expected = listed.stream().map(BenchmarkListEntry::getUsername).collect(Collectors.toCollection(TreeSet::new));
        System.out.println("benchmark smoke: " + expected.size() + " benchmarks listed: " + expected);

        OptionsBuilder builder = new OptionsBuilder();
        for (String[] pinned : SMOKE_PARAMS) {
            builder.param(pinned[0], pinned[1]);
        }
        Options options = builder
                .include(include)
                .forks(1)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .timeout(TimeValue.seconds(60))
                .jvmArgsPrepend("-Xms256m", "-Xmx256m")
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .resultFormat(ResultFormatType.JSON)
                .result(resultFile)
                .build();
        Collection<RunResult> results = new Runner(options).run();

        Set<String> ran = results.stream().map(r -> r.getParams().getBenchmark()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(ran);
        if (!missing.isEmpty()) {
            fail("benchmarks produced no result: " + missing);
        }
        for (RunResult r : results) {
            double score = r.getPrimaryResult().getScore();
            if (!(score > 0) || Double.isNaN(score)) {
                fail(r.getParams().getBenchmark() + " " + r.getParams() + " scored " + score);
            }
        }
        System.out.println("benchmark smoke: " + results.size() + " runs of " + ran.size() + " benchmarks passed; results in " + resultFile);
    }

    private static void fail(String message) {
        System.err.println("benchmark smoke FAILED: " + message);
        System.exit(1);
    }
}

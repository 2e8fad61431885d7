package dev.leakproof.soak;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The soak driver's command line (docs/soak.md). Exit codes: 0 the soak ran to its planned end
 * (the leak verdict is the report tool's), 1 it failed (a component error, OOM, unwritable output),
 * 2 bad usage. On SIGINT/SIGTERM it stops the workload, writes the {@code end} record with status
 * {@code interrupted} and the JFR file, and the JVM exits with the signal's code.
 *
 * <p>{@code --heap} is checked, not applied: start the JVM with the same {@code -Xmx}
 * ({@code scripts/soak.sh} does); a JVM whose maximum heap is not within 10 % below it is refused.
 */
@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
        version = "leakproof soak driver (samples format leakproof-soak-samples, version 1)",
        description = "Runs leakproof's primitives under load and writes samples.jsonl, soak.jfr and soak.log.")
public final class SoakMain implements Callable<Integer> {

    @Option(names = "--duration", defaultValue = "24h", description = "how long: 90s, 3m, 24h (default ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--workload", defaultValue = "mixed", description = "mixed, queue, pipeline, retry or pool (default ${DEFAULT-VALUE})")
    String workload;

    @Option(names = "--heap", description = "the max heap this JVM must have (as -Xmx: 256m, 1g); default: whatever it has")
    String heap;

    @Option(names = "--seed", defaultValue = "42", description = "seed of the workload's random choices (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--inject-leak", defaultValue = "0", description = "leak to inject: 2MiB/min, 512KiB/min, 0 (default: none)")
    String injectLeak;

    @Option(names = "--leak-kind", defaultValue = "retained", description = "retained (objects kept) or lease (pool leases never closed); default ${DEFAULT-VALUE}")
    String leakKind;

    @Option(names = "--out", required = true, description = "folder for samples.jsonl, soak.jfr and soak.log")
    Path out;

    @Option(names = "--sample-interval", defaultValue = "1s", description = "interval samples (default ${DEFAULT-VALUE})")
    String sampleInterval;

    @Option(names = "--settle-interval", defaultValue = "10s", description = "settled samples, each forcing GCs (default ${DEFAULT-VALUE})")
    String settleInterval;

    @Option(names = "--progress-interval", defaultValue = "10s", description = "progress lines (default ${DEFAULT-VALUE})")
    String progressInterval;

    @Option(names = "--pace", defaultValue = "1.0", description = "multiplies the workload's rates, 0.1 to 10 (default ${DEFAULT-VALUE})")
    double pace;

    @Option(names = "--no-jfr", description = "do not record soak.jfr (tests)")
    boolean noJfr;

    @Option(names = "--component-logs", description = "show the components' own log warnings (default: only SEVERE;"
            + " leaks and injected failures are events in the samples anyway)")
    boolean componentLogs;

    /** The components log through System.Logger (java.util.logging by default); held so its level sticks. */
    private static final Logger LIBRARY_LOG = Logger.getLogger("dev.leakproof");

    private final PrintStream console;
    private final boolean installSignalHook;
    private volatile SoakRunner runner;

    SoakMain(PrintStream console, boolean installSignalHook) {
        this.console = console;
        this.installSignalHook = installSignalHook;
    }

    /** Runs the soak and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, true));
    }

    /** Runs the soak with {@code args} and returns the exit code, without exiting (tests). */
    static int run(String[] args, PrintStream out, PrintStream err, boolean installSignalHook) {
        return commandLine(new SoakMain(out, installSignalHook), out, err).execute(args);
    }

    static CommandLine commandLine(SoakMain main, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(main);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, c, parsed) -> {
            if (e instanceof IllegalArgumentException) {
                c.getErr().println("soak: " + e.getMessage());
                return 2;
            }
            c.getErr().println("soak failed: " + e);
            return 1;
        });
        return cl;
    }

    /** The runner of the soak in progress, once it has started (tests stop it through this). */
    SoakRunner runner() {
        return runner;
    }

    @Override
    public Integer call() throws Exception {
        SoakRunner.Config config = config();
        if (!componentLogs) {
            LIBRARY_LOG.setLevel(Level.SEVERE);
        }
        SoakRunner r = new SoakRunner(config, console);
        runner = r;
        Thread hook = null;
        if (installSignalHook) {
            hook = new Thread(() -> {
                r.requestStop();
                try {
                    r.awaitDone(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "leakproof-soak-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
        }
        SoakRunner.Status status = r.run();
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: the JVM exits with the signal's code
            }
        }
        return status == SoakRunner.Status.FAILED ? 1 : 0;
    }

    /**
     * Checks and converts the options.
     *
     * @throws IllegalArgumentException naming the bad value (exit code 2)
     */
    SoakRunner.Config config() {
        Duration d = Units.parseDuration("--duration", duration);
        if (!Workloads.NAMES.contains(workload)) {
            throw new IllegalArgumentException("--workload '" + workload + "' is not one of " + Workloads.NAMES);
        }
        long rate = Units.parseRate("--inject-leak", injectLeak);
        LeakInjector.Kind kind = LeakInjector.Kind.parse(leakKind);
        if (kind == LeakInjector.Kind.LEASE && !(workload.equals("mixed") || workload.equals("pool"))) {
            throw new IllegalArgumentException("--leak-kind lease needs --workload mixed or pool, not '" + workload + "'");
        }
        long max = Runtime.getRuntime().maxMemory();
        if (heap != null) {
            long wanted = Units.parseSize("--heap", heap);
            if (max > wanted || max < wanted * 0.9) {
                throw new IllegalArgumentException("--heap " + heap + " (" + wanted + " bytes) does not match this JVM's max heap ("
                        + max + " bytes): start java with -Xmx" + heap + " (scripts/soak.sh does)");
            }
        }
        long sample = Units.parseDuration("--sample-interval", sampleInterval).toMillis();
        long settle = Units.parseDuration("--settle-interval", settleInterval).toMillis();
        long progress = Units.parseDuration("--progress-interval", progressInterval).toMillis();
        if (sample < 100) {
            throw new IllegalArgumentException("--sample-interval " + sampleInterval + " is below the minimum of 100ms");
        }
        if (settle < 1000) {
            throw new IllegalArgumentException("--settle-interval " + settleInterval + " is below the minimum of 1s");
        }
        if (!(pace >= 0.1 && pace <= 10)) {
            throw new IllegalArgumentException("--pace " + pace + " is out of range 0.1 to 10");
        }
        return new SoakRunner.Config(d, workload, seed, max, kind, rate, out, sample, settle, progress, pace, !noJfr);
    }
}

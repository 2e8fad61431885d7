package dev.leakproof.soak;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs one soak: starts the JFR recording and the workload, then on one thread samples until the
 * planned duration has passed, a stop is requested or the workload fails, and finally stops the
 * workload, writes the {@code end} record and the JFR file. Everything it holds is bounded
 * (the event and GC queues, a reused line buffer, an O(1) trend fit); only an injected leak grows.
 */
final class SoakRunner {

    /** Files written into the output folder. */
    static final String SAMPLES = "samples.jsonl";
    static final String JFR = "soak.jfr";
    static final String LOG = "soak.log";

    /** How the soak ended, as written in the {@code end} record. */
    enum Status {
        COMPLETED, INTERRUPTED, FAILED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Everything a soak is configured by. */
    record Config(Duration duration, String workload, long seed, long heapMaxBytes, LeakInjector.Kind leakKind,
                  long leakBytesPerMinute, Path outDir, long sampleIntervalMs, long settleIntervalMs,
                  long progressIntervalMs, double pace, boolean jfr) {
    }

    private final Config config;
    private final PrintStream console;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean stopRequested;

    SoakRunner(Config config, PrintStream console) {
        this.config = config;
        this.console = console;
    }

    /** Asks the soak to end early; it writes {@code end} with status {@code interrupted}. Any thread. */
    void requestStop() {
        stopRequested = true;
    }

    /** Waits until {@link #run()} has finished writing, at most {@code timeout}. */
    boolean awaitDone(Duration timeout) throws InterruptedException {
        return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Runs the soak to its end.
     *
     * @return how it ended
     * @throws IOException when the output files cannot be written
     */
    Status run() throws IOException {
        try {
            return runSoak();
        } finally {
            done.countDown();
        }
    }

    private Status runSoak() throws IOException {
        Files.createDirectories(config.outDir());
        SoakClock clock = SoakClock.system();
        Events events = new Events(clock);
        Instant startedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        try (Writer samplesFile = Files.newBufferedWriter(config.outDir().resolve(SAMPLES), StandardCharsets.UTF_8);
             Writer logFile = Files.newBufferedWriter(config.outDir().resolve(LOG), StandardCharsets.UTF_8);
             SamplesWriter writer = new SamplesWriter(samplesFile);
             HeapReader heap = new HeapReader()) {
            Progress progress = new Progress(console, logFile);
            JfrRecorder jfr = config.jfr() ? JfrRecorder.start(config.outDir().resolve(JFR)) : null;
            Workload workload = null;
            Status status = Status.FAILED;
            String error = null;
            LeakInjector injector = null;
            try {
                workload = Workloads.create(config.workload(), new Load.Config(config.seed(), config.pace(), events,
                        clock, config.heapMaxBytes()));
                injector = new LeakInjector(config.leakKind(), config.leakBytesPerMinute(), clock, workload.pool(), events);
                writer.header(new SamplesWriter.Header(startedAt.toString(), config.workload(), config.seed(),
                        config.duration().toMillis(), config.heapMaxBytes(), config.sampleIntervalMs(),
                        config.settleIntervalMs(), injector.kind().label(), injector.bytesPerMinute(),
                        System.getProperty("java.vm.vendor"), System.getProperty("java.version"),
                        HeapReader.collectorNames(), Runtime.getRuntime().availableProcessors(), config.pace()));
                progress.line(String.format(Locale.ROOT, "soak %s: workload %s, seed %d, heap %s, leak %s %s/min, samples in %s",
                        Units.clock(config.duration().toMillis()), config.workload(), config.seed(),
                        Units.bytes(config.heapMaxBytes()), injector.kind().label(), Units.bytes(injector.bytesPerMinute()),
                        config.outDir()));
                heap.listen();
                workload.start();
                Sampler sampler = new Sampler(config, clock, heap, writer, workload, injector, events, progress);
                status = sampler.loop(() -> stopRequested);
                error = sampler.error();
            } catch (RuntimeException | Error e) {
                status = Status.FAILED;
                error = e.toString();
                if (!writer.hasHeader()) {
                    closeQuietly(workload, events);
                    if (jfr != null) {
                        jfr.close();
                    }
                    throw e;
                }
            } finally {
                closeQuietly(workload, events);
                if (jfr != null) {
                    jfr.close();
                }
                if (injector != null) {
                    injector.release();
                }
                if (writer.hasHeader()) {
                    events.drain(writer::event);
                    writer.end(clock.elapsedMs(), status.label(), error, jfr == null ? null : JFR);
                }
                progress.line("soak " + status.label() + " after " + Units.clock(clock.elapsedMs())
                        + (error == null ? "" : ": " + error));
            }
            return status;
        }
    }

    private static void closeQuietly(Workload workload, Events events) {
        if (workload == null) {
            return;
        }
        try {
            workload.close();
        } catch (RuntimeException e) {
            events.add("warning", "closing the workload failed: " + e);
        }
    }

    /** Progress lines, on the terminal and in soak.log. */
    static final class Progress {
        private final PrintStream console;
        private final Writer log;

        Progress(PrintStream console, Writer log) {
            this.console = console;
            this.log = log;
        }

        void line(String text) {
            String l = "[soak] " + text;
            console.println(l);
            console.flush();
            try {
                log.write(l);
                log.write('\n');
                log.flush();
            } catch (IOException e) {
                console.println("[soak] cannot write soak.log: " + e);
            }
        }
    }
}

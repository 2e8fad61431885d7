package dev.leakproof.soak;

import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * The JFR recording of a whole soak, started in-process: the JDK's {@code default} settings (GC,
 * allocation and thread events) plus {@code jdk.OldObjectSample} with stack traces and a 5 s cutoff
 * for the paths to GC roots, and {@code jdk.ObjectAllocationSample} throttled to 100/s. Kept on disk
 * and bounded by age and size, so a 24-hour soak keeps its last part; written to the destination
 * when stopped (also by the JVM's own shutdown if the soak is killed).
 */
final class JfrRecorder implements AutoCloseable {

    /** The recording keeps at most this much ... */
    static final long MAX_SIZE_BYTES = 512L << 20;
    /** ... and at most this much history. */
    static final Duration MAX_AGE = Duration.ofHours(25);

    private final Recording recording;
    private boolean stopped;

    private JfrRecorder(Recording recording) {
        this.recording = recording;
    }

    /** Starts a recording that will be written to {@code file}. */
    static JfrRecorder start(Path file) throws IOException {
        Configuration config;
        try {
            config = Configuration.getConfiguration("default");
        } catch (ParseException e) {
            throw new IOException("cannot read the JDK's default JFR configuration", e);
        }
        Recording r = new Recording(config);
        r.setName("leakproof-soak");
        r.enable("jdk.OldObjectSample").withStackTrace().with("cutoff", "5 s");
        r.enable("jdk.ObjectAllocationSample").with("throttle", "100/s");
        r.setToDisk(true);
        r.setMaxSize(MAX_SIZE_BYTES);
        r.setMaxAge(MAX_AGE);
        r.setDestination(file);
        r.setDumpOnExit(true); // if the JVM's shutdown stops the recording before the driver does, it is still written
        r.start();
        return new JfrRecorder(r);
    }

    /** Stops the recording and writes it to its file (once). */
    @Override
    public void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            recording.stop();
        } catch (IllegalStateException alreadyStopped) {
            // the JVM's shutdown already stopped and wrote it
        } finally {
            recording.close();
        }
    }
}

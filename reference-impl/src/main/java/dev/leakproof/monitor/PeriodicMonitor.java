package dev.leakproof.monitor;

import dev.leakproof.internal.Checks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Samples named {@link Probe}s at a fixed interval, each through its own {@link ThresholdWatcher}.
 * The building block of {@link QueueMonitor} and of the buffer pool's memory monitor.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Sampling runs on one scheduler thread, named {@code leakproof-monitor-<name>} and owned by
 *       this monitor, unless a {@link ScheduledExecutorService} is injected, in which case the
 *       monitor only schedules on it.</li>
 *   <li>A probe or listener that throws is logged and counted; sampling goes on.</li>
 *   <li>{@link #close()} cancels sampling and, for an owned scheduler, waits for its thread to end
 *       (up to 5 s): once it returns, no thread of this monitor is left running. It is idempotent;
 *       {@link #watch} after close throws {@link IllegalStateException}.</li>
 *   <li>Time comes from an injectable clock, and {@link #sampleNow()} samples at once, so tests can
 *       drive the monitor without waiting for the scheduler.</li>
 * </ul>
 */
public final class PeriodicMonitor implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PeriodicMonitor.class.getName());
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private final String name;
    private final Duration interval;
    private final Thresholds thresholds;
    private final LongSupplier clock;
    private final List<MonitorListener> listeners;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final LongAdder probeFailures = new LongAdder();

    // Guarded by this.
    private final Map<String, Watched> watched = new LinkedHashMap<>();
    private ScheduledFuture<?> task;
    private boolean closed;

    private static final class Watched {
        final Probe probe;
        final ThresholdWatcher watcher;

        Watched(Probe probe, ThresholdWatcher watcher) {
            this.probe = probe;
            this.watcher = watcher;
        }
    }

    private PeriodicMonitor(Builder b) {
        this.name = b.name;
        this.interval = b.interval;
        this.thresholds = b.thresholds;
        this.clock = b.clock;
        this.listeners = List.copyOf(b.listeners);
        if (b.scheduler != null) {
            this.scheduler = b.scheduler;
            this.ownsScheduler = false;
        } else {
            String threadName = "leakproof-monitor-" + name;
            ThreadFactory factory = r -> {
                Thread t = new Thread(r, threadName + "-" + THREAD_IDS.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            this.scheduler = Executors.newSingleThreadScheduledExecutor(factory);
            this.ownsScheduler = true;
        }
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Starts watching {@code probe} under {@code source}. Sampling starts with the first watched
     * source and runs every {@link Builder#interval(Duration)}.
     *
     * @throws IllegalArgumentException when {@code source} is already watched
     * @throws IllegalStateException when the monitor is closed
     */
    public synchronized PeriodicMonitor watch(String source, Probe probe) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(probe, "probe");
        if (closed) {
            throw new IllegalStateException("monitor '" + name + "' is closed");
        }
        if (watched.containsKey(source)) {
            throw new IllegalArgumentException("source '" + source + "' is already watched by monitor '" + name + "'");
        }
        ThresholdWatcher watcher = new ThresholdWatcher(source, thresholds);
        listeners.forEach(watcher::addListener);
        watched.put(source, new Watched(probe, watcher));
        if (task == null) {
            long nanos = Checks.toNanos(interval);
            task = scheduler.scheduleAtFixedRate(this::sampleQuietly, nanos, nanos, TimeUnit.NANOSECONDS);
        }
        return this;
    }

    /** Stops watching {@code source}; {@code false} when it was not watched. */
    public synchronized boolean unwatch(String source) {
        return watched.remove(source) != null;
    }

    /** Samples every watched source now, on the calling thread, and returns the samples. */
    public List<Sample> sampleNow() {
        List<Map.Entry<String, Watched>> entries;
        synchronized (this) {
            if (closed) {
                return List.of();
            }
            entries = new ArrayList<>(watched.entrySet());
        }
        List<Sample> samples = new ArrayList<>(entries.size());
        for (Map.Entry<String, Watched> entry : entries) {
            Watched w = entry.getValue();
            Reading reading;
            try {
                reading = Objects.requireNonNull(w.probe.read(), "probe returned null");
            } catch (RuntimeException e) {
                probeFailures.increment();
                LOG.log(System.Logger.Level.WARNING, "probe of '" + entry.getKey() + "' in monitor '" + name + "' threw", e);
                continue;
            }
            samples.add(w.watcher.sample(reading, clock.getAsLong()));
        }
        return Collections.unmodifiableList(samples);
    }

    private void sampleQuietly() {
        try {
            sampleNow();
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: keep the schedule alive.
            probeFailures.increment();
            LOG.log(System.Logger.Level.WARNING, "sampling in monitor '" + name + "' failed", e);
        }
    }

    /** The current level of each watched source. */
    public synchronized Map<String, Level> levels() {
        Map<String, Level> levels = new LinkedHashMap<>();
        watched.forEach((source, w) -> levels.put(source, w.watcher.level()));
        return Collections.unmodifiableMap(levels);
    }

    /** The current level of {@code source}. */
    public synchronized Level level(String source) {
        Watched w = watched.get(source);
        if (w == null) {
            throw new IllegalArgumentException("source '" + source + "' is not watched by monitor '" + name + "'");
        }
        return w.watcher.level();
    }

    /** Probe readings that threw. */
    public long probeFailures() {
        return probeFailures.sum();
    }

    /** The sampling interval. */
    public Duration interval() {
        return interval;
    }

    public String name() {
        return name;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** Stops sampling; for an owned scheduler, waits for its thread to end. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (task != null) {
                task.cancel(false);
            }
        }
        if (ownsScheduler) {
            scheduler.shutdownNow();
            try {
                if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.log(System.Logger.Level.WARNING, "monitor '" + name + "': sampling thread did not end within 5 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Builds a {@link PeriodicMonitor}. */
    public static final class Builder {
        private final String name;
        private Duration interval = Duration.ofSeconds(5);
        private Thresholds thresholds = Thresholds.DEFAULT;
        private LongSupplier clock = System::nanoTime;
        private final List<MonitorListener> listeners = new ArrayList<>();
        private ScheduledExecutorService scheduler;

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
        }

        /** How often to sample (default 5 s). */
        public Builder interval(Duration interval) {
            this.interval = Checks.positive("interval", interval);
            return this;
        }

        /** The levels (default {@link Thresholds#DEFAULT}). */
        public Builder thresholds(Thresholds thresholds) {
            this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
            return this;
        }

        /** The clock that stamps samples, in nanoseconds (default {@link System#nanoTime()}). */
        public Builder clock(LongSupplier nanoClock) {
            this.clock = Objects.requireNonNull(nanoClock, "clock");
            return this;
        }

        /** Adds a listener for every watched source. */
        public Builder listener(MonitorListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Samples on this scheduler instead of an owned thread; {@link #close()} then leaves it running. */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        public PeriodicMonitor build() {
            return new PeriodicMonitor(this);
        }
    }
}

package dev.leakproof.pool;

import dev.leakproof.internal.Checks;
import dev.leakproof.internal.Settings;
import dev.leakproof.monitor.Level;
import dev.leakproof.monitor.MonitorListener;
import dev.leakproof.monitor.PeriodicMonitor;
import dev.leakproof.monitor.Reading;
import dev.leakproof.monitor.Sample;
import dev.leakproof.monitor.Thresholds;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/**
 * Watches the usage of one or more {@link BufferPool}s (and optionally the JVM heap) at a fixed
 * interval (default 10 s, as in the seed), raises a warning at 80 % and a critical alert at 95 %
 * by default, and clears each with hysteresis (5 points lower), so a usage that wobbles around a
 * threshold raises one alert. A thin layer over {@link PeriodicMonitor}: see it for the threading
 * and close contract (one owned daemon thread unless a scheduler is injected; once {@link #close()}
 * returns, no thread of this monitor is left running).
 *
 * <p>A pool's reading is {@link PoolStats#usage()} (bytes leased out over {@code maxTotalBytes}:
 * cached free buffers are not pressure, since they are evicted on demand) and, as the drop total,
 * {@link PoolStats#timeouts()}: acquisitions refused for lack of memory, reported per interval.
 *
 * <pre>{@code
 * try (MemoryMonitor monitor = MemoryMonitor.builder().fromEnvironment()
 *         .listener(new MonitorListener() {
 *             public void onLevelChange(LevelChange c) { alerts.send(c); }
 *         })
 *         .build()) {
 *     monitor.watch(pool);
 *     ...
 * }
 * }</pre>
 */
public final class MemoryMonitor implements AutoCloseable {

    /** Environment variable for {@link Builder#interval(Duration)}. */
    public static final String ENV_INTERVAL = "LEAKPROOF_POOL_MONITOR_INTERVAL";
    /** Environment variable for {@link Builder#warningThreshold(double)}: a fraction or a percentage. */
    public static final String ENV_WARNING_THRESHOLD = "LEAKPROOF_POOL_WARNING_THRESHOLD";
    /** Environment variable for {@link Builder#criticalThreshold(double)}: a fraction or a percentage. */
    public static final String ENV_CRITICAL_THRESHOLD = "LEAKPROOF_POOL_CRITICAL_THRESHOLD";
    /** System property for {@link Builder#interval(Duration)}. */
    public static final String PROP_INTERVAL = "leakproof.pool.monitorInterval";
    /** System property for {@link Builder#warningThreshold(double)}. */
    public static final String PROP_WARNING_THRESHOLD = "leakproof.pool.warningThreshold";
    /** System property for {@link Builder#criticalThreshold(double)}. */
    public static final String PROP_CRITICAL_THRESHOLD = "leakproof.pool.criticalThreshold";

    /** The seed's check interval. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    /** The source name of the JVM heap, see {@link #watchHeap()}. */
    public static final String HEAP_SOURCE = "jvm-heap";

    private final PeriodicMonitor monitor;

    private MemoryMonitor(PeriodicMonitor monitor) {
        this.monitor = monitor;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Watches {@code pool} under its {@link BufferPool#name()}.
     *
     * @throws IllegalArgumentException when a source of that name is already watched
     * @throws IllegalStateException    when the monitor is closed
     */
    public MemoryMonitor watch(BufferPool pool) {
        Objects.requireNonNull(pool, "pool");
        monitor.watch(pool.name(), () -> {
            PoolStats s = pool.stats();
            return new Reading(s.usage(), s.timeouts());
        });
        return this;
    }

    /** Watches the JVM heap (used over max, or over committed when max is undefined) as {@value #HEAP_SOURCE}. */
    public MemoryMonitor watchHeap() {
        monitor.watch(HEAP_SOURCE, () -> {
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            long limit = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
            return new Reading(limit > 0 ? (double) heap.getUsed() / limit : 0.0, 0);
        });
        return this;
    }

    /** Stops watching the source named {@code name}. */
    public boolean unwatch(String name) {
        return monitor.unwatch(name);
    }

    /** Samples every watched source now, on the calling thread. */
    public List<Sample> sampleNow() {
        return monitor.sampleNow();
    }

    /** The current level of each watched source, by name. */
    public Map<String, Level> levels() {
        return monitor.levels();
    }

    /** The current level of {@code source}. */
    public Level level(String source) {
        return monitor.level(source);
    }

    /** Probe readings that threw. */
    public long probeFailures() {
        return monitor.probeFailures();
    }

    public Duration interval() {
        return monitor.interval();
    }

    /** Stops sampling; once it returns no thread of this monitor is left running. Idempotent. */
    @Override
    public void close() {
        monitor.close();
    }

    /** Builds a {@link MemoryMonitor}. */
    public static final class Builder {
        private String name = "memory";
        private Duration interval = DEFAULT_INTERVAL;
        private Thresholds thresholds = Thresholds.DEFAULT;
        private LongSupplier clock = System::nanoTime;
        private ScheduledExecutorService scheduler;
        private final List<MonitorListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /** The monitor's name, used for its thread and in logs (default {@code memory}). */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
            return this;
        }

        /** How often to sample (default 10 s). */
        public Builder interval(Duration interval) {
            this.interval = Checks.positive("interval", interval);
            return this;
        }

        /** The warning level as a fraction of the limit, in (0, 1] (default 0.80). */
        public Builder warningThreshold(double warning) {
            this.thresholds = thresholds.withWarning(warning);
            return this;
        }

        /** The critical level as a fraction of the limit, in [warning, 1] (default 0.95). */
        public Builder criticalThreshold(double critical) {
            this.thresholds = new Thresholds(thresholds.warning(), critical, thresholds.hysteresis());
            return this;
        }

        /** All levels at once (default {@link Thresholds#DEFAULT}: 80 %, 95 %, hysteresis 5 points). */
        public Builder thresholds(Thresholds thresholds) {
            this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
            return this;
        }

        /** The clock that stamps samples, in nanoseconds. */
        public Builder clock(LongSupplier nanoClock) {
            this.clock = Objects.requireNonNull(nanoClock, "clock");
            return this;
        }

        /** Samples on this scheduler instead of an owned thread. */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** Adds a listener for every watched source. */
        public Builder listener(MonitorListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Reads {@value #ENV_INTERVAL}, {@value #ENV_WARNING_THRESHOLD} and {@value #ENV_CRITICAL_THRESHOLD}. */
        public Builder fromEnvironment() {
            return fromEnvironment(System.getenv());
        }

        public Builder fromEnvironment(Map<String, String> environment) {
            return apply(Settings.ofEnvironment(environment), ENV_INTERVAL, ENV_WARNING_THRESHOLD, ENV_CRITICAL_THRESHOLD);
        }

        /** Reads {@value #PROP_INTERVAL}, {@value #PROP_WARNING_THRESHOLD} and {@value #PROP_CRITICAL_THRESHOLD}. */
        public Builder fromProperties() {
            return fromProperties(System.getProperties());
        }

        public Builder fromProperties(Properties properties) {
            return apply(Settings.ofProperties(properties), PROP_INTERVAL, PROP_WARNING_THRESHOLD, PROP_CRITICAL_THRESHOLD);
        }

        private Builder apply(Settings settings, String intervalKey, String warningKey, String criticalKey) {
            var newInterval = settings.durationIn(intervalKey, Duration.ofMillis(1), Duration.ofDays(1));
            var newWarning = settings.fractionIn(warningKey, 0.01, 1.0);
            var newCritical = settings.fractionIn(criticalKey, 0.01, 1.0);
            Thresholds t = thresholds;
            if (newWarning.isPresent()) {
                t = t.withWarning(newWarning.get());
            }
            if (newCritical.isPresent()) {
                double critical = newCritical.get();
                if (critical < t.warning()) {
                    throw new IllegalArgumentException(criticalKey + "=" + critical + " is invalid: expected a fraction from the warning threshold "
                            + t.warning() + " to 1.0");
                }
                t = new Thresholds(t.warning(), critical, t.hysteresis());
            }
            newInterval.ifPresent(v -> interval = v);
            thresholds = t;
            return this;
        }

        public MemoryMonitor build() {
            PeriodicMonitor.Builder b = PeriodicMonitor.builder(name).interval(interval).thresholds(thresholds).clock(clock);
            if (scheduler != null) {
                b.scheduler(scheduler);
            }
            listeners.forEach(b::listener);
            return new MemoryMonitor(b.build());
        }
    }
}

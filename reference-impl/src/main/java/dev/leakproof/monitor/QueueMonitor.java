package dev.leakproof.monitor;

import dev.leakproof.internal.Settings;
import dev.leakproof.queue.BoundedQueue;
import dev.leakproof.queue.QueueMetrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/**
 * Samples one or more {@link BoundedQueue}s at a fixed interval (default 5 s, as in the seed),
 * raises a warning when a queue's utilisation reaches the warning level (default 80 %) and a
 * critical alert at the critical level (default 95 %), clears each with hysteresis, and reports the
 * drops of every interval. A thin layer over {@link PeriodicMonitor}; see it for the threading
 * and close contract.
 *
 * <pre>{@code
 * try (QueueMonitor monitor = QueueMonitor.builder().fromEnvironment()
 *         .listener(new MonitorListener() {
 *             public void onLevelChange(LevelChange c) { alerts.send(c); }
 *         })
 *         .build()) {
 *     monitor.watch(queue);
 *     ...
 * }
 * }</pre>
 */
public final class QueueMonitor implements AutoCloseable {

    /** Environment variable for {@link Builder#interval(Duration)}. */
    public static final String ENV_MONITOR_INTERVAL = "LEAKPROOF_QUEUE_MONITOR_INTERVAL";
    /** Environment variable for {@link Builder#warningThreshold(double)}: a fraction or a percentage. */
    public static final String ENV_WARNING_THRESHOLD = "LEAKPROOF_QUEUE_WARNING_THRESHOLD";
    /** System property for {@link Builder#interval(Duration)}. */
    public static final String PROP_MONITOR_INTERVAL = "leakproof.queue.monitorInterval";
    /** System property for {@link Builder#warningThreshold(double)}. */
    public static final String PROP_WARNING_THRESHOLD = "leakproof.queue.warningThreshold";

    /** The seed's monitoring interval. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

    private final PeriodicMonitor monitor;

    private QueueMonitor(PeriodicMonitor monitor) {
        this.monitor = monitor;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Watches {@code queue} under its {@link BoundedQueue#name()}. */
    public QueueMonitor watch(BoundedQueue<?> queue) {
        Objects.requireNonNull(queue, "queue");
        monitor.watch(queue.name(), () -> {
            QueueMetrics m = queue.metrics();
            return new Reading(m.utilisation(), m.dropped());
        });
        return this;
    }

    /** Stops watching the queue named {@code name}. */
    public boolean unwatch(String name) {
        return monitor.unwatch(name);
    }

    /** Samples every watched queue now, on the calling thread. */
    public List<Sample> sampleNow() {
        return monitor.sampleNow();
    }

    /** The current level of each watched queue, by name. */
    public Map<String, Level> levels() {
        return monitor.levels();
    }

    public Duration interval() {
        return monitor.interval();
    }

    /** Stops sampling; once it returns no thread of this monitor is left running. Idempotent. */
    @Override
    public void close() {
        monitor.close();
    }

    /** Builds a {@link QueueMonitor}. */
    public static final class Builder {
        private String name = "queues";
        private Duration interval = DEFAULT_INTERVAL;
        private Thresholds thresholds = Thresholds.DEFAULT;
        private LongSupplier clock = System::nanoTime;
        private ScheduledExecutorService scheduler;
        private final java.util.List<MonitorListener> listeners = new java.util.ArrayList<>();

        private Builder() {
        }

        /** The monitor's name, used for its thread and in logs (default {@code queues}). */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** How often to sample (default 5 s). */
        public Builder interval(Duration interval) {
            this.interval = dev.leakproof.internal.Checks.positive("interval", interval);
            return this;
        }

        /** The warning level as a fraction of capacity, in (0, 1] (default 0.8). */
        public Builder warningThreshold(double warning) {
            this.thresholds = thresholds.withWarning(warning);
            return this;
        }

        /** All levels at once (default {@link Thresholds#DEFAULT}). */
        public Builder thresholds(Thresholds thresholds) {
            this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
            return this;
        }

        public Builder clock(LongSupplier nanoClock) {
            this.clock = Objects.requireNonNull(nanoClock, "clock");
            return this;
        }

        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        public Builder listener(MonitorListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Reads {@value #ENV_MONITOR_INTERVAL} and {@value #ENV_WARNING_THRESHOLD} from the process environment. */
        public Builder fromEnvironment() {
            return fromEnvironment(System.getenv());
        }

        public Builder fromEnvironment(Map<String, String> environment) {
            return apply(Settings.ofEnvironment(environment), ENV_MONITOR_INTERVAL, ENV_WARNING_THRESHOLD);
        }

        /** Reads {@value #PROP_MONITOR_INTERVAL} and {@value #PROP_WARNING_THRESHOLD} from the system properties. */
        public Builder fromProperties() {
            return fromProperties(System.getProperties());
        }

        public Builder fromProperties(Properties properties) {
            return apply(Settings.ofProperties(properties), PROP_MONITOR_INTERVAL, PROP_WARNING_THRESHOLD);
        }

        private Builder apply(Settings settings, String intervalKey, String warningKey) {
            var newInterval = settings.durationIn(intervalKey, Duration.ofMillis(1), Duration.ofDays(1));
            var newWarning = settings.fractionIn(warningKey, 0.01, 1.0);
            newInterval.ifPresent(v -> interval = v);
            newWarning.ifPresent(this::warningThreshold);
            return this;
        }

        public QueueMonitor build() {
            PeriodicMonitor.Builder b = PeriodicMonitor.builder(name).interval(interval).thresholds(thresholds).clock(clock);
            if (scheduler != null) {
                b.scheduler(scheduler);
            }
            listeners.forEach(b::listener);
            return new QueueMonitor(b.build());
        }
    }
}

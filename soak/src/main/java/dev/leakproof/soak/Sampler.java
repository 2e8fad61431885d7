package dev.leakproof.soak;

import java.util.Locale;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The soak's sampling loop, on one thread: writes a {@code gc} sample for each GC notification, an
 * {@code interval} sample every {@code sampleIntervalMs}, a {@code settled} sample every
 * {@code settleIntervalMs} (which also feeds the trend and the components' periodic events), the
 * queued events, and a progress line every {@code progressIntervalMs}; ticks the leak injector; and
 * ends when the planned duration has passed, a stop is requested or the workload fails.
 * Its state is a fixed set of fields: running it for any number of samples holds no more memory.
 */
final class Sampler {

    private final SoakRunner.Config config;
    private final SoakClock clock;
    private final HeapReader heap;
    private final SamplesWriter writer;
    private final Workload workload;
    private final LeakInjector injector;
    private final Events events;
    private final SoakRunner.Progress progress;
    private final TrendFit trend = new TrendFit();
    private long lastSettledBytes = -1;
    private long gcEventsLostReported;
    private long eventsLostReported;
    private String error;

    Sampler(SoakRunner.Config config, SoakClock clock, HeapReader heap, SamplesWriter writer, Workload workload,
            LeakInjector injector, Events events, SoakRunner.Progress progress) {
        this.config = config;
        this.clock = clock;
        this.heap = heap;
        this.writer = writer;
        this.workload = workload;
        this.injector = injector;
        this.events = events;
        this.progress = progress;
    }

    /**
     * Samples until the end of the planned duration, {@code stop} answering true, or a workload failure.
     *
     * @return {@code COMPLETED}, {@code INTERRUPTED} or {@code FAILED} (then {@link #error()} says why)
     */
    SoakRunner.Status loop(BooleanSupplier stop) {
        long endMs = config.duration().toMillis();
        long nextInterval = 0;
        long nextSettle = config.settleIntervalMs();
        long nextProgress = config.progressIntervalMs();
        while (true) {
            if (stop.getAsBoolean()) {
                return SoakRunner.Status.INTERRUPTED;
            }
            Optional<Throwable> failure = workload.failure();
            if (failure.isPresent()) {
                error = failure.get().toString();
                return SoakRunner.Status.FAILED;
            }
            long now = clock.elapsedMs();
            if (now >= endMs) {
                settledSample();
                return SoakRunner.Status.COMPLETED;
            }
            injector.tick();
            if (now >= nextInterval) {
                intervalSample(now);
                nextInterval = now - now % config.sampleIntervalMs() + config.sampleIntervalMs();
            }
            if (now >= nextSettle) {
                settledSample();
                nextSettle += config.settleIntervalMs();
                while (nextSettle <= clock.elapsedMs()) {
                    nextSettle += config.settleIntervalMs();
                }
            }
            if (now >= nextProgress) {
                progressLine();
                nextProgress += config.progressIntervalMs();
            }
            drainEvents();
            long wait = Math.min(Math.min(nextInterval, nextSettle), Math.min(nextProgress, endMs)) - clock.elapsedMs();
            try {
                HeapReader.GcEvent gc = heap.nextGc(Math.max(1, Math.min(wait, 200)));
                while (gc != null) {
                    gcSample(gc);
                    gc = heap.nextGc(0);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return SoakRunner.Status.INTERRUPTED;
            }
        }
    }

    /** Why the soak failed, or {@code null}. */
    String error() {
        return error;
    }

    TrendFit trend() {
        return trend;
    }

    void intervalSample(long tMs) {
        Json j = writer.beginSample(tMs, "interval", heap.now());
        components(j);
        writer.finishSample(j);
    }

    void gcSample(HeapReader.GcEvent gc) {
        Json j = writer.beginSample(clock.elapsedMs(), "gc", gc.after());
        j.object("gc").field("name", gc.name()).field("action", gc.action()).field("cause", gc.cause())
                .field("durationMs", gc.durationMs()).end();
        components(j);
        writer.finishSample(j);
    }

    void settledSample() {
        if (trend.count() == 0) {
            events.add("phase", "warm-up over: first settled sample (queues and retry buffer filled, pool cache warmed)");
        }
        HeapReader.Settled s = heap.settle();
        long t = clock.elapsedMs();
        Json j = writer.beginSample(t, "settled", s.reading());
        j.field("settleGcs", s.gcs()).field("settleStable", s.stable());
        components(j);
        writer.finishSample(j);
        trend.add(t, s.reading().heapUsed());
        lastSettledBytes = s.reading().heapUsed();
        workload.periodic(events);
    }

    private void components(Json j) {
        workload.writeStats(j);
        j.object("injected").field("bytes", injector.injectedBytes()).field("objects", injector.injectedObjects()).end();
    }

    private void drainEvents() {
        long lostGc = heap.gcEventsLost();
        if (lostGc > gcEventsLostReported) {
            events.add("warning", (lostGc - gcEventsLostReported) + " GC notifications lost (the sampler fell behind)");
            gcEventsLostReported = lostGc;
        }
        events.drain(writer::event);
        long lost = events.dropped();
        if (lost > eventsLostReported) {
            writer.event(clock.elapsedMs(), "warning", (lost - eventsLostReported) + " events lost (queue full)");
            eventsLostReported = lost;
        }
    }

    void progressLine() {
        long t = clock.elapsedMs();
        double slope = trend.slopeMiBPerHour();
        double half = trend.slopeHalfWidth95();
        progress.line(String.format(Locale.ROOT,
                "%s elapsed, %s left | settled heap %s | slope %s MiB/h (n=%d) | leaks %d | drops %d | injected %s",
                Units.clock(t), Units.clock(config.duration().toMillis() - t),
                lastSettledBytes < 0 ? "-" : Units.bytes(lastSettledBytes),
                Double.isNaN(slope) ? "-" : String.format(Locale.ROOT, "%+.2f%s", slope,
                        Double.isNaN(half) ? "" : String.format(Locale.ROOT, " ± %.2f", half)),
                trend.count(), workload.leakVerdicts(), workload.drops(), Units.bytes(injector.injectedBytes())));
    }
}

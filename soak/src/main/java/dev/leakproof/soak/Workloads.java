package dev.leakproof.soak;

import dev.leakproof.pool.BufferPool;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The named workloads of {@code --workload}: {@code mixed} (all of them) and one per component. */
final class Workloads {

    /** The names {@code --workload} accepts. */
    static final List<String> NAMES = List.of("mixed", "queue", "pipeline", "retry", "pool");

    private Workloads() {
    }

    /**
     * Builds the workload called {@code name}.
     *
     * @throws IllegalArgumentException naming the value and the accepted names
     */
    static Workload create(String name, Load.Config config) {
        String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "queue" -> new QueueLoad(config);
            case "pipeline" -> new PipelineLoad(config);
            case "retry" -> new RetryLoad(config);
            case "pool" -> new PoolLoad(config);
            case "mixed" -> new Mixed(List.of(new QueueLoad(config), new PipelineLoad(config),
                    new RetryLoad(config), new PoolLoad(config)));
            default -> throw new IllegalArgumentException("--workload '" + name + "' is not one of " + NAMES);
        };
    }

    /** Several loads run side by side; their sample fields are disjoint. */
    static final class Mixed implements Workload {
        private final List<Workload> parts;

        Mixed(List<Workload> parts) {
            this.parts = new ArrayList<>(parts);
        }

        @Override
        public void start() {
            for (Workload w : parts) {
                w.start();
            }
        }

        @Override
        public void writeStats(Json json) {
            for (Workload w : parts) {
                w.writeStats(json);
            }
        }

        @Override
        public void periodic(Events events) {
            for (Workload w : parts) {
                w.periodic(events);
            }
        }

        @Override
        public Optional<Throwable> failure() {
            for (Workload w : parts) {
                Optional<Throwable> f = w.failure();
                if (f.isPresent()) {
                    return f;
                }
            }
            return Optional.empty();
        }

        @Override
        public long leakVerdicts() {
            return parts.stream().mapToLong(Workload::leakVerdicts).sum();
        }

        @Override
        public long drops() {
            return parts.stream().mapToLong(Workload::drops).sum();
        }

        @Override
        public Optional<BufferPool> pool() {
            return parts.stream().map(Workload::pool).flatMap(Optional::stream).findFirst();
        }

        @Override
        public void close() {
            RuntimeException first = null;
            for (Workload w : parts) {
                try {
                    w.close();
                } catch (RuntimeException e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }
}

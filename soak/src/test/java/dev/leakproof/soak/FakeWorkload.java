package dev.leakproof.soak;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** A workload without threads whose stats are fixed fields: drives the sampler in tests. */
final class FakeWorkload implements Workload {

    final AtomicReference<Throwable> failure = new AtomicReference<>();
    long counter;

    /** Writes every component's fields, with counters derived from {@code n}. */
    static void stats(Json j, long n) {
        j.array("queues").element().field("name", "q").field("strategy", "BLOCK").field("capacity", 10)
                .field("size", n % 10).field("highWaterMark", 10).field("accepted", n).field("delivered", n)
                .field("dropped", n).field("timedOut", 0).end().endArray();
        j.object("pipeline").field("produced", n).field("processed", n).field("failed", 0).end();
        j.object("retry").field("size", 1).field("capacity", 5).field("evicted", n).field("expired", 0)
                .field("exhausted", 0).field("succeeded", n).end();
        j.object("pool").field("usedBytes", 0).field("retainedBytes", 0).field("maxTotalBytes", 1024)
                .field("activeLeases", 0).field("acquires", n).field("reuses", n).field("leaksReclaimed", 0)
                .field("leakVerdicts", 0).end();
    }

    @Override
    public void start() {
    }

    @Override
    public void writeStats(Json json) {
        stats(json, counter++);
    }

    @Override
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    @Override
    public void close() {
    }
}

package dev.leakproof.pipeline;

import dev.leakproof.stress.Quiet;

import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicInteger;

/** Built-but-not-started pipelines for stress states: no thread is ever started. */
final class Pipelines {

    static {
        Quiet.logs();
    }

    private Pipelines() {
    }

    /** One shared queue of {@code capacity}; the worker function counts batch {@code i} in {@code processed[i]}. */
    static Pipeline<Integer> of(int capacity, AtomicInteger discarded, AtomicInteger[] processed) {
        return Pipeline.<Integer>builder().name("stress").source(Collections.<Integer>emptyIterator())
                .worker(b -> processed[b].incrementAndGet()).workers(1).queueCapacity(capacity)
                .offerTimeout(Duration.ofHours(1)).discardListener((b, reason) -> discarded.incrementAndGet())
                .build();
    }

    static AtomicInteger[] counters(int n) {
        AtomicInteger[] a = new AtomicInteger[n];
        for (int i = 0; i < n; i++) {
            a[i] = new AtomicInteger();
        }
        return a;
    }

    /** {@code handOff} for an actor (actors cannot throw checked exceptions); nothing interrupts them. */
    static Pipeline.HandOff handOff(Pipeline<Integer> p, int batch, int q) {
        try {
            return p.handOff(batch, q);
        } catch (InterruptedException e) {
            throw new IllegalStateException("stress actor interrupted", e);
        }
    }

    static Integer nextBatch(Pipeline<Integer> p) {
        try {
            return p.nextBatch(0);
        } catch (InterruptedException e) {
            throw new IllegalStateException("stress actor interrupted", e);
        }
    }
}

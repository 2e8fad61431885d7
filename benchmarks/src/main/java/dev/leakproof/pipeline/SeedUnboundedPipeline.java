package dev.leakproof.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * A port of the seed's producer/worker analysis job as it was <em>before</em> its fix (seed 000,
 * "Memory Leak Fixes", "Queue Creation (Before → After)" and "Producer Thread (Before → After)"):
 *
 * <pre>
 * # BEFORE (UNSAFE):
 * worker_queues = [manager.Queue() for _ in range(num_workers)]
 * for batch in batch_generator():
 *     worker_queues[worker_id].put(batch)  # No limit, no backpressure
 * </pre>
 *
 * One producer thread puts each batch, round-robin, on one unbounded queue per worker (a
 * {@link LinkedBlockingQueue} without capacity, as {@code Queue()} has no {@code maxsize}), then one
 * sentinel per queue; each worker takes with a 1 s timeout, loops on a timeout, and exits on its
 * sentinel (the seed's worker loop). No stop flag, no backpressure: when the workers are slower, the
 * queues hold every batch the producer has made and not yet processed. The caller joins the threads.
 */
final class SeedUnboundedPipeline<T> {

    private static final Object SENTINEL = new Object();
    private static final long GET_TIMEOUT_SECONDS = 1;

    private final int workers;
    private final LongFunction<? extends T> batches;
    private final long count;
    private final Consumer<? super T> worker;

    /**
     * @param workers the number of worker threads, at least 1
     * @param count   how many batches the generator yields
     * @param batches the batch generator: batch {@code i} for {@code i} in {@code [0, count)}
     * @param worker  what a worker does with a batch
     */
    SeedUnboundedPipeline(int workers, long count, LongFunction<? extends T> batches, Consumer<? super T> worker) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1 but was " + workers);
        }
        this.workers = workers;
        this.count = count;
        this.batches = batches;
        this.worker = worker;
    }

    /** Runs the job to its end: starts the producer and the workers and joins them all. */
    @SuppressWarnings("unchecked")
    void run() throws InterruptedException {
        List<LinkedBlockingQueue<Object>> queues = new ArrayList<>(workers);
        for (int i = 0; i < workers; i++) {
            queues.add(new LinkedBlockingQueue<>());
        }
        List<Thread> threads = new ArrayList<>(workers + 1);
        Thread producer = new Thread(() -> {
            int workerId = 0;
            for (long i = 0; i < count; i++) {
                queues.get(workerId).add(batches.apply(i));
                workerId = (workerId + 1) % workers;
            }
            for (LinkedBlockingQueue<Object> q : queues) {
                q.add(SENTINEL);
            }
        }, "seed-producer");
        threads.add(producer);
        for (int w = 0; w < workers; w++) {
            LinkedBlockingQueue<Object> q = queues.get(w);
            threads.add(new Thread(() -> {
                while (true) {
                    Object batch;
                    try {
                        batch = q.poll(GET_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    if (batch == null) {
                        continue;
                    }
                    if (batch == SENTINEL) {
                        return;
                    }
                    worker.accept((T) batch);
                }
            }, "seed-worker-" + w));
        }
        for (Thread t : threads) {
            t.setDaemon(true);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
    }
}

package dev.leakproof.pipeline;

import dev.leakproof.internal.Checks;
import dev.leakproof.internal.Settings;
import dev.leakproof.monitor.QueueMonitor;
import dev.leakproof.queue.BoundedQueue;
import dev.leakproof.queue.DropReason;
import dev.leakproof.queue.OverflowStrategy;
import dev.leakproof.queue.QueueClosedException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Spliterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * A producer thread that takes batches from a {@link BatchSource} and hands them, through bounded
 * {@link BoundedQueue}s ({@link OverflowStrategy#BLOCK}), to a fixed number of worker threads,
 * with backpressure, a stop flag, an optional {@link MemoryGuard} and a {@link ShutdownReport}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>P1</b> Once the producer observes a stop request it hands no further batch to a queue.
 *       It checks the stop flag before taking each batch from the source and again right before
 *       each offer; a producer blocked on a full queue is woken by the stop (the stop closes the
 *       queues, which wakes blocked offers, Q4) and discards the batch it held
 *       ({@link DiscardReason#STOPPED}). A stop that lands between the check and the offer may
 *       still see that one batch handed over: it is then processed, or discarded if its workers
 *       have already ended.</li>
 *   <li><b>P2</b> {@link #close(Duration) close(timeout)} returns within {@code timeout} plus the
 *       grace period. Afterwards every pipeline thread has ended, or is named with its stack trace
 *       in {@link ShutdownReport#stuckThreads()}. The one user code close runs itself is the
 *       {@link DiscardListener}, for the batches still queued when it halts (and any a racing
 *       offer left): close interrupts the threads and starts the grace period <em>before</em>
 *       calling it, so its time overlaps the grace wait; only a listener that takes longer in
 *       total than the grace period makes close return later, by the excess. The waits of close are real time whatever clock is
 *       injected; the clock only measures durations and the memory guard's interval.</li>
 *   <li><b>P3</b> In every {@link ShutdownReport}: {@code produced = processed + failed +
 *       discarded}. {@code produced} counts batches taken from the source; each leaves through
 *       exactly one exit: a worker returns ({@code processed}; those completed after the pipeline
 *       left {@code RUNNING} are also counted in {@code drained}), a worker throws or still holds
 *       it when close gives up on that worker ({@code failed}; the latter also in
 *       {@code abandoned}), or it goes to the {@link DiscardListener} ({@code discarded}). A batch
 *       the producer holds while it runs user code (the routing key function, the memory guard)
 *       when close gives up on it is also {@code failed} and {@code abandoned}; so is a batch a
 *       worker close gives up on has taken but not yet started. Such a thread, if it resumes,
 *       drops that batch without counting it again. The one gap: a producer that close gives up
 *       on while it is inside a queue offer (JDK code, which the halt wakes by closing the queues
 *       and interrupting it) may count its batch as discarded after the report.</li>
 * </ul>
 *
 * <h2>Backpressure</h2>
 * At most {@code queueCapacity} batches wait in each queue (one queue, or one per worker: see
 * {@link Routing}), so a pipeline holds at most {@code queueCapacity × queues} queued batches, plus
 * one in the hands of each worker and one in the producer's. When a queue is full the producer
 * blocks in {@code offer} for up to the offer timeout (default 10 s); on timeout it counts an
 * {@code offerTimeout}, re-checks the stop flag and the memory guard, and offers again. A slow
 * worker therefore slows the producer instead of growing memory. (The queue counts each such
 * wait in its own {@code QueueMetrics.timedOut()}, so a {@link QueueMonitor} shows them as drops;
 * the batch is not lost: the producer still holds it and offers it again.)
 *
 * <h2>States</h2>
 * {@code NEW → RUNNING} ({@link #start()}) {@code → DRAINING} (the source ended, or a stop:
 * {@link #requestStop()}, {@link #close()}, a source failure, a worker failure under
 * {@link FailurePolicy#FAIL_FAST}, the memory guard). On entering {@code DRAINING} the queues are
 * closed; closing a queue is the end-of-stream signal (the "sentinel"): a worker takes until its
 * queue is closed <em>and</em> empty, so every batch handed over before the close is processed.
 * {@code → HALTING} when close's timeout passes before every thread has ended: the grace period
 * (default 5 s) starts, the workers and the producer are interrupted, every queue is closed and
 * emptied into the {@link DiscardListener} ({@link DiscardReason#HALTED}), and close waits for the
 * threads until the grace period ends.
 * {@code → TERMINATED} when the last pipeline thread ends (then anything a racing offer left in a
 * closed queue is discarded), or when close gives up on the threads that remain.
 *
 * <h2>Close</h2>
 * {@link #close(Duration)} stops production ({@link StopReason#CLOSED}, unless the pipeline already
 * stopped for another reason or the source had ended), waits up to {@code timeout} for the workers
 * to drain the queues, halts if they have not, and returns the {@link ShutdownReport}: the
 * counters, the stop reason and its cause, the time spent in each state, and each thread that did
 * not end. Calling it again (or {@link #close()}) returns the same report; a concurrent second
 * call waits for the first at most its own timeout plus the grace period, and throws
 * {@link IllegalStateException} if the first has not returned by then (or if interrupted, keeping
 * the interrupt). An interrupt of the closing thread does not cut the drain short: close still
 * waits its timeout, and returns with the interrupt flag set. Close may not be called from a
 * pipeline thread (a worker, the source, the routing key function) nor from the discard listener
 * while it runs on the closing thread: such a call would wait for itself, so it throws
 * {@link IllegalStateException}; call {@link #requestStop()} there instead. A worker that ignores interrupts is reported, never waited on beyond
 * the grace period; the batch it holds is counted as {@code failed} and {@code abandoned}.
 *
 * <h2>Failures</h2>
 * A source that throws stops the pipeline ({@link StopReason#SOURCE_FAILED}). A worker that throws
 * fails its batch; under {@link FailurePolicy#FAIL_FAST} (the default) the first failure stops the
 * pipeline ({@link StopReason#WORKER_FAILED}), under {@link FailurePolicy#CONTINUE} failures are
 * counted and the first is kept ({@link #firstFailure()}). A stop drains: the workers finish what is
 * already queued unless close's timeout passes first.
 *
 * <h2>Threads</h2>
 * One producer ({@code leakproof-pipeline-<name>-producer}) and {@code workers} workers
 * ({@code leakproof-pipeline-<name>-worker-<n>}, {@code n} from 0), made by the builder's
 * {@link ThreadFactory} (default: daemon threads) and renamed as shown.
 *
 * <pre>{@code
 * try (Pipeline<Batch> pipeline = Pipeline.<Batch>builder()
 *         .name("analysis").source(batches).worker(batch -> analyse(batch))
 *         .workers(4).queueCapacity(100).routing(Routing.roundRobin())
 *         .memoryGuard(MemoryGuard.heapFraction(0.8))
 *         .build().start()) {
 *     pipeline.awaitCompletion(Duration.ofMinutes(10));
 *     ShutdownReport report = pipeline.close(Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * @param <T> the batch type
 */
public final class Pipeline<T> implements AutoCloseable {

    /** Environment variable for {@link Builder#workers(int)}. */
    public static final String ENV_WORKERS = "LEAKPROOF_PIPELINE_WORKERS";
    /** Environment variable for {@link Builder#queueCapacity(int)}. */
    public static final String ENV_QUEUE_CAPACITY = "LEAKPROOF_PIPELINE_QUEUE_CAPACITY";
    /** Environment variable for {@link Builder#offerTimeout(Duration)}. */
    public static final String ENV_OFFER_TIMEOUT = "LEAKPROOF_PIPELINE_OFFER_TIMEOUT";
    /** Environment variable for {@link Builder#drainTimeout(Duration)}. */
    public static final String ENV_DRAIN_TIMEOUT = "LEAKPROOF_PIPELINE_DRAIN_TIMEOUT";
    /** Environment variable for {@link Builder#grace(Duration)}. */
    public static final String ENV_GRACE = "LEAKPROOF_PIPELINE_GRACE";
    /** System property for {@link Builder#workers(int)}. */
    public static final String PROP_WORKERS = "leakproof.pipeline.workers";
    /** System property for {@link Builder#queueCapacity(int)}. */
    public static final String PROP_QUEUE_CAPACITY = "leakproof.pipeline.queueCapacity";
    /** System property for {@link Builder#offerTimeout(Duration)}. */
    public static final String PROP_OFFER_TIMEOUT = "leakproof.pipeline.offerTimeout";
    /** System property for {@link Builder#drainTimeout(Duration)}. */
    public static final String PROP_DRAIN_TIMEOUT = "leakproof.pipeline.drainTimeout";
    /** System property for {@link Builder#grace(Duration)}. */
    public static final String PROP_GRACE = "leakproof.pipeline.grace";

    /** The most workers a pipeline may have. */
    public static final int MAX_WORKERS = 10_000;
    /** The seed's per-queue size. */
    public static final int DEFAULT_QUEUE_CAPACITY = 100;
    /** The seed's producer put timeout. */
    public static final Duration DEFAULT_OFFER_TIMEOUT = Duration.ofSeconds(10);
    /** The seed's wait for the producer before the emergency stop. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** The seed's extra wait after the emergency stop. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);
    /** The longest timeout the configuration keys accept. */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(1);

    private static final System.Logger LOG = System.getLogger(Pipeline.class.getName());

    /** What {@link #handOff(Object, int)} did with a batch. */
    enum HandOff {
        /** The batch is in the queue. */
        HANDED,
        /** The batch went to the discard listener: the producer saw the stop flag, or the stop closed the queue. */
        DISCARDED
    }

    /** The first stop wins; later ones are ignored. */
    record Stop(StopReason reason, String detail, Throwable cause) {
    }

    /** Marks an in-flight slot whose batch close counted as abandoned. */
    private static final Object ABANDONED = new Object();
    private static final long UNSET = Long.MIN_VALUE;

    private final String name;
    private final BatchSource<? extends T> source;
    private final BatchWorker<? super T> worker;
    private final int workers;
    private final int queueCapacity;
    private final Routing<? super T> routing;
    private final long offerTimeoutNanos;
    private final Duration drainTimeout;
    private final Duration grace;
    private final FailurePolicy failurePolicy;
    private final DiscardListener<? super T> discardListener;
    private final MemoryGuard memoryGuard;
    private final long memoryCheckNanos;
    private final ThreadFactory threadFactory;
    private final LongSupplier clock;
    private final QueueMonitor monitor;

    private final BoundedQueue<T>[] queues;
    /** Per worker: the batch it is processing, {@code null}, or {@link #ABANDONED}. */
    private final AtomicReferenceArray<Object> inFlight;
    /**
     * The produced batch the producer holds (set with {@code produced++} under {@code counts}),
     * {@code null}, or {@link #ABANDONED}. The producer releases it by CAS before it offers or
     * discards the batch; close, giving up on a live producer, takes it by CAS and counts it as
     * failed and abandoned. Whoever wins the CAS accounts for the batch, so it is counted once.
     */
    private final AtomicReference<Object> producerHeld = new AtomicReference<>();

    private final AtomicReference<PipelineState> state = new AtomicReference<>(PipelineState.NEW);
    private final AtomicReference<Stop> stop = new AtomicReference<>();
    private final AtomicLong nextMemoryCheck = new AtomicLong();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private volatile long lastHeapReading = -1;

    // Counters, updated and snapshot under `counts` so that a report is one consistent cut (P3).
    private final Object counts = new Object();
    private long produced;
    private long processed;
    private long failed;
    private long drained;
    private long discarded;
    private long abandoned;
    private long offerTimeouts;
    private long listenerFailures;
    /** Batches workers have claimed (set in their in-flight slot); compared with the queues' deliveries at close. */
    private long claimed;
    /** Set by close when it has counted the batches taken but not yet claimed; a late claim then drops its batch. */
    private boolean claimsReconciled;

    /** Test hook: runs on a worker between its take and its claim of the batch. */
    volatile Runnable afterTake;

    // Producer thread only: the queue calls its drop listener on the offering thread.
    private DropReason producerRefusal;
    private long turn;

    // Lifecycle: start() and the first close() decide under this lock.
    private final Object lifecycle = new Object();
    private boolean closing;
    private Thread closingThread;
    private volatile Thread producerThread;
    private volatile Thread[] workerThreads = new Thread[0];
    private final AtomicInteger liveThreads = new AtomicInteger();
    private final CountDownLatch allEnded = new CountDownLatch(1);
    private final CountDownLatch reportReady = new CountDownLatch(1);
    private volatile ShutdownReport report;
    private volatile long startedAt = UNSET;
    private volatile long drainingAt = UNSET;
    private volatile long haltingAt = UNSET;
    private volatile long terminatedAt = UNSET;

    @SuppressWarnings({"unchecked", "rawtypes"}) // a generic array of queues, never exposed
    private Pipeline(Builder<T> b) {
        this.name = b.name;
        this.source = b.source;
        this.worker = b.worker;
        this.workers = b.workers;
        this.queueCapacity = b.queueCapacity;
        this.routing = b.routing;
        this.offerTimeoutNanos = Checks.toNanos(b.offerTimeout);
        this.drainTimeout = b.drainTimeout;
        this.grace = b.grace;
        this.failurePolicy = b.failurePolicy;
        this.discardListener = b.discardListener;
        this.memoryGuard = b.memoryGuard;
        this.memoryCheckNanos = b.memoryGuard == null ? 0 : Checks.toNanos(b.memoryGuard.checkInterval());
        this.threadFactory = b.threadFactory;
        this.clock = b.clock;
        this.monitor = b.monitor;
        int count = routing.queueCount(workers);
        this.queues = new BoundedQueue[count];
        for (int i = 0; i < count; i++) {
            queues[i] = BoundedQueue.<T>builder()
                    .name(count == 1 ? name + "-queue" : name + "-queue-" + i)
                    .capacity(queueCapacity)
                    .strategy(OverflowStrategy.BLOCK)
                    .blockTimeout(b.offerTimeout)
                    .dropListener(this::onQueueDrop)
                    .build();
        }
        this.inFlight = new AtomicReferenceArray<>(workers);
        this.nextMemoryCheck.set(clock.getAsLong());
    }

    /** A builder with the defaults: shared queue, capacity 100, offer timeout 10 s, drain timeout 30 s, grace 5 s. */
    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Starts the producer and the workers. Every thread is created, and the queues registered with
     * the monitor, before any thread is started, so a {@link ThreadFactory} that throws (or a queue
     * name the monitor already watches) leaves the pipeline {@code NEW} with nothing running. If
     * {@link Thread#start()} itself fails, the pipeline stops ({@link StopReason#START_FAILED}), the
     * threads already started end on their own, and the error is rethrown; close it as usual.
     *
     * @return this pipeline
     * @throws IllegalStateException when already started, or closed
     */
    public Pipeline<T> start() {
        synchronized (lifecycle) {
            if (closing) {
                throw new IllegalStateException("pipeline '" + name + "' is closed: it cannot be started");
            }
            if (state.get() != PipelineState.NEW) {
                throw new IllegalStateException("pipeline '" + name + "' has already been started");
            }
            Thread[] created = new Thread[workers];
            for (int w = 0; w < workers; w++) {
                int id = w;
                created[w] = newThread(() -> runWorker(id), threadName("worker-" + w));
            }
            Thread producer = newThread(this::runProducer, threadName("producer"));
            watchQueues();
            long now = clock.getAsLong();
            startedAt = now;
            nextMemoryCheck.set(now);
            workerThreads = created;
            producerThread = producer;
            liveThreads.set(workers + 1);
            state.set(PipelineState.RUNNING);
            int started = 0;
            try {
                for (Thread t : created) {
                    t.start();
                    started++;
                }
                producer.start();
            } catch (RuntimeException | Error e) {
                // e.g. "unable to create native thread": stop; the workers already started see their
                // queues closed and empty, and end.
                String which = started < workers ? created[started].getName() : producer.getName();
                stop(StopReason.START_FAILED, "could not start " + which, e);
                int notStarted = workers + 1 - started;
                if (liveThreads.addAndGet(-notStarted) == 0) {
                    allThreadsEnded();
                }
                throw e;
            }
        }
        return this;
    }

    /** Registers the queues with the monitor, all or none (a name already watched throws). */
    private void watchQueues() {
        if (monitor == null) {
            return;
        }
        int watched = 0;
        try {
            for (BoundedQueue<T> q : queues) {
                monitor.watch(q);
                watched++;
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < watched; i++) {
                monitor.unwatch(queues[i].name());
            }
            throw e;
        }
    }

    private Thread newThread(Runnable task, String threadName) {
        Thread t = threadFactory.newThread(task);
        if (t == null) {
            throw new IllegalStateException("thread factory returned null for " + threadName);
        }
        t.setName(threadName);
        return t;
    }

    private String threadName(String role) {
        return "leakproof-pipeline-" + name + "-" + role;
    }

    /**
     * The emergency stop: once the producer observes it (it checks before each take from the
     * source and before each offer), it takes no further batch from the source and hands none to
     * a queue (P1); the workers finish what is queued. A stop that lands between the producer's
     * check and its offer may still let that one offer through; the batch is then processed, or
     * discarded if its workers have ended (P3 holds either way). Safe from any thread, including
     * pipeline threads, at any time; the first stop's reason is the one reported.
     *
     * @return {@code true} if this call stopped the pipeline, {@code false} if it had already stopped
     */
    public boolean requestStop() {
        return stop(StopReason.STOP_REQUESTED, "requestStop() called", null);
    }

    /**
     * Waits until every pipeline thread has ended on its own: the source ended (or a stop) and the
     * workers drained the queues. Does not stop anything.
     *
     * @return {@code true} when every thread has ended, {@code false} on timeout
     */
    public boolean awaitCompletion(Duration timeout) throws InterruptedException {
        Checks.nonNegative("timeout", timeout);
        return allEnded.await(Checks.toNanos(timeout), TimeUnit.NANOSECONDS);
    }

    /** Closes with the configured drain timeout (default 30 s); see {@link #close(Duration)}. */
    @Override
    public void close() {
        close(drainTimeout);
    }

    /**
     * Stops production, waits up to {@code timeout} for the workers to drain the queues, then
     * halts (see the class comment), and returns the report. Returns within {@code timeout} plus
     * the grace period (P2; a discard listener slower in total than the grace period extends it
     * by the excess). Idempotent: later calls return the same report.
     *
     * @param timeout how long the workers may drain before they are interrupted; positive
     * @throws IllegalArgumentException when {@code timeout} is zero or negative
     * @throws IllegalStateException when called from a pipeline thread, or from the discard
     *         listener on the closing thread (use {@link #requestStop()}); or, for a concurrent
     *         second call, when the first has not returned within this call's timeout plus the
     *         grace period, or this call is interrupted while waiting
     */
    public ShutdownReport close(Duration timeout) {
        Checks.positive("timeout", timeout);
        Thread self = Thread.currentThread();
        if (pipelineThreads().contains(self)) {
            throw new IllegalStateException("pipeline '" + name + "': close() called from its own thread "
                    + self.getName() + ", which close would wait for; call requestStop() instead");
        }
        boolean first;
        synchronized (lifecycle) {
            first = !closing;
            if (!first && closingThread == self && report == null) {
                throw new IllegalStateException("pipeline '" + name + "': close() called again by the thread "
                        + "that is closing it (from the discard listener?); it cannot wait for itself");
            }
            closing = true;
            if (first) {
                closingThread = self;
            }
        }
        if (!first) {
            return awaitReport(timeout);
        }
        try {
            ShutdownReport r = shutDown(timeout);
            report = r;
            return r;
        } finally {
            reportReady.countDown();
        }
    }

    /** The report, once {@link #close(Duration)} has returned it. */
    public Optional<ShutdownReport> report() {
        return Optional.ofNullable(report);
    }

    /**
     * A later close: waits for the first close's report, at most {@code timeout} plus the grace
     * period (P2 for this caller too). An interrupt ends the wait (the flag is kept set).
     *
     * @throws IllegalStateException when the wait ends before the first close has returned
     */
    private ShutdownReport awaitReport(Duration timeout) {
        long waitNanos = Checks.toNanos(timeout);
        long graceNanos = Checks.toNanos(grace);
        long deadline = deadlineAfter(Duration.ofNanos(graceNanos > Long.MAX_VALUE - waitNanos
                ? Long.MAX_VALUE : waitNanos + graceNanos));
        boolean ready;
        try {
            ready = reportReady.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("pipeline '" + name + "': interrupted while waiting for the "
                    + "concurrent close() to finish", e);
        }
        if (!ready) {
            throw new IllegalStateException("pipeline '" + name + "': a concurrent close() is still running after "
                    + timeout + " plus the grace period " + grace + "; see report() later");
        }
        ShutdownReport r = report;
        if (r == null) {
            throw new IllegalStateException("pipeline '" + name + "': the first close() failed; see its exception");
        }
        return r;
    }

    private ShutdownReport shutDown(Duration timeout) {
        if (state.get() == PipelineState.NEW) {
            // start() can no longer run: `closing` is set.
            stop(StopReason.NOT_STARTED, "closed before start()", null);
            sweep();
            markTerminated();
            allEnded.countDown();
            return snapshot(List.of(), false);
        }
        long deadline = deadlineAfter(timeout);
        stop(StopReason.CLOSED, "close() called before the source ended", null);
        enterDraining();
        List<Thread> threads = pipelineThreads();
        boolean interrupted = joinAll(threads, deadline);
        boolean halted = false;
        if (anyAlive(threads) && state.compareAndSet(PipelineState.DRAINING, PipelineState.HALTING)) {
            halted = true;
            haltingAt = clock.getAsLong();
            // The grace period starts now, and the threads are interrupted first, so that the time the
            // discard listener takes below runs concurrently with the grace wait instead of before it (P2).
            long graceDeadline = deadlineAfter(grace);
            for (Thread t : threads) {
                if (t.isAlive() && t != Thread.currentThread()) {
                    t.interrupt();
                }
            }
            // Wakes blocked producers and consumers (Q4); every queued batch goes to the discard listener once (Q3).
            for (BoundedQueue<T> q : queues) {
                q.closeAndDiscard();
            }
            interrupted |= joinAll(threads, graceDeadline);
        }
        List<StuckThread> stuck = new ArrayList<>();
        Thread[] ws = workerThreads;
        for (Thread t : threads) {
            if (t.isAlive()) {
                stuck.add(StuckThread.of(t));
            }
        }
        for (int w = 0; w < ws.length; w++) {
            if (ws[w].isAlive()) {
                abandon(w);
            }
        }
        Thread producer = producerThread;
        if (producer != null && producer.isAlive()) {
            abandonProducerBatch();
        }
        // Anything a stop stranded in a closed queue (an offer that raced with the close).
        sweep();
        boolean workerAlive = false;
        for (Thread t : ws) {
            workerAlive |= t.isAlive();
        }
        if (workerAlive) {
            reconcileClaims();
        }
        if (monitor != null) {
            for (BoundedQueue<T> q : queues) {
                monitor.unwatch(q.name());
            }
        }
        markTerminated();
        ShutdownReport r = snapshot(stuck, halted);
        if (!stuck.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "pipeline '" + name + "': " + stuck.size()
                    + " thread(s) did not end: " + r);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return r;
    }

    private List<Thread> pipelineThreads() {
        List<Thread> all = new ArrayList<>(List.of(workerThreads));
        Thread p = producerThread;
        if (p != null) {
            all.add(p);
        }
        return all;
    }

    private static long deadlineAfter(Duration d) {
        long now = System.nanoTime();
        long nanos = Checks.toNanos(d);
        return nanos > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos;
    }

    /**
     * Joins every thread until {@code deadline} (System.nanoTime). An interrupt (pending or new)
     * does not end the wait early: it is remembered and returned, for the caller to restore.
     *
     * @return whether the calling thread was interrupted meanwhile (its flag is then clear)
     */
    private static boolean joinAll(List<Thread> threads, long deadline) {
        Thread self = Thread.currentThread();
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t != self && t.isAlive()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return interrupted;
                }
                try {
                    t.join(remaining / 1_000_000, (int) (remaining % 1_000_000));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        return interrupted;
    }

    private static boolean anyAlive(List<Thread> threads) {
        for (Thread t : threads) {
            if (t.isAlive()) {
                return true;
            }
        }
        return false;
    }

    private void enterDraining() {
        long now = clock.getAsLong();
        if (state.compareAndSet(PipelineState.RUNNING, PipelineState.DRAINING)) {
            drainingAt = now;
        }
    }

    private void markTerminated() {
        long now = clock.getAsLong();
        for (;;) {
            PipelineState s = state.get();
            if (s == PipelineState.TERMINATED) {
                return;
            }
            if (state.compareAndSet(s, PipelineState.TERMINATED)) {
                terminatedAt = now;
                return;
            }
        }
    }

    private void threadEnded() {
        if (liveThreads.decrementAndGet() == 0) {
            allThreadsEnded();
        }
    }

    private void allThreadsEnded() {
        // The producer has ended, so nothing can be offered any more: discard what a stop stranded.
        sweep();
        long now = clock.getAsLong();
        if (state.compareAndSet(PipelineState.DRAINING, PipelineState.TERMINATED)) {
            terminatedAt = now;
        }
        allEnded.countDown();
    }

    // ------------------------------------------------------------------ stop flag

    /**
     * Records the first stop and closes the queues: a producer blocked on a full queue wakes (its
     * batch is discarded), the workers drain what is queued and end on "closed and empty".
     *
     * @return whether this call was the first stop
     */
    boolean stop(StopReason reason, String detail, Throwable cause) {
        if (!stop.compareAndSet(null, new Stop(reason, detail, cause))) {
            return false;
        }
        if (reason != StopReason.COMPLETED && reason != StopReason.NOT_STARTED) {
            boolean bad = reason != StopReason.STOP_REQUESTED && reason != StopReason.CLOSED;
            LOG.log(bad ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                    "pipeline '" + name + "' stopping: " + reason + " (" + detail + ")", cause);
        }
        enterDraining();
        for (BoundedQueue<T> q : queues) {
            q.close();
        }
        return true;
    }

    /** Whether a stop (or the end of the source) has been recorded: the producer's P1 check. */
    boolean stopRequested() {
        return stop.get() != null;
    }

    // ------------------------------------------------------------------ producer

    private void runProducer() {
        try {
            produce();
        } catch (RuntimeException | Error e) {
            // Not expected: every user call is guarded. Stop rather than leave the workers waiting.
            stop(StopReason.SOURCE_FAILED, "producer failed: " + e, e);
            throw e;
        } finally {
            try {
                // A batch still held here (an Error escaped user code) leaves through the discard listener.
                T held = releaseHeld();
                if (held != null) {
                    discard(held, DiscardReason.STOPPED);
                }
            } finally {
                endOfSource();
                threadEnded();
            }
        }
    }

    /** Releases the producer's held batch, if it still has one (close has not taken it); producer thread only. */
    @SuppressWarnings("unchecked") // only batches of T, or ABANDONED, are ever stored
    private T releaseHeld() {
        Object held = producerHeld.get();
        if (held != null && held != ABANDONED && producerHeld.compareAndSet(held, null)) {
            return (T) held;
        }
        return null;
    }

    /** Whether the producer still owns {@code batch} and has now released it; {@code false} when close took it. */
    private boolean release(T batch) {
        return producerHeld.compareAndSet(batch, null);
    }

    /** Close's side of the race: counts the batch a live producer still holds as failed and abandoned. */
    private void abandonProducerBatch() {
        Object held = producerHeld.get();
        if (held != null && held != ABANDONED && producerHeld.compareAndSet(held, ABANDONED)) {
            synchronized (counts) {
                failed++;
                abandoned++;
            }
        }
    }

    private void produce() {
        try {
            for (;;) {
                if (stopRequested()) {
                    return;
                }
                checkMemory();
                if (stopRequested()) {
                    // The guard may just have tripped: take nothing more from the source.
                    return;
                }
                T batch = nextFromSource();
                if (batch == null) {
                    return;
                }
                int q;
                try {
                    q = routing.route(batch, turn++, queues.length);
                } catch (Throwable e) {
                    stop(StopReason.SOURCE_FAILED, "the routing key function threw " + e, e);
                    if (release(batch)) {
                        discard(batch, DiscardReason.UNROUTABLE);
                    }
                    if (e instanceof VirtualMachineError) {
                        throw (VirtualMachineError) e;
                    }
                    return;
                }
                if (handOff(batch, q) != HandOff.HANDED) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            stop(StopReason.INTERRUPTED, "producer interrupted while waiting for queue space", e);
        }
    }

    /** Takes the next batch and counts it as produced; {@code null} at the end of the source or on its failure. */
    private T nextFromSource() {
        T batch;
        try {
            batch = source.next();
        } catch (InterruptedException e) {
            stop(StopReason.INTERRUPTED, "producer interrupted while reading the source", e);
            return null;
        } catch (Exception | LinkageError | AssertionError e) {
            stop(StopReason.SOURCE_FAILED, "the source threw " + e, e);
            return null;
        }
        if (batch == null) {
            stop(StopReason.COMPLETED, "the source ended", null);
            return null;
        }
        synchronized (counts) {
            produced++;
            producerHeld.set(batch);
        }
        return batch;
    }

    /**
     * The producer's hand-off of one produced batch to queue {@code q}: check the stop flag, offer
     * with the offer timeout, and on timeout count it, check the memory guard and go round again.
     * Producer thread only (the jcstress tests drive it from the actor that plays the producer).
     *
     * <p>P1: the stop flag is read before every offer, so once this method has seen it, it offers
     * nothing more; the batch goes to the discard listener ({@link DiscardReason#STOPPED}). A stop
     * while the offer is blocked closes the queue, which refuses the batch; the queue's drop
     * listener discards it.
     *
     * @throws InterruptedException when interrupted while blocked; the batch has been discarded
     */
    HandOff handOff(T batch, int q) throws InterruptedException {
        BoundedQueue<T> queue = queues[q];
        for (;;) {
            Object held = producerHeld.get();
            if (held == ABANDONED || held == batch && !release(batch)) {
                // close gave up on this thread and counted the batch as failed and abandoned.
                return HandOff.DISCARDED;
            }
            if (stopRequested()) {
                discard(batch, DiscardReason.STOPPED);
                return HandOff.DISCARDED;
            }
            producerRefusal = null;
            if (queue.offer(batch, offerTimeoutNanos, TimeUnit.NANOSECONDS)) {
                return HandOff.HANDED;
            }
            if (producerRefusal != DropReason.TIMED_OUT) {
                // Refused as CLOSED: a stop closed the queue; onQueueDrop has discarded the batch.
                return HandOff.DISCARDED;
            }
            synchronized (counts) {
                offerTimeouts++;
                // Still the producer's: hold it again while the memory guard (user code) runs.
                if (!producerHeld.compareAndSet(null, batch)) {
                    return HandOff.DISCARDED;
                }
            }
            checkMemory();
        }
    }

    /**
     * The end-of-stream signal: the producer closes the queues after its last hand-off, so a worker
     * that finds its queue closed and empty has taken every batch handed to it. Producer thread only.
     */
    void endOfSource() {
        stop(StopReason.COMPLETED, "the source ended", null);
        enterDraining();
        for (BoundedQueue<T> q : queues) {
            q.close();
        }
    }

    /** The queues' drop listener: BLOCK queues drop only on timeout, interrupt, close and discard. */
    private void onQueueDrop(T batch, DropReason reason) {
        switch (reason) {
            case TIMED_OUT:
                // Still the producer's: handOff offers it again.
                producerRefusal = reason;
                return;
            case CLOSED:
            case INTERRUPTED:
                producerRefusal = reason;
                discard(batch, DiscardReason.STOPPED);
                return;
            default:
                discard(batch, DiscardReason.HALTED);
        }
    }

    // ------------------------------------------------------------------ workers

    private void runWorker(int w) {
        try {
            work(w);
        } finally {
            threadEnded();
        }
    }

    private void work(int w) {
        for (;;) {
            T batch;
            try {
                batch = nextBatch(w);
            } catch (InterruptedException e) {
                if (state.get() == PipelineState.HALTING) {
                    return;
                }
                // Not the pipeline's interrupt: stop as for any other cause, and go on draining.
                stop(StopReason.INTERRUPTED, "worker " + w + " interrupted", e);
                continue;
            }
            Runnable hook = afterTake;
            if (hook != null && batch != null) {
                hook.run();
            }
            if (batch == null || !runBatch(w, batch) || state.get() == PipelineState.HALTING) {
                return;
            }
        }
    }

    /**
     * The worker's take: the next batch of worker {@code w}'s queue, waiting for one, or
     * {@code null} once the queue is closed and empty (the end-of-stream signal).
     */
    T nextBatch(int w) throws InterruptedException {
        try {
            return queues[queues.length == 1 ? 0 : w].take();
        } catch (QueueClosedException closedAndEmpty) {
            return null;
        }
    }

    /**
     * Runs the worker function on {@code batch} and counts the outcome exactly once: the worker and
     * {@link #abandon(int)} race on the in-flight slot, and only the winner counts the batch.
     *
     * @return {@code false} when the worker thread should end (its batch was abandoned, or it threw
     *         a {@link VirtualMachineError})
     */
    boolean runBatch(int w, T batch) {
        synchronized (counts) {
            if (claimsReconciled) {
                // close gave up on this thread while it held the batch unclaimed, and counted it as abandoned.
                return false;
            }
            claimed++;
            inFlight.set(w, batch);
        }
        Throwable failure = null;
        try {
            worker.process(batch);
        } catch (Throwable t) {
            failure = t;
        }
        if (!inFlight.compareAndSet(w, batch, null)) {
            // close gave up on this thread and counted the batch as abandoned.
            return false;
        }
        if (failure == null) {
            synchronized (counts) {
                processed++;
                if (state.get() != PipelineState.RUNNING) {
                    drained++;
                }
            }
        } else {
            onWorkerFailure(w, failure);
        }
        checkMemory();
        return !(failure instanceof VirtualMachineError);
    }

    private void onWorkerFailure(int w, Throwable failure) {
        long n;
        synchronized (counts) {
            n = ++failed;
        }
        firstFailure.compareAndSet(null, failure);
        if (failurePolicy == FailurePolicy.FAIL_FAST || failure instanceof VirtualMachineError) {
            stop(StopReason.WORKER_FAILED, "worker " + w + " threw " + failure, failure);
        } else if (Long.bitCount(n) == 1) {
            LOG.log(System.Logger.Level.WARNING, "pipeline '" + name + "': worker " + w + " threw ("
                    + n + " failures so far)", failure);
        }
    }

    /** Counts the batch worker {@code w} holds as failed and abandoned, unless the worker has just finished it. */
    void abandon(int w) {
        Object held = inFlight.get(w);
        if (held != null && held != ABANDONED && inFlight.compareAndSet(w, held, ABANDONED)) {
            synchronized (counts) {
                failed++;
                abandoned++;
            }
        }
    }

    /**
     * Counts as failed and abandoned each batch a worker has taken from its queue but not yet
     * claimed (it is between {@code take} and {@link #runBatch}): the queues are closed and empty,
     * so their delivery counts are final. A worker that claims later drops its batch uncounted.
     */
    private void reconcileClaims() {
        long delivered = 0;
        for (BoundedQueue<T> q : queues) {
            delivered += q.metrics().delivered();
        }
        synchronized (counts) {
            claimsReconciled = true;
            long unclaimed = delivered - claimed;
            if (unclaimed > 0) {
                failed += unclaimed;
                abandoned += unclaimed;
            }
        }
    }

    // ------------------------------------------------------------------ discards and memory

    private void discard(T batch, DiscardReason reason) {
        synchronized (counts) {
            discarded++;
        }
        try {
            discardListener.onDiscard(batch, reason);
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable t) {
            long n;
            synchronized (counts) {
                n = ++listenerFailures;
            }
            if (Long.bitCount(n) == 1) {
                LOG.log(System.Logger.Level.WARNING, "pipeline '" + name + "': discard listener threw on "
                        + reason + " (" + n + " failures so far)", t);
            }
        }
        PipelineDiscardEvent.emit(name, reason, batch);
    }

    /** Closes every queue and discards what is left in it; returns how many batches that discarded. */
    int sweep() {
        int n = 0;
        for (BoundedQueue<T> q : queues) {
            n += q.closeAndDiscard();
        }
        return n;
    }

    /** Reads the memory guard if its interval has passed (one thread per interval) and stops at the limit. */
    void checkMemory() {
        MemoryGuard guard = memoryGuard;
        if (guard == null) {
            return;
        }
        long now = clock.getAsLong();
        long due = nextMemoryCheck.get();
        if (now - due < 0 || !nextMemoryCheck.compareAndSet(due, now + memoryCheckNanos)) {
            return;
        }
        long used;
        try {
            used = guard.usedBytes();
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.WARNING, "pipeline '" + name + "': memory reading failed", e);
            return;
        }
        lastHeapReading = used;
        if (used >= guard.limitBytes()) {
            stop(StopReason.MEMORY_LIMIT, "heap in use " + used + " bytes >= limit " + guard.limitBytes() + " bytes", null);
        }
    }

    // ------------------------------------------------------------------ observation

    public String name() {
        return name;
    }

    public PipelineState state() {
        return state.get();
    }

    /** Why production stopped, once it has ({@link StopReason#COMPLETED} when the source ended). */
    public Optional<StopReason> stopReason() {
        Stop s = stop.get();
        return s == null ? Optional.empty() : Optional.of(s.reason());
    }

    /** The first exception a worker threw, if any. */
    public Optional<Throwable> firstFailure() {
        return Optional.ofNullable(firstFailure.get());
    }

    /** The number of workers. */
    public int workers() {
        return workers;
    }

    /** The capacity of each queue. */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** How long one blocked offer waits before the producer re-checks the stop flag. */
    public Duration offerTimeout() {
        return Duration.ofNanos(offerTimeoutNanos);
    }

    /** The timeout {@link #close()} uses. */
    public Duration drainTimeout() {
        return drainTimeout;
    }

    /** How long close waits after interrupting the threads. */
    public Duration grace() {
        return grace;
    }

    /** The number of queues: 1 for {@link Routing#shared()}, else one per worker. */
    public int queueCount() {
        return queues.length;
    }

    /** A snapshot of the counters, queue depths and in-flight batches; see {@link PipelineMetrics}. */
    public PipelineMetrics metrics() {
        long p;
        long pr;
        long f;
        long d;
        long di;
        long ot;
        synchronized (counts) {
            p = produced;
            pr = processed;
            f = failed;
            d = drained;
            di = discarded;
            ot = offerTimeouts;
        }
        List<Integer> depths = new ArrayList<>(queues.length);
        for (BoundedQueue<T> q : queues) {
            depths.add(q.size());
        }
        int busy = 0;
        for (int w = 0; w < workers; w++) {
            Object held = inFlight.get(w);
            if (held != null && held != ABANDONED) {
                busy++;
            }
        }
        Stop s = stop.get();
        return new PipelineMetrics(name, state.get(), s == null ? null : s.reason(), queueCapacity, depths, busy,
                p, pr, f, d, di, ot, lastHeapReading);
    }

    private ShutdownReport snapshot(List<StuckThread> stuck, boolean halted) {
        Stop s = stop.get();
        long start = startedAt;
        long end = terminatedAt == UNSET ? clock.getAsLong() : terminatedAt;
        long drainStart = drainingAt == UNSET ? end : drainingAt;
        long haltStart = haltingAt == UNSET ? end : haltingAt;
        Duration running = start == UNSET ? Duration.ZERO : nanos(drainStart - start);
        Duration draining = start == UNSET ? Duration.ZERO : nanos(haltStart - drainStart);
        Duration halting = nanos(end - haltStart);
        Duration total = start == UNSET ? Duration.ZERO : nanos(end - start);
        synchronized (counts) {
            return new ShutdownReport(name, s.reason(), s.detail(), s.cause(), produced, processed, failed, drained,
                    discarded, abandoned, offerTimeouts, listenerFailures, halted, running, draining, halting, total, stuck);
        }
    }

    private static Duration nanos(long n) {
        return Duration.ofNanos(Math.max(0, n));
    }

    /** The queues, for tests and stress tests in this package. */
    BoundedQueue<T> queue(int i) {
        return queues[i];
    }

    @Override
    public String toString() {
        return "Pipeline[" + name + ", " + state.get() + ", " + workers + " workers, " + queues.length + " queue(s) of "
                + queueCapacity + "]";
    }

    // ------------------------------------------------------------------ builder

    /**
     * Builds a {@link Pipeline}. Every setter checks its argument at once (a bad value throws and
     * leaves the builder unchanged); {@link #build()} checks that a source and a worker were given.
     * {@link #fromEnvironment()} and {@link #fromProperties()} read the {@code LEAKPROOF_PIPELINE_*}
     * variables and {@code leakproof.pipeline.*} properties, leaving unset keys at their current value.
     *
     * @param <T> the batch type
     */
    public static final class Builder<T> {
        private String name = "pipeline";
        private BatchSource<? extends T> source;
        private BatchWorker<? super T> worker;
        private int workers = Math.min(MAX_WORKERS, Runtime.getRuntime().availableProcessors());
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
        private Routing<? super T> routing = Routing.shared();
        private Duration offerTimeout = DEFAULT_OFFER_TIMEOUT;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private Duration grace = DEFAULT_GRACE;
        private FailurePolicy failurePolicy = FailurePolicy.FAIL_FAST;
        private DiscardListener<? super T> discardListener = DiscardListener.none();
        private MemoryGuard memoryGuard;
        private ThreadFactory threadFactory = Builder::daemonThread;
        private LongSupplier clock = System::nanoTime;
        private QueueMonitor monitor;

        private Builder() {
        }

        private static Thread daemonThread(Runnable r) {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        }

        /** Used in thread and queue names and in logs (default {@code pipeline}). */
        public Builder<T> name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
            return this;
        }

        /** The source: {@link BatchSource#next()} returns {@code null} at its end. Required (one of the {@code source} methods). */
        public Builder<T> source(BatchSource<? extends T> source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /** The batches of {@code iterator}, read on the producer thread. */
        public Builder<T> source(Iterator<? extends T> iterator) {
            return source(BatchSource.of(Objects.requireNonNull(iterator, "source")));
        }

        /** The batches of {@code spliterator}, read on the producer thread. */
        public Builder<T> source(Spliterator<? extends T> spliterator) {
            return source(BatchSource.of(Objects.requireNonNull(spliterator, "source")));
        }

        /** What each worker does with a batch. Required. */
        public Builder<T> worker(BatchWorker<? super T> worker) {
            this.worker = Objects.requireNonNull(worker, "worker");
            return this;
        }

        /** The number of worker threads, from 1 to {@link #MAX_WORKERS} (default: the number of processors). */
        public Builder<T> workers(int workers) {
            if (workers < 1 || workers > MAX_WORKERS) {
                throw new IllegalArgumentException("workers must be in [1, " + MAX_WORKERS + "] but was " + workers);
            }
            this.workers = workers;
            return this;
        }

        /** The capacity of each queue, from 1 to {@link BoundedQueue#MAX_CAPACITY} (default 100). */
        public Builder<T> queueCapacity(int capacity) {
            if (capacity < 1 || capacity > BoundedQueue.MAX_CAPACITY) {
                throw new IllegalArgumentException("queueCapacity must be in [1, " + BoundedQueue.MAX_CAPACITY
                        + "] but was " + capacity);
            }
            this.queueCapacity = capacity;
            return this;
        }

        /** How batches are spread over the workers (default {@link Routing#shared()}). */
        public Builder<T> routing(Routing<? super T> routing) {
            this.routing = Objects.requireNonNull(routing, "routing");
            return this;
        }

        /** How long one blocked offer waits before the producer re-checks the stop flag; positive (default 10 s). */
        public Builder<T> offerTimeout(Duration timeout) {
            this.offerTimeout = Checks.positive("offerTimeout", timeout);
            return this;
        }

        /** The timeout of {@link Pipeline#close()}: how long workers may drain before they are interrupted; positive (default 30 s). */
        public Builder<T> drainTimeout(Duration timeout) {
            this.drainTimeout = Checks.positive("drainTimeout", timeout);
            return this;
        }

        /** How long close waits after interrupting the threads before it reports them as stuck; positive (default 5 s). */
        public Builder<T> grace(Duration grace) {
            this.grace = Checks.positive("grace", grace);
            return this;
        }

        /** What a worker failure does (default {@link FailurePolicy#FAIL_FAST}). */
        public Builder<T> failurePolicy(FailurePolicy policy) {
            this.failurePolicy = Objects.requireNonNull(policy, "failurePolicy");
            return this;
        }

        /** Receives every batch that will not be processed (default: none). */
        public Builder<T> discardListener(DiscardListener<? super T> listener) {
            this.discardListener = Objects.requireNonNull(listener, "discardListener");
            return this;
        }

        /** Stops the pipeline when heap use reaches the guard's limit (default: no guard). */
        public Builder<T> memoryGuard(MemoryGuard guard) {
            this.memoryGuard = Objects.requireNonNull(guard, "memoryGuard");
            return this;
        }

        /** Makes the producer and worker threads, which the pipeline then renames (default: daemon threads). */
        public Builder<T> threadFactory(ThreadFactory factory) {
            this.threadFactory = Objects.requireNonNull(factory, "threadFactory");
            return this;
        }

        /** A nanosecond clock for durations and the memory guard's interval (default {@link System#nanoTime()}). */
        public Builder<T> clock(LongSupplier nanoClock) {
            this.clock = Objects.requireNonNull(nanoClock, "clock");
            return this;
        }

        /** Registers the queues with {@code monitor} on start and removes them on close. */
        public Builder<T> monitor(QueueMonitor monitor) {
            this.monitor = Objects.requireNonNull(monitor, "monitor");
            return this;
        }

        /** Reads the {@code LEAKPROOF_PIPELINE_*} variables from the process environment. */
        public Builder<T> fromEnvironment() {
            return fromEnvironment(System.getenv());
        }

        /** As {@link #fromEnvironment()}, from the given variables. */
        public Builder<T> fromEnvironment(Map<String, String> environment) {
            return apply(Settings.ofEnvironment(environment),
                    ENV_WORKERS, ENV_QUEUE_CAPACITY, ENV_OFFER_TIMEOUT, ENV_DRAIN_TIMEOUT, ENV_GRACE);
        }

        /** Reads the {@code leakproof.pipeline.*} system properties. */
        public Builder<T> fromProperties() {
            return fromProperties(System.getProperties());
        }

        /** As {@link #fromProperties()}, from the given properties. */
        public Builder<T> fromProperties(Properties properties) {
            return apply(Settings.ofProperties(properties),
                    PROP_WORKERS, PROP_QUEUE_CAPACITY, PROP_OFFER_TIMEOUT, PROP_DRAIN_TIMEOUT, PROP_GRACE);
        }

        private Builder<T> apply(Settings s, String workersKey, String capacityKey, String offerKey,
                                 String drainKey, String graceKey) {
            // Parse everything first so that a bad value leaves the builder unchanged.
            Duration min = Duration.ofMillis(1);
            var newWorkers = s.intIn(workersKey, 1, MAX_WORKERS);
            var newCapacity = s.intIn(capacityKey, 1, BoundedQueue.MAX_CAPACITY);
            var newOffer = s.durationIn(offerKey, min, MAX_TIMEOUT);
            var newDrain = s.durationIn(drainKey, min, MAX_TIMEOUT);
            var newGrace = s.durationIn(graceKey, min, MAX_TIMEOUT);
            newWorkers.ifPresent(v -> workers = v);
            newCapacity.ifPresent(v -> queueCapacity = v);
            newOffer.ifPresent(v -> offerTimeout = v);
            newDrain.ifPresent(v -> drainTimeout = v);
            newGrace.ifPresent(v -> grace = v);
            return this;
        }

        /**
         * A new pipeline in state {@code NEW}: its queues exist, no thread has started.
         *
         * @throws IllegalStateException when no source or no worker was given
         */
        public Pipeline<T> build() {
            if (source == null) {
                throw new IllegalStateException("pipeline '" + name + "': a source is required");
            }
            if (worker == null) {
                throw new IllegalStateException("pipeline '" + name + "': a worker is required");
            }
            return new Pipeline<>(this);
        }
    }
}

package dev.leakproof.pool;

import dev.leakproof.internal.Checks;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Processes a stream of byte chunks with at most {@code maxInFlight} chunks in flight on an
 * executor, each in a {@link Lease} of a {@link BufferPool} acquired and released with
 * try-with-resources inside the task.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>At most {@code maxInFlight} chunks are read ahead and not yet finished: the reading thread
 *       waits for a slot before it reads the next chunk, so memory stays bounded.</li>
 *   <li>Every lease is released on every path: handler return or exception, acquisition failure,
 *       cancellation (before the task starts no lease is taken), timeout and interrupt. When
 *       {@link #process} returns, no lease of the run is out, unless a handler ignored cancellation
 *       past the grace period ({@link ChunkReport#stillRunning()}).</li>
 *   <li>Failures are collected, never thrown: the report counts every chunk
 *       ({@code chunks = succeeded + failed + cancelled + stillRunning}) and keeps the first
 *       failures.</li>
 *   <li>On the run's timeout, or when the calling thread is interrupted, reading stops, chunks in
 *       flight are cancelled (running handlers are interrupted), and the run waits up to the grace
 *       period for them to end.</li>
 * </ul>
 */
public final class ChunkProcessor {

    /** The seed's concurrency limit: 10 chunks in flight. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 10;
    /** Default chunk size for streams: 64 KiB. */
    public static final int DEFAULT_CHUNK_SIZE = 64 * 1024;
    /** The seed's per-chunk acquire timeout: 10 s. */
    public static final Duration DEFAULT_ACQUIRE_TIMEOUT = Duration.ofSeconds(10);

    private final BufferPool pool;
    private final Executor executor;
    private final int maxInFlight;
    private final int chunkSize;
    private final Duration acquireTimeout;
    private final long timeoutNanos;
    private final long graceNanos;
    private final int maxFailuresKept;

    private ChunkProcessor(Builder b) {
        this.pool = b.pool;
        this.executor = b.executor;
        this.maxInFlight = b.maxInFlight;
        this.chunkSize = b.chunkSize;
        this.acquireTimeout = b.acquireTimeout;
        this.timeoutNanos = b.timeout == null ? Long.MAX_VALUE : Checks.toNanos(b.timeout);
        this.graceNanos = Checks.toNanos(b.grace);
        this.maxFailuresKept = b.maxFailuresKept;
    }

    /**
     * A builder for a processor on {@code pool} running chunks on {@code executor}.
     */
    public static Builder builder(BufferPool pool, Executor executor) {
        return new Builder(pool, executor);
    }

    /** Processes {@code in} in chunks of the configured size (the last may be shorter). Does not close {@code in}. */
    public ChunkReport process(InputStream in, ChunkHandler handler) {
        Objects.requireNonNull(in, "in");
        return run(new Iterator<>() {
            private byte[] next;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next == null && !done) {
                    try {
                        byte[] chunk = in.readNBytes(chunkSize);
                        if (chunk.length == 0) {
                            done = true;
                        } else {
                            next = chunk;
                        }
                    } catch (IOException e) {
                        throw new SourceFailure(e);
                    }
                }
                return next != null;
            }

            @Override
            public byte[] next() {
                byte[] chunk = next;
                next = null;
                return chunk;
            }
        }, handler);
    }

    /** Processes the chunks of {@code chunks}; empty chunks are skipped. */
    public ChunkReport process(Iterator<byte[]> chunks, ChunkHandler handler) {
        Objects.requireNonNull(chunks, "chunks");
        return run(chunks, handler);
    }

    private static final class SourceFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SourceFailure(IOException cause) {
            super(cause);
        }
    }

    /** One run's shared state. */
    private final class Run {
        final ChunkHandler handler;
        final Semaphore slots = new Semaphore(maxInFlight);
        final Set<ChunkTask> inFlight = ConcurrentHashMap.newKeySet();
        final LongAdder succeeded = new LongAdder();
        final LongAdder failed = new LongAdder();
        final LongAdder cancelled = new LongAdder();
        final LongAdder bytes = new LongAdder();
        final List<ChunkReport.ChunkFailure> failures = new ArrayList<>();

        Run(ChunkHandler handler) {
            this.handler = handler;
        }

        void fail(long index, Throwable e) {
            failed.increment();
            synchronized (failures) {
                if (failures.size() < maxFailuresKept) {
                    failures.add(new ChunkReport.ChunkFailure(index, e));
                }
            }
        }
    }

    /** The callable of a {@link ChunkTask}: FutureTask takes it before the task exists. */
    private static final class Work implements Callable<Void> {
        final byte[] chunk;
        ChunkTask task;

        Work(byte[] chunk) {
            this.chunk = chunk;
        }

        @Override
        public Void call() {
            task.work(chunk);
            return null;
        }
    }

    /** A chunk's task; its slot is given back exactly once, by whichever of run and cancel ends it. */
    private final class ChunkTask extends FutureTask<Void> {
        final Run run;
        final long index;
        final AtomicBoolean started = new AtomicBoolean();

        ChunkTask(Run run, long index, Work work) {
            super(work);
            work.task = this;
            this.run = run;
            this.index = index;
        }

        private void work(byte[] chunk) {
            if (!started.compareAndSet(false, true)) {
                return;
            }
            try (Lease lease = pool.acquire(chunk.length, acquireTimeout)) {
                lease.write(0, chunk);
                run.handler.handle(index, lease);
                run.succeeded.increment();
                run.bytes.add(chunk.length);
            } catch (Throwable e) {
                if (isCancelled() || isInterruption(e)) {
                    run.cancelled.increment();
                } else {
                    run.fail(index, e);
                }
            } finally {
                finish();
            }
        }

        /**
         * Whether {@code e} reports an interrupt: the pool wraps an interrupted wait in
         * {@link PoolExhaustedException} (interrupt status restored), a handler may wrap it in its own
         * exception. Such a chunk was cancelled, not failed.
         */
        private boolean isInterruption(Throwable e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof InterruptedException) {
                    return true;
                }
                if (c.getCause() == c) {
                    break;
                }
            }
            return false;
        }

        @Override
        protected void done() {
            if (isCancelled() && started.compareAndSet(false, true)) {
                // Cancelled before it started: no lease was taken.
                run.cancelled.increment();
                finish();
            }
        }

        private void finish() {
            run.inFlight.remove(this);
            run.slots.release();
        }
    }

    private ChunkReport run(Iterator<byte[]> source, ChunkHandler handler) {
        Objects.requireNonNull(handler, "handler");
        Run run = new Run(handler);
        long deadline = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
        long chunks = 0;
        Throwable sourceFailure = null;
        boolean timedOut = false;
        boolean interrupted = false;
        try {
            while (true) {
                if (!run.slots.tryAcquire(1, remaining(deadline), TimeUnit.NANOSECONDS)) {
                    timedOut = true;
                    break;
                }
                byte[] chunk;
                try {
                    if (!source.hasNext()) {
                        run.slots.release();
                        break;
                    }
                    chunk = source.next();
                } catch (SourceFailure e) {
                    run.slots.release();
                    sourceFailure = e.getCause();
                    break;
                } catch (RuntimeException e) {
                    run.slots.release();
                    sourceFailure = e;
                    break;
                }
                if (chunk == null || chunk.length == 0) {
                    run.slots.release();
                    continue;
                }
                ChunkTask task = new ChunkTask(run, chunks++, new Work(chunk));
                run.inFlight.add(task);
                try {
                    executor.execute(task);
                } catch (RejectedExecutionException e) {
                    run.inFlight.remove(task);
                    task.started.set(true);
                    run.fail(task.index, e);
                    run.slots.release();
                }
            }
            if (!timedOut && !run.slots.tryAcquire(maxInFlight, remaining(deadline), TimeUnit.NANOSECONDS)) {
                timedOut = true;
            } else if (!timedOut) {
                run.slots.release(maxInFlight);
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        long stillRunning = 0;
        if (timedOut || interrupted) {
            for (ChunkTask t : run.inFlight) {
                t.cancel(true);
            }
            stillRunning = awaitAll(run);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        List<ChunkReport.ChunkFailure> failures;
        synchronized (run.failures) {
            failures = new ArrayList<>(run.failures);
        }
        return new ChunkReport(chunks, run.succeeded.sum(), run.failed.sum(), run.cancelled.sum(), stillRunning,
                run.bytes.sum(), failures, sourceFailure, timedOut, interrupted);
    }

    /** Waits up to the grace period for every chunk to end; returns how many are still running. */
    private long awaitAll(Run run) {
        long deadline = System.nanoTime() + graceNanos;
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (run.slots.tryAcquire(maxInFlight, remaining(deadline), TimeUnit.NANOSECONDS)) {
                        run.slots.release(maxInFlight);
                        return 0;
                    }
                    return maxInFlight - run.slots.availablePermits();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long remaining(long deadline) {
        return deadline == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, deadline - System.nanoTime());
    }

    /** Builds a {@link ChunkProcessor}. */
    public static final class Builder {
        private final BufferPool pool;
        private final Executor executor;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private int chunkSize;
        private Duration acquireTimeout = DEFAULT_ACQUIRE_TIMEOUT;
        private Duration timeout;
        private Duration grace = Duration.ofSeconds(5);
        private int maxFailuresKept = 100;

        private Builder(BufferPool pool, Executor executor) {
            this.pool = Objects.requireNonNull(pool, "pool");
            this.executor = Objects.requireNonNull(executor, "executor");
            this.chunkSize = Math.min(DEFAULT_CHUNK_SIZE, pool.maxBufferSize());
        }

        /** Chunks read ahead and not yet finished, at most (default 10). */
        public Builder maxInFlight(int max) {
            this.maxInFlight = Checks.positive("maxInFlight", max);
            return this;
        }

        /** The chunk size for streams, from 1 to the pool's maxBufferSize (default 64 KiB or less). */
        public Builder chunkSize(int size) {
            if (size < 1 || size > pool.maxBufferSize()) {
                throw new IllegalArgumentException("chunkSize must be in [1, maxBufferSize=" + pool.maxBufferSize() + "] but was " + size);
            }
            this.chunkSize = size;
            return this;
        }

        /** How long each chunk waits for its lease (default 10 s). */
        public Builder acquireTimeout(Duration timeout) {
            this.acquireTimeout = Checks.nonNegative("acquireTimeout", timeout);
            return this;
        }

        /** A limit on the whole run (default none). */
        public Builder timeout(Duration timeout) {
            this.timeout = Checks.positive("timeout", timeout);
            return this;
        }

        /** How long cancelled chunks are waited for after a timeout or interrupt (default 5 s). */
        public Builder grace(Duration grace) {
            this.grace = Checks.nonNegative("grace", grace);
            return this;
        }

        /** How many failures the report keeps (default 100); all are counted. */
        public Builder maxFailuresKept(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxFailuresKept must be >= 0 but was " + max);
            }
            this.maxFailuresKept = max;
            return this;
        }

        public ChunkProcessor build() {
            return new ChunkProcessor(this);
        }
    }
}

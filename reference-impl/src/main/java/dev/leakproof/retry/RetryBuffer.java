package dev.leakproof.retry;

import dev.leakproof.internal.Checks;
import dev.leakproof.internal.Settings;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A buffer of items awaiting batch processing, bounded in size, in age and in attempts, whose
 * in-flight batches are leases that are reclaimed when they go stale, and which hands every item
 * it gives up to a {@link DeadLetterListener} exactly once, with an {@link AbandonReason}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>R1</b> {@code added = succeeded + abandoned + size + inFlightItems}, where
 *       {@code abandoned} is the sum over the reasons. It holds exactly on every
 *       {@link #health()} snapshot (each is taken under the buffer's lock), not only when quiescent.</li>
 *   <li><b>R2</b> An item is never both succeeded and abandoned, and it is handed to a processor
 *       at most {@code maxAttempts} times: every item leaves through exactly one exit.</li>
 *   <li><b>R3</b> {@code size() <= maxBufferSize} at every observation.</li>
 * </ul>
 * The counters ({@link RetryBufferHealth}): {@code added} counts items accepted by {@link #add};
 * {@code size} counts items buffered (waiting for a first batch or for a retry), not those in
 * flight; {@code inFlightItems}/{@code inFlightBatches} count batches taken and not yet ended;
 * {@code attempts} counts every hand-over of an item to a processor; {@code succeeded} counts
 * items a batch result reported as succeeded; {@code failedBatches}/{@code failedItems} count
 * applied results with failed items; {@code reclaimedBatches} counts stale batches;
 * {@code lateCompletions} counts completions that were ignored; {@code abandoned} counts items
 * given up, by reason.
 *
 * <h2>What happens when</h2>
 * <ul>
 *   <li><b>Overflow.</b> When {@link #add} finds the buffer full, or failed items return to a full
 *       buffer, the oldest buffered items (by first arrival) are evicted until it fits:
 *       {@link AbandonReason#EVICTED_CAPACITY}. Items in flight are not in the buffer and are
 *       never evicted; memory held is at most {@code maxBufferSize} buffered items plus the items
 *       of the batches in flight, which the in-flight timeout bounds in time.</li>
 *   <li><b>Expiry.</b> An item is older than the maximum age when {@code now - firstArrival >
 *       maxAge}. Such items are removed ({@link AbandonReason#EXPIRED}) on {@link #add}, before
 *       each batch is taken, by {@link #cleanup()} (run periodically on the scheduler, every
 *       15 minutes by default), and when their batch fails.</li>
 *   <li><b>Failure.</b> A failed item (whole batch failed, or not named by a partial result) whose
 *       attempts have reached {@code maxAttempts} is abandoned ({@link AbandonReason#MAX_ATTEMPTS});
 *       one older than the maximum age is abandoned as {@link AbandonReason#EXPIRED}; any other
 *       returns to the buffer, eligible again after the {@link BackoffPolicy}'s delay. A processor
 *       that throws or returns {@code null} fails the whole batch: counted, never a lost item.</li>
 *   <li><b>Stale.</b> A batch that has neither succeeded nor failed within the in-flight timeout
 *       is reclaimed: its items return to the buffer
 *       as after a failure (the lost attempt counts), or, when they have no attempt or age left,
 *       are abandoned as {@link AbandonReason#STALE_IN_FLIGHT}. Its later completion is ignored
 *       and counted in {@code lateCompletions}; so is a second completion of any batch. Processing
 *       is therefore at-least-once: the processor of a reclaimed batch may have done its work, and
 *       the items are handed out again, so processors should be idempotent. The counters stay exact:
 *       only the completion that ends a lease counts.
 *       Reclaiming is not timed: it happens when a batch is taken ({@link #take}, {@link #process},
 *       {@link #processAsync}) and in {@link #cleanup()}, so with no traffic a stale batch waits up
 *       to the cleanup interval past its timeout.</li>
 *   <li><b>Close.</b> {@link #close()} stops the periodic cleanup (an owned scheduler thread has
 *       ended when it returns) and abandons everything left, buffered or in flight, as
 *       {@link AbandonReason#CLOSED}; completions that arrive afterwards are late. {@link #closeAndDrain}
 *       instead gives each buffered item one last attempt (ignoring backoff) through the given
 *       processor and abandons what fails as {@code CLOSED}. After close, {@link #add},
 *       {@link #process}, {@link #processAsync} and {@link #take} throw {@link IllegalStateException}.
 *       Both are idempotent; a second or concurrent call returns only once the first has finished
 *       (waiting at most 20 s), except on the first closer's own thread (a listener or drain processor
 *       that closes again) and on the cleanup thread. If the clock throws while closing, the last time
 *       read is used, so close always completes. A buffer that is dropped without being closed does not pin its cleanup
 *       thread: the periodic task holds it weakly and, once it is collected, logs the missing close
 *       and ends (its items, unreachable, are not handed to the listener).</li>
 * </ul>
 * The dead-letter listener is called after the buffer's lock is released, on the thread whose
 * operation abandoned the item, exactly once per item; one that throws is logged and counted.
 * The stage of {@link Batch#outcome()} is completed the same way, after the lock is released, on
 * the thread that ended the batch (the completing, reclaiming, cleanup or closing thread), so
 * callbacks attached to it run there.
 *
 * <h2>User code and the lock</h2>
 * The clock and the {@link BackoffPolicy} run under the buffer's lock: they must be fast and must
 * not call the buffer; a public method called from them throws {@link IllegalStateException}.
 * A clock that throws fails the operation that read it before any state changed (a completion
 * keeps its lease); a policy that throws means "no delay". A dead-letter listener may call the
 * buffer, but an {@link #add} nested {@value #MAX_NESTED_DELIVERIES} deliveries deep on one thread
 * (a listener re-adding to the same full buffer) is refused with {@link IllegalStateException}.
 *
 * <h2>Design and cost</h2>
 * One {@link ReentrantLock} guards all state, so every counter is a plain field updated under it
 * and every snapshot is exact. Items carry their first arrival time; retries keep it, so age
 * always means "time since first added". Arrival order is age order, so the buffer keeps:
 * <ul>
 *   <li>items never attempted in a ring of two columns (the item and its arrival time), oldest at
 *       the head: adding one stores two values and allocates nothing, removing one (eviction,
 *       expiry, taking) clears its slot, both O(1). The ring starts at {@value #MIN_RING} slots,
 *       doubles when full and, once longer than {@value #RING_KEEP} slots, halves when less than
 *       a quarter full, so its memory follows the number of items, amortised O(1) per item (a
 *       buffer that fills and empties again and again keeps its small ring rather than regrow it). A ring rather than a node per item keeps the
 *       cost of {@link #add} flat up to a million items: nodes that live long enough to survive
 *       young collections are copied and promoted by the garbage collector, and the oldest one is
 *       cold in the cache when it is evicted;</li>
 *   <li>items waiting for a retry in two ordered sets, by first arrival (for eviction and expiry)
 *       and by next-eligible time (for taking batches). Their arrival times are older than
 *       whatever was added since they were taken, so re-inserting them at the tail of the list
 *       would break its order and searching for their place would be O(size); the sets make a
 *       return O(log r), where {@code r} is the number of items waiting for a retry, and keep
 *       eviction O(log r) and expiry O(expired * log r) rather than O(size).</li>
 * </ul>
 * The oldest buffered item is the older of the two heads. In-flight batches are kept in the order
 * they were taken, which is deadline order, so reclaiming stale ones is O(reclaimed). A batch
 * takes eligible retries first (by next-eligible time), then never-attempted items oldest first.
 * Average age is kept as an exact running sum of arrival times.
 *
 * <p><b>Cost, exactly.</b> Finding the oldest buffered item reads the head of the ring and the
 * first of the arrival set, O(log r). So {@link #add} (whose expiry check and eviction look at the
 * oldest item), eviction and {@link #health()} are O(1) when no item waits for a retry, and
 * O(log r) with {@code r} items waiting for a retry; expiry is O(expired * log r), a failed item's
 * return O(log r). {@link #take} and {@link #process} allocate nothing when no item is eligible.
 *
 * @param <T> the item type
 */
public final class RetryBuffer<T> implements AutoCloseable {

    /** Environment variable for {@link Builder#maxBufferSize(int)}. */
    public static final String ENV_MAX_BUFFER_SIZE = "LEAKPROOF_RETRY_MAX_BUFFER_SIZE";
    /** Environment variable for {@link Builder#maxAge(Duration)}. */
    public static final String ENV_MAX_AGE = "LEAKPROOF_RETRY_MAX_AGE";
    /** Environment variable for {@link Builder#cleanupInterval(Duration)}. */
    public static final String ENV_CLEANUP_INTERVAL = "LEAKPROOF_RETRY_CLEANUP_INTERVAL";
    /** Environment variable for {@link Builder#maxAttempts(int)}. */
    public static final String ENV_MAX_ATTEMPTS = "LEAKPROOF_RETRY_MAX_ATTEMPTS";
    /** Environment variable for {@link Builder#inFlightTimeout(Duration)}. */
    public static final String ENV_IN_FLIGHT_TIMEOUT = "LEAKPROOF_RETRY_IN_FLIGHT_TIMEOUT";
    /** System property for {@link Builder#maxBufferSize(int)}. */
    public static final String PROP_MAX_BUFFER_SIZE = "leakproof.retry.maxBufferSize";
    /** System property for {@link Builder#maxAge(Duration)}. */
    public static final String PROP_MAX_AGE = "leakproof.retry.maxAge";
    /** System property for {@link Builder#cleanupInterval(Duration)}. */
    public static final String PROP_CLEANUP_INTERVAL = "leakproof.retry.cleanupInterval";
    /** System property for {@link Builder#maxAttempts(int)}. */
    public static final String PROP_MAX_ATTEMPTS = "leakproof.retry.maxAttempts";
    /** System property for {@link Builder#inFlightTimeout(Duration)}. */
    public static final String PROP_IN_FLIGHT_TIMEOUT = "leakproof.retry.inFlightTimeout";

    /** The seed's default buffer size. */
    public static final int DEFAULT_MAX_BUFFER_SIZE = 1000;
    /** The seed's default maximum age. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(1);
    /** The seed's default cleanup interval. */
    public static final Duration DEFAULT_CLEANUP_INTERVAL = Duration.ofMinutes(15);
    /** The seed's default number of attempts. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    /**
     * Default in-flight timeout, 5 minutes. The seed cleared stale "queued for batch" markers
     * after 2 hours, longer than its 1-hour item age, so a stuck batch held its items past their
     * expiry; a lease should end well within the maximum age.
     */
    public static final Duration DEFAULT_IN_FLIGHT_TIMEOUT = Duration.ofMinutes(5);
    /** Default backoff: exponential from 1 s, doubling, capped at 1 min, up to 20% jitter. */
    public static final BackoffPolicy DEFAULT_BACKOFF =
            BackoffPolicy.exponential(Duration.ofSeconds(1), Duration.ofMinutes(1), 2.0, 0.2);

    /** Largest {@code maxBufferSize}. */
    public static final int MAX_BUFFER_SIZE_LIMIT = 1 << 30;
    /** Largest {@code maxAttempts}. */
    public static final int MAX_ATTEMPTS_LIMIT = 1_000_000;
    /** Smallest duration accepted for the age, interval and timeout limits. */
    public static final Duration MIN_DURATION = Duration.ofMillis(1);
    /** Largest duration accepted for the age, interval and timeout limits. */
    public static final Duration MAX_DURATION = Duration.ofDays(365);

    private static final System.Logger LOG = System.getLogger(RetryBuffer.class.getName());
    private static final long SCHEDULER_AWAIT_SECONDS = 10;
    private static final int TAKE_INITIAL_CAPACITY = 64;
    /**
     * How deep dead-letter deliveries may nest on one thread (a listener that adds to the same
     * buffer, whose add evicts, whose delivery adds, ...) before {@link #add} is refused.
     */
    public static final int MAX_NESTED_DELIVERIES = 8;

    /** Smallest ring of never-attempted items; a power of two. */
    static final int MIN_RING = 16;
    /** A ring this long or shorter is never halved (12 KiB); a power of two. */
    static final int RING_KEEP = 1024;

    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;

    private static final Comparator<Entry<?>> BY_ARRIVAL = (a, b) -> Long.compare(a.seq, b.seq);
    private static final Comparator<Entry<?>> BY_ELIGIBLE = (a, b) -> {
        long d = a.eligibleAt - b.eligibleAt; // nanoTime values: compare by difference
        return d != 0 ? (d < 0 ? -1 : 1) : Long.compare(a.seq, b.seq);
    };

    private final String name;
    private final int maxSize;
    private final long maxAgeNanos;
    private final int maxAttempts;
    private final long inFlightTimeoutNanos;
    private final BackoffPolicy backoff;
    private final DeadLetterListener<T> listener;
    private final LongSupplier clock;

    private final ReentrantLock lock = new ReentrantLock();

    // ---- guarded by lock
    // Never-attempted items, oldest first, in a ring (power-of-two length) of two columns. They are the
    // last freshCount items added (only the oldest is ever removed), so their sequence numbers are
    // nextSeq - freshCount ... nextSeq - 1 and need no column.
    private Object[] freshItems = new Object[MIN_RING];
    private long[] freshArrivals = new long[MIN_RING];
    private int freshHead;
    private int freshCount;
    private final TreeSet<Entry<T>> retryByArrival = new TreeSet<>(BY_ARRIVAL);
    private final TreeSet<Entry<T>> retryByEligible = new TreeSet<>(BY_ELIGIBLE);
    private int size;
    private long nextSeq;
    private long lastNow;
    private final long baseNanos;
    private long ageSumHi; // 128-bit sum of (arrival - baseNanos) over buffered items
    private long ageSumLo;
    private final LinkedHashMap<Long, Batch<T>> leases = new LinkedHashMap<>(); // taken order = deadline order
    private long nextBatchId = 1;
    private int inFlightItems;
    private int state = OPEN;
    private long added;
    private long attempts;
    private long succeeded;
    private long failedBatches;
    private long failedItems;
    private long reclaimedBatches;
    private long lateCompletions;
    private long backoffFailures;
    private final long[] abandoned = new long[AbandonReason.values().length];
    private Abandoned<T> pendingFirst;            // the first item abandoned by a locked section (most abandon one)
    private List<Abandoned<T>> pendingAbandoned; // the others; all handed to the listener once the lock is released
    private List<Batch<T>> pendingEnded;         // batches whose outcome future completes once the lock is released

    // ---- not guarded
    private final LongAdder listenerFailures = new LongAdder();
    private final ScheduledExecutorService ownedScheduler;
    private final ScheduledFuture<?> cleanupTask;
    private final AtomicReference<Thread> cleanupThread = new AtomicReference<>();
    private final CountDownLatch terminated = new CountDownLatch(1); // counted down when the first close has finished
    private volatile Thread closingThread;                            // the thread of the first close
    private final ThreadLocal<int[]> deliveryDepth = new ThreadLocal<>(); // nesting of listener deliveries per thread

    private RetryBuffer(Builder<T> b) {
        this.name = b.name;
        this.maxSize = b.maxBufferSize;
        this.maxAgeNanos = Checks.toNanos(b.maxAge);
        this.maxAttempts = b.maxAttempts;
        this.inFlightTimeoutNanos = Checks.toNanos(b.inFlightTimeout);
        this.backoff = b.backoff;
        // Abandoned is an immutable record that only hands its item out, so a listener of a
        // supertype can safely receive Abandoned<T>.
        @SuppressWarnings("unchecked")
        DeadLetterListener<T> l = (DeadLetterListener<T>) b.listener;
        this.listener = l;
        this.clock = b.clock;
        this.baseNanos = clock.getAsLong();
        this.lastNow = baseNanos;
        long interval = Checks.toNanos(b.cleanupInterval);
        if (!b.periodicCleanup) {
            this.ownedScheduler = null;
            this.cleanupTask = null;
        } else if (b.scheduler != null) {
            this.ownedScheduler = null;
            CleanupTask task = new CleanupTask(this, null);
            this.cleanupTask = b.scheduler.scheduleWithFixedDelay(task, interval, interval, TimeUnit.NANOSECONDS);
            task.future = cleanupTask;
        } else {
            // Neither the thread factory nor the task may hold the buffer strongly: see CleanupTask.
            String threadName = "leakproof-retry-cleanup-" + name;
            AtomicReference<Thread> threadHolder = cleanupThread;
            ScheduledThreadPoolExecutor owned = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, threadName);
                t.setDaemon(true);
                threadHolder.set(t);
                return t;
            });
            owned.setRemoveOnCancelPolicy(true);
            this.ownedScheduler = owned;
            this.cleanupTask = owned.scheduleWithFixedDelay(new CleanupTask(this, owned), interval, interval, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * A builder with the seed's defaults: 1000 items, 1 h maximum age, cleanup every 15 min,
     * 3 attempts; plus a 5 min in-flight timeout and {@link #DEFAULT_BACKOFF}.
     */
    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    // ------------------------------------------------------------------ adding

    /**
     * Buffers {@code item} with the current time as its arrival time. Expired items are removed
     * first; if the buffer is still full, the oldest item is evicted ({@link AbandonReason#EVICTED_CAPACITY}).
     *
     * @throws NullPointerException  when {@code item} is {@code null}
     * @throws IllegalStateException when the buffer is closed (the caller keeps the item)
     */
    public void add(T item) {
        Objects.requireNonNull(item, "item must not be null");
        int[] depth = deliveryDepth.get();
        if (depth != null && depth[0] >= MAX_NESTED_DELIVERIES) {
            throw new IllegalStateException("retry buffer '" + name + "': add() from a dead-letter listener nested "
                    + depth[0] + " deep on one thread (a listener re-adding to this full buffer would recurse without"
                    + " bound); item not added");
        }
        enterLock();
        try {
            if (state != OPEN) {
                throw new IllegalStateException("retry buffer '" + name + "' is closed; item not added");
            }
            long now = now();
            expire(now);
            if (size >= maxSize) {
                removeOldest(AbandonReason.EVICTED_CAPACITY, now);
            }
            pushFresh(item, now);
            size++;
            addAge(now);
            added++;
        } finally {
            unlockAndNotify();
        }
    }

    // ------------------------------------------------------------------ batches

    /**
     * Takes up to {@code batchSize} eligible items as one in-flight batch (a lease), which the
     * caller must end with {@link Batch#complete(BatchResult)}; a batch not completed within the
     * in-flight timeout is reclaimed. Stale batches are reclaimed and expired items removed first.
     * {@link #process} and {@link #processAsync} are built on this.
     *
     * @return the batch, or empty when no item is eligible
     * @throws IllegalArgumentException when {@code batchSize < 1}
     * @throws IllegalStateException    when the buffer is closed
     */
    public Optional<Batch<T>> take(int batchSize) {
        Checks.positive("batchSize", batchSize);
        Batch<T> batch = null;
        enterLock();
        try {
            if (state != OPEN) {
                throw new IllegalStateException("retry buffer '" + name + "' is closed; no batch can be processed");
            }
            long now = now();
            reclaimStale(now);
            expire(now);
            batch = takeLocked(batchSize, now, false);
        } finally {
            unlockAndNotify();
        }
        return Optional.ofNullable(batch);
    }

    /**
     * Takes up to {@code batchSize} eligible items and hands them to {@code processor} on the
     * calling thread, then applies its result. Does not call the processor when no item is eligible.
     *
     * @return what became of the batch; {@link BatchOutcome.Status#LATE} when the batch was
     *         reclaimed as stale or closed while the processor ran
     * @throws IllegalArgumentException when {@code batchSize < 1}
     * @throws IllegalStateException    when the buffer is closed
     */
    public BatchOutcome process(int batchSize, BatchProcessor<T> processor) {
        Objects.requireNonNull(processor, "processor");
        Optional<Batch<T>> taken = take(batchSize);
        if (taken.isEmpty()) {
            return BatchOutcome.empty();
        }
        return runSync(taken.get(), processor);
    }

    /**
     * As {@link #process}, with a processor that completes a stage. The returned stage completes
     * when the batch ends: with the applied outcome, or with {@link BatchOutcome.Status#RECLAIMED}
     * or {@link BatchOutcome.Status#CLOSED} when the processor's stage did not complete in time.
     *
     * @throws IllegalArgumentException when {@code batchSize < 1}
     * @throws IllegalStateException    when the buffer is closed
     */
    public CompletionStage<BatchOutcome> processAsync(int batchSize, AsyncBatchProcessor<T> processor) {
        Objects.requireNonNull(processor, "processor");
        Optional<Batch<T>> taken = take(batchSize);
        if (taken.isEmpty()) {
            return CompletableFuture.completedFuture(BatchOutcome.empty());
        }
        Batch<T> batch = taken.get();
        CompletionStage<BatchResult> stage;
        try {
            stage = processor.process(batch.items());
        } catch (Throwable t) {
            batch.complete(BatchResult.failed(t));
            rethrowIfFatal(t);
            return batch.outcome();
        }
        if (stage == null) {
            batch.complete(BatchResult.failed(new NullPointerException("async batch processor returned a null stage")));
            return batch.outcome();
        }
        stage.whenComplete((result, failure) -> {
            if (failure != null) {
                batch.complete(BatchResult.failed(unwrap(failure)));
            } else if (result == null) {
                batch.complete(BatchResult.failed(new NullPointerException("async batch processor completed with null")));
            } else {
                batch.complete(result);
            }
        });
        return batch.outcome();
    }

    private BatchOutcome runSync(Batch<T> batch, BatchProcessor<T> processor) {
        BatchResult result;
        Throwable fatal = null;
        try {
            result = processor.process(batch.items());
            if (result == null) {
                result = BatchResult.failed(new NullPointerException("batch processor returned null"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = BatchResult.failed(e);
        } catch (Throwable t) {
            result = BatchResult.failed(t);
            if (t instanceof VirtualMachineError) {
                fatal = t;
            }
        }
        BatchOutcome outcome = batch.complete(result);
        if (fatal != null) {
            throw (VirtualMachineError) fatal;
        }
        return outcome;
    }

    private BatchOutcome complete(Batch<T> batch, BatchResult result) {
        Objects.requireNonNull(result, "result");
        BatchOutcome outcome;
        enterLock();
        try {
            // Read the clock before any state changes: if it throws, the lease is still held and
            // still counted, so it ends later (completed again, reclaimed or closed), never lost.
            long now = now();
            if (leases.remove(batch.id) == null) {
                lateCompletions++;
                outcome = new BatchOutcome(batch.id, batch.entries.size(), 0, 0, BatchOutcome.Status.LATE);
            } else {
                inFlightItems -= batch.entries.size();
                int ok = 0;
                Throwable cause = result.cause();
                for (int i = 0; i < batch.entries.size(); i++) {
                    Entry<T> e = batch.entries.get(i);
                    if (result.isSucceeded(i, e.item)) {
                        succeeded++;
                        ok++;
                    } else {
                        failedItems++;
                        e.lastFailure = cause;
                        if (state != OPEN) {
                            abandon(e, AbandonReason.CLOSED, now);
                        } else if (e.attempts >= maxAttempts) {
                            abandon(e, AbandonReason.MAX_ATTEMPTS, now);
                        } else if (expired(e, now)) {
                            abandon(e, AbandonReason.EXPIRED, now);
                        } else {
                            returnForRetry(e, now);
                        }
                    }
                }
                int failed = batch.entries.size() - ok;
                if (failed > 0) {
                    failedBatches++;
                }
                enforceCapacity(now);
                outcome = new BatchOutcome(batch.id, batch.entries.size(), ok, failed, BatchOutcome.Status.APPLIED);
                batch.end = outcome;
                endLater(batch);
            }
        } finally {
            unlockAndNotify();
        }
        return outcome;
    }

    // ------------------------------------------------------------------ cleanup

    /**
     * Reclaims stale in-flight batches and removes expired items now; the periodic cleanup calls
     * this. Does nothing once the buffer is closed.
     *
     * @return the number of items abandoned by this call
     */
    public int cleanup() {
        int count = 0;
        enterLock();
        try {
            if (state == OPEN) {
                long now = now();
                reclaimStale(now);
                expire(now);
                count = (pendingFirst == null ? 0 : 1) + (pendingAbandoned == null ? 0 : pendingAbandoned.size());
            }
        } finally {
            unlockAndNotify();
        }
        return count;
    }

    /**
     * The periodic cleanup. It holds the buffer weakly, so that a buffer dropped without
     * {@link #close()} can still be collected; the task then ends its owned scheduler's thread
     * (or cancels itself on an injected scheduler) and logs the missing close, instead of keeping
     * a thread alive for the life of the process.
     */
    private static final class CleanupTask implements Runnable {
        private final WeakReference<RetryBuffer<?>> buffer;
        private final String name;
        private final ScheduledExecutorService owned;
        volatile ScheduledFuture<?> future;

        CleanupTask(RetryBuffer<?> buffer, ScheduledExecutorService owned) {
            this.buffer = new WeakReference<>(buffer);
            this.name = buffer.name;
            this.owned = owned;
        }

        @Override
        public void run() {
            RetryBuffer<?> b = buffer.get();
            if (b != null) {
                b.scheduledCleanup();
                return;
            }
            LOG.log(System.Logger.Level.WARNING, () -> "retry buffer '" + name
                    + "' was garbage-collected without close(); its periodic cleanup ends");
            if (owned != null) {
                owned.shutdown();
            } else if (future != null) {
                future.cancel(false);
            }
        }
    }

    private void scheduledCleanup() {
        try {
            int removed = cleanup();
            if (removed > 0) {
                LOG.log(System.Logger.Level.DEBUG, () -> "retry buffer '" + name + "' cleanup abandoned " + removed + " items");
            }
        } catch (Throwable t) {
            // An exception would cancel the periodic task; log it and keep the schedule.
            LOG.log(System.Logger.Level.WARNING, "periodic cleanup of retry buffer '" + name + "' failed", t);
            if (t instanceof VirtualMachineError) {
                throw (VirtualMachineError) t;
            }
        }
    }

    // ------------------------------------------------------------------ close

    /**
     * Closes the buffer: stops the periodic cleanup (waiting for an owned scheduler thread to end)
     * and abandons every buffered and in-flight item as {@link AbandonReason#CLOSED}. Idempotent.
     */
    @Override
    public void close() {
        shutdown(null, 0);
    }

    /**
     * Closes the buffer, giving each buffered item one last attempt through {@code processor} on
     * the calling thread (backoff delays are ignored; attempt limits are kept) in batches of up
     * to {@code batchSize}. Items that fail are abandoned as {@link AbandonReason#CLOSED}, as are
     * the items of batches in flight. Does nothing when the buffer is already closed.
     *
     * @throws IllegalArgumentException when {@code batchSize < 1}
     */
    public void closeAndDrain(int batchSize, BatchProcessor<T> processor) {
        Checks.positive("batchSize", batchSize);
        Objects.requireNonNull(processor, "processor");
        shutdown(processor, batchSize);
    }

    private void shutdown(BatchProcessor<T> drain, int batchSize) {
        boolean first = false;
        try {
            enterLock();
            try {
                if (state == OPEN) {
                    long now = closingNow(); // before any state change; never throws
                    first = true;
                    closingThread = Thread.currentThread();
                    state = drain == null ? CLOSED : CLOSING;
                    abandonAllLeases(now);
                    if (drain == null) {
                        abandonAllBuffered(now);
                    }
                }
            } finally {
                unlockAndNotify();
            }
            if (first) {
                stopScheduler();
                if (drain != null) {
                    drainAndClose(drain, batchSize);
                }
            }
        } finally {
            if (first) {
                terminated.countDown();
            }
        }
        if (!first) {
            awaitTerminated();
        }
    }

    /**
     * A later (or concurrent) close waits, bounded, until the first has finished: items delivered,
     * drained and the cleanup thread ended. Not on the closing thread itself (a listener or drain
     * processor that closes again) nor on the cleanup thread (the first close may be waiting for
     * it), which would wait for themselves.
     */
    private void awaitTerminated() {
        Thread current = Thread.currentThread();
        if (current == closingThread || current == cleanupThread.get()) {
            return;
        }
        try {
            if (!terminated.await(2 * SCHEDULER_AWAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "retry buffer '" + name + "': the first close() did not finish within "
                        + 2 * SCHEDULER_AWAIT_SECONDS + " s (a dead-letter listener or drain processor may be blocked)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void drainAndClose(BatchProcessor<T> drain, int batchSize) {
        try {
            for (;;) {
                Batch<T> batch;
                lock.lock();
                try {
                    batch = takeLocked(batchSize, closingNow(), true);
                } finally {
                    lock.unlock();
                }
                if (batch == null) {
                    return;
                }
                runSync(batch, drain);
            }
        } finally {
            lock.lock();
            try {
                long now = closingNow();
                state = CLOSED;
                // Left only when the drain processor threw an Error or the clock threw.
                abandonAllLeases(now);
                abandonAllBuffered(now);
            } finally {
                unlockAndNotify();
            }
        }
    }

    private void stopScheduler() {
        if (cleanupTask != null) {
            cleanupTask.cancel(false);
        }
        if (ownedScheduler != null) {
            ownedScheduler.shutdown();
            if (Thread.currentThread() == cleanupThread.get()) {
                return; // closed from the cleanup thread itself (e.g. by a listener): it ends when this task returns
            }
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SCHEDULER_AWAIT_SECONDS);
                boolean ended = ownedScheduler.awaitTermination(SCHEDULER_AWAIT_SECONDS, TimeUnit.SECONDS);
                // A terminated pool's worker thread may still be finishing its exit: join it, so
                // that no thread is left running when close() returns.
                Thread thread = cleanupThread.get();
                if (ended && thread != null) {
                    long remainingMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                    thread.join(remainingMillis);
                    ended = !thread.isAlive();
                }
                if (!ended) {
                    LOG.log(System.Logger.Level.WARNING, "cleanup thread of retry buffer '" + name
                            + "' did not end within " + SCHEDULER_AWAIT_SECONDS + " s (a dead-letter listener may be blocked)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether {@link #close()} or {@link #closeAndDrain} has been called. */
    public boolean isClosed() {
        enterLock();
        try {
            return state != OPEN;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ observation

    /** Items buffered (not in flight), {@code <= maxBufferSize()} (R3). */
    public int size() {
        enterLock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** The buffer's name, used in logs, exceptions, JFR events and the health snapshot. */
    public String name() {
        return name;
    }

    /** The configured maximum size. */
    public int maxBufferSize() {
        return maxSize;
    }

    /** The configured attempt limit. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * An exact, immutable snapshot of the counters and ages; R1–R3 hold on it. O(1) when no item
     * waits for a retry, O(log r) with {@code r} items waiting for a retry.
     */
    public RetryBufferHealth health() {
        enterLock();
        try {
            long now = now();
            Duration avg = Duration.ZERO;
            Duration max = Duration.ZERO;
            if (size > 0) {
                double sum = ageSumHi * 18446744073709551616.0 + ((double) (ageSumLo >>> 1) * 2.0 + (ageSumLo & 1));
                double meanOffset = sum / size;
                avg = Duration.ofNanos(Math.max(0L, Math.round((now - baseNanos) - meanOffset)));
                max = Duration.ofNanos(Math.max(0L, now - oldestArrival()));
            }
            EnumMap<AbandonReason, Long> byReason = new EnumMap<>(AbandonReason.class);
            for (AbandonReason r : AbandonReason.values()) {
                byReason.put(r, abandoned[r.ordinal()]);
            }
            return new RetryBufferHealth(name, size, maxSize, maxAttempts, avg, max, leases.size(), inFlightItems,
                    added, attempts, succeeded, failedBatches, failedItems, reclaimedBatches, lateCompletions,
                    byReason, listenerFailures.sum(), state != OPEN);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "RetryBuffer[" + name + ", size " + size() + "/" + maxSize + (isClosed() ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ internals (lock held)

    /**
     * The clock for closing, which must not fail: if the user's clock throws, the last time read
     * is used (and the failure logged), so that close still abandons everything and stops the
     * cleanup thread.
     */
    private long closingNow() {
        try {
            return now();
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "clock of retry buffer '" + name + "' threw while closing;"
                    + " using the last time read", t);
            return lastNow;
        }
    }

    private void abandonAllLeases(long now) {
        for (Batch<T> batch : leases.values()) {
            for (Entry<T> e : batch.entries) {
                abandon(e, AbandonReason.CLOSED, now);
            }
            batch.end = new BatchOutcome(batch.id, batch.entries.size(), 0, 0, BatchOutcome.Status.CLOSED);
            endLater(batch);
        }
        leases.clear();
        inFlightItems = 0;
    }

    /** The clock, made non-decreasing so that arrival order stays age order. */
    private long now() {
        long t = clock.getAsLong();
        if (t - lastNow > 0) {
            lastNow = t;
        }
        return lastNow;
    }

    private boolean expired(Entry<T> e, long now) {
        return now - e.arrival > maxAgeNanos;
    }

    /** Whether the oldest buffered item is the head of the ring rather than the first retry; size > 0. */
    private boolean oldestIsFresh() {
        if (freshCount == 0) {
            return false;
        }
        return retryByArrival.isEmpty() || nextSeq - freshCount < retryByArrival.first().seq;
    }

    /** Arrival time of the oldest buffered item; size > 0. */
    private long oldestArrival() {
        return oldestIsFresh() ? freshArrivals[freshHead] : retryByArrival.first().arrival;
    }

    /** Removes the oldest buffered item and abandons it for {@code reason}; size > 0. */
    private void removeOldest(AbandonReason reason, long now) {
        if (oldestIsFresh()) {
            @SuppressWarnings("unchecked")
            T item = (T) freshItems[freshHead];
            long arrival = freshArrivals[freshHead];
            pollFresh();
            size--;
            subtractAge(arrival);
            abandon(item, reason, 0, arrival, null, now);
        } else {
            Entry<T> e = retryByArrival.pollFirst();
            retryByEligible.remove(e);
            size--;
            subtractAge(e.arrival);
            abandon(e, reason, now);
        }
    }

    private void expire(long now) {
        while (size > 0 && now - oldestArrival() > maxAgeNanos) {
            removeOldest(AbandonReason.EXPIRED, now);
        }
    }

    private void enforceCapacity(long now) {
        while (size > maxSize) {
            removeOldest(AbandonReason.EVICTED_CAPACITY, now);
        }
    }

    private void reclaimStale(long now) {
        if (leases.isEmpty()) {
            return; // nothing to reclaim; and no iterator allocated on every poll
        }
        Iterator<Batch<T>> it = leases.values().iterator();
        while (it.hasNext()) {
            Batch<T> batch = it.next();
            if (now - batch.deadline < 0) {
                break;
            }
            it.remove();
            reclaimedBatches++;
            inFlightItems -= batch.entries.size();
            for (Entry<T> e : batch.entries) {
                if (e.attempts >= maxAttempts || expired(e, now)) {
                    abandon(e, AbandonReason.STALE_IN_FLIGHT, now);
                } else {
                    returnForRetry(e, now);
                }
            }
            batch.end = new BatchOutcome(batch.id, batch.entries.size(), 0, 0, BatchOutcome.Status.RECLAIMED);
            endLater(batch);
        }
        enforceCapacity(now);
    }

    /** Takes a batch of buffered items; {@code drain} ignores backoff and takes any buffered item. */
    private Batch<T> takeLocked(int batchSize, long now, boolean drain) {
        if (size == 0) {
            return null;
        }
        if (freshCount == 0) { // only retries: allocate nothing unless one is eligible
            Entry<T> first = retryByEligible.first();
            if (!drain && first.eligibleAt - now > 0) {
                return null;
            }
        }
        // Capped: a large batchSize with many items buffered must not pre-allocate a huge array.
        List<Entry<T>> chosen = new ArrayList<>(Math.min(Math.min(batchSize, size), TAKE_INITIAL_CAPACITY));
        while (chosen.size() < batchSize && !retryByEligible.isEmpty()) {
            Entry<T> e = retryByEligible.first();
            if (!drain && e.eligibleAt - now > 0) {
                break;
            }
            retryByEligible.pollFirst();
            retryByArrival.remove(e);
            chosen.add(e);
        }
        // Every entry is made before the first slot is cleared: an allocation failure while making
        // them leaves all never-attempted items in the ring.
        int fromRing = Math.min(batchSize - chosen.size(), freshCount);
        int mask = freshItems.length - 1;
        long headSeq = nextSeq - freshCount;
        for (int k = 0; k < fromRing; k++) {
            int i = (freshHead + k) & mask;
            @SuppressWarnings("unchecked")
            T item = (T) freshItems[i];
            chosen.add(new Entry<>(item, headSeq + k, freshArrivals[i]));
        }
        for (int k = 0; k < fromRing; k++) {
            pollFresh();
        }
        if (chosen.isEmpty()) {
            return null;
        }
        for (Entry<T> e : chosen) {
            size--;
            subtractAge(e.arrival);
            e.attempts++;
        }
        attempts += chosen.size();
        Batch<T> batch = new Batch<>(this, nextBatchId++, chosen, now + inFlightTimeoutNanos);
        leases.put(batch.id, batch);
        inFlightItems += chosen.size();
        return batch;
    }

    private void returnForRetry(Entry<T> e, long now) {
        long delay;
        try {
            delay = backoff.delayNanos(e.attempts);
        } catch (Throwable t) {
            // Any throwable, even an Error: the item is mid-way between two sets and the rest of
            // the batch is still to be applied, so nothing may escape here.
            delay = 0;
            long failures = ++backoffFailures;
            if (Long.bitCount(failures) == 1) { // the 1st, 2nd, 4th, 8th, ... failure
                LOG.log(System.Logger.Level.WARNING, "backoff policy of retry buffer '" + name + "' threw; retrying"
                        + " without delay (" + failures + " failures so far)", t);
            }
        }
        // Clamp: an item that would wait longer than the maximum age expires first anyway, and
        // keeping every eligible time within maxAge + 1 of now keeps the sums below from
        // overflowing and BY_ELIGIBLE (which compares by difference) a consistent order.
        delay = Math.min(Math.max(0L, delay), maxAgeNanos + 1);
        e.eligibleAt = now + delay;
        retryByArrival.add(e);
        retryByEligible.add(e);
        size++;
        addAge(e.arrival);
    }

    /**
     * Appends a never-attempted item to the ring, doubling it first when full. The growth is the
     * only allocation and comes before any change to the ring, so an {@link OutOfMemoryError} leaves
     * the ring as it was (an eviction {@link #add} made just before stands).
     */
    private void pushFresh(T item, long arrival) {
        if (freshCount == freshItems.length) {
            resizeRing(freshItems.length << 1);
        }
        int i = (freshHead + freshCount) & (freshItems.length - 1);
        freshItems[i] = item;
        freshArrivals[i] = arrival;
        freshCount++;
        nextSeq++;
    }

    /** Removes the head of the ring, clearing its slot so that the item is not kept; halves a large, sparse ring. */
    private void pollFresh() {
        freshItems[freshHead] = null;
        freshHead = (freshHead + 1) & (freshItems.length - 1);
        freshCount--;
        int length = freshItems.length;
        if (length > RING_KEEP && freshCount < length >>> 2) {
            try {
                resizeRing(length >>> 1);
            } catch (OutOfMemoryError keepTheLargerRing) {
                // The item is already removed; the ring keeps its size and shrinks on a later removal.
            }
        }
    }

    private void resizeRing(int length) {
        Object[] items = new Object[length];
        long[] arrivals = new long[length];
        int mask = freshItems.length - 1;
        for (int k = 0; k < freshCount; k++) {
            int from = (freshHead + k) & mask;
            items[k] = freshItems[from];
            arrivals[k] = freshArrivals[from];
        }
        freshItems = items;
        freshArrivals = arrivals;
        freshHead = 0;
    }

    /** Length of the ring of never-attempted items. For tests. */
    int ringLength() {
        lock.lock();
        try {
            return freshItems.length;
        } finally {
            lock.unlock();
        }
    }

    private void abandonAllBuffered(long now) {
        while (size > 0) {
            removeOldest(AbandonReason.CLOSED, now);
        }
    }

    private void abandon(Entry<T> e, AbandonReason reason, long now) {
        abandon(e.item, reason, e.attempts, e.arrival, e.lastFailure, now);
    }

    private void abandon(T item, AbandonReason reason, int attempts, long arrival, Throwable lastFailure, long now) {
        abandoned[reason.ordinal()]++;
        Abandoned<T> a = new Abandoned<>(item, reason, attempts, Duration.ofNanos(Math.max(0L, now - arrival)), lastFailure);
        if (pendingFirst == null) {
            pendingFirst = a;
            return;
        }
        if (pendingAbandoned == null) {
            pendingAbandoned = new ArrayList<>(4);
        }
        pendingAbandoned.add(a);
    }

    private void endLater(Batch<T> batch) {
        if (pendingEnded == null) {
            pendingEnded = new ArrayList<>(2);
        }
        pendingEnded.add(batch);
    }

    private void addAge(long arrival) {
        long x = arrival - baseNanos; // >= 0: arrival comes from the non-decreasing now()
        long r = ageSumLo + x;
        if (Long.compareUnsigned(r, ageSumLo) < 0) {
            ageSumHi++;
        }
        ageSumLo = r;
    }

    private void subtractAge(long arrival) {
        long x = arrival - baseNanos;
        if (Long.compareUnsigned(ageSumLo, x) < 0) {
            ageSumHi--;
        }
        ageSumLo -= x;
    }

    // ------------------------------------------------------------------ internals (lock not held)

    /**
     * Takes the lock for a public method. The clock and the backoff policy run under the lock; a
     * call back into the buffer from them would re-enter it in the middle of a state change, so it
     * is refused.
     */
    private void enterLock() {
        if (lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("retry buffer '" + name + "' called back from its own clock or backoff"
                    + " policy, which run under its lock and must not call the buffer");
        }
        lock.lock();
    }

    /**
     * Releases the lock, then hands what the locked section abandoned to the listener and completes
     * the outcome of the batches it ended. Called in a {@code finally}, so that items abandoned
     * before an exception still reach the listener.
     */
    private void unlockAndNotify() {
        Abandoned<T> first = pendingFirst;
        List<Abandoned<T>> out = pendingAbandoned;
        List<Batch<T>> ended = pendingEnded;
        pendingFirst = null;
        pendingAbandoned = null;
        pendingEnded = null;
        lock.unlock();
        afterUnlock(first, out, ended);
    }

    private void afterUnlock(Abandoned<T> first, List<Abandoned<T>> out, List<Batch<T>> ended) {
        if (first != null) {
            int[] depth = deliveryDepth.get();
            if (depth == null) {
                depth = new int[1];
                deliveryDepth.set(depth);
            }
            depth[0]++;
            try {
                deliver(first); // abandoned first, so first in the listener's order
                if (out != null) {
                    for (Abandoned<T> a : out) {
                        deliver(a);
                    }
                }
            } finally {
                depth[0]--;
            }
        }
        if (ended != null) {
            for (Batch<T> batch : ended) {
                if (batch.end.status() == BatchOutcome.Status.RECLAIMED) {
                    LOG.log(System.Logger.Level.WARNING, () -> "retry buffer '" + name + "' reclaimed stale batch " + batch.id
                            + " of " + batch.entries.size() + " items after " + Duration.ofNanos(inFlightTimeoutNanos));
                }
                batch.future.complete(batch.end);
            }
        }
    }

    private void deliver(Abandoned<T> a) {
        try {
            listener.onAbandoned(a);
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable t) {
            listenerFailures.increment();
            long failures = listenerFailures.sum();
            // Log the 1st, 2nd, 4th, 8th, ... failure so that a listener that always throws cannot flood the log.
            if (Long.bitCount(failures) == 1) {
                LOG.log(System.Logger.Level.WARNING, "dead-letter listener of retry buffer '" + name + "' threw on "
                        + a.reason() + " (" + failures + " failures so far)", t);
            }
        }
        RetryAbandonEvent.emit(name, a);
    }

    private static Throwable unwrap(Throwable t) {
        if ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            return t.getCause();
        }
        return t;
    }

    private static void rethrowIfFatal(Throwable t) {
        if (t instanceof VirtualMachineError) {
            throw (VirtualMachineError) t;
        }
    }

    // ------------------------------------------------------------------ nested types

    /**
     * An item taken at least once: in flight, or waiting for a retry. Never-attempted items have no
     * entry (they live in the ring). Fields other than the finals are guarded by the buffer's lock.
     */
    private static final class Entry<T> {
        final T item;
        final long seq;
        final long arrival;
        int attempts;
        long eligibleAt;
        Throwable lastFailure;

        Entry(T item, long seq, long arrival) {
            this.item = item;
            this.seq = seq;
            this.arrival = arrival;
        }
    }

    /**
     * An in-flight batch: a lease on its items until it is completed, reclaimed as stale, or
     * closed. Only the first of these decides the items' fate; a completion after that is ignored
     * and counted as late.
     *
     * @param <T> the item type
     */
    public static final class Batch<T> {
        private final RetryBuffer<T> owner;
        private final long id;
        private final List<Entry<T>> entries;
        private final List<T> items;
        private final long deadline;
        private final CompletableFuture<BatchOutcome> future = new CompletableFuture<>();
        private BatchOutcome end; // guarded by the owner's lock

        private Batch(RetryBuffer<T> owner, long id, List<Entry<T>> entries, long deadline) {
            this.owner = owner;
            this.id = id;
            this.entries = entries;
            List<T> list = new ArrayList<>(entries.size());
            for (Entry<T> e : entries) {
                list.add(e.item);
            }
            this.items = Collections.unmodifiableList(list);
            this.deadline = deadline;
        }

        /** The lease id, unique within the buffer, increasing in the order batches are taken. */
        public long id() {
            return id;
        }

        /** The items, unmodifiable, eligible retries first, then never-attempted items oldest first. */
        public List<T> items() {
            return items;
        }

        /** The number of items. */
        public int size() {
            return items.size();
        }

        /**
         * Applies {@code result} to the batch's items, unless the batch has already ended
         * (reclaimed, closed, or completed): then the call is ignored and counted as a late completion.
         *
         * @return the applied outcome, or one with status {@link BatchOutcome.Status#LATE}
         */
        public BatchOutcome complete(BatchResult result) {
            return owner.complete(this, result);
        }

        /**
         * A stage that completes once, when the batch ends, with the outcome that decided it. It is
         * completed on the thread that ended the batch (the completing, reclaiming, cleanup or
         * closing thread), after the buffer's lock is released: dependent callbacks run there.
         */
        public CompletionStage<BatchOutcome> outcome() {
            return future.minimalCompletionStage();
        }

        @Override
        public String toString() {
            return "Batch[" + id + ", " + items.size() + " items]";
        }
    }

    // ------------------------------------------------------------------ builder

    /**
     * Builds a {@link RetryBuffer}. Every setter checks its argument at once; {@link #fromEnvironment()}
     * and {@link #fromProperties()} read the {@code LEAKPROOF_RETRY_*} variables and
     * {@code leakproof.retry.*} properties, leaving unset keys at their current value, and a bad
     * value leaves the builder unchanged and names the key and the allowed range.
     *
     * @param <T> the item type
     */
    public static final class Builder<T> {
        private String name = "retry";
        private int maxBufferSize = DEFAULT_MAX_BUFFER_SIZE;
        private Duration maxAge = DEFAULT_MAX_AGE;
        private Duration cleanupInterval = DEFAULT_CLEANUP_INTERVAL;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration inFlightTimeout = DEFAULT_IN_FLIGHT_TIMEOUT;
        private BackoffPolicy backoff = DEFAULT_BACKOFF;
        private DeadLetterListener<? super T> listener = DeadLetterListener.none();
        private LongSupplier clock = System::nanoTime;
        private ScheduledExecutorService scheduler;
        private boolean periodicCleanup = true;

        private Builder() {
        }

        /** The name used in logs, exceptions, the cleanup thread's name and JFR events (default {@code retry}). */
        public Builder<T> name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
            return this;
        }

        /** The most items buffered at once, from 1 to {@link #MAX_BUFFER_SIZE_LIMIT} (default 1000). */
        public Builder<T> maxBufferSize(int maxBufferSize) {
            this.maxBufferSize = Checks.inRange("maxBufferSize", maxBufferSize, 1, MAX_BUFFER_SIZE_LIMIT);
            return this;
        }

        /** Items older than this (since first added) are abandoned as expired; 1 ms to 365 days (default 1 h). */
        public Builder<T> maxAge(Duration maxAge) {
            this.maxAge = Checks.inRange("maxAge", maxAge, MIN_DURATION, MAX_DURATION);
            return this;
        }

        /** How often the periodic cleanup runs; 1 ms to 365 days (default 15 min). */
        public Builder<T> cleanupInterval(Duration interval) {
            this.cleanupInterval = Checks.inRange("cleanupInterval", interval, MIN_DURATION, MAX_DURATION);
            return this;
        }

        /** How many times an item is handed to a processor at most, from 1 to {@link #MAX_ATTEMPTS_LIMIT} (default 3). */
        public Builder<T> maxAttempts(int maxAttempts) {
            this.maxAttempts = Checks.inRange("maxAttempts", maxAttempts, 1, MAX_ATTEMPTS_LIMIT);
            return this;
        }

        /** How long a batch may stay in flight before it is reclaimed; 1 ms to 365 days (default 5 min). */
        public Builder<T> inFlightTimeout(Duration timeout) {
            this.inFlightTimeout = Checks.inRange("inFlightTimeout", timeout, MIN_DURATION, MAX_DURATION);
            return this;
        }

        /** The wait before a failed item is eligible again (default {@link #DEFAULT_BACKOFF}). */
        public Builder<T> backoff(BackoffPolicy backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /** Receives every abandoned item exactly once (default: none). */
        public Builder<T> deadLetterListener(DeadLetterListener<? super T> listener) {
            this.listener = Objects.requireNonNull(listener, "deadLetterListener");
            return this;
        }

        /** The time source in nanoseconds, as {@link System#nanoTime()} (the default); tests inject one. */
        public Builder<T> clock(LongSupplier nanoTime) {
            this.clock = Objects.requireNonNull(nanoTime, "clock");
            return this;
        }

        /**
         * Runs the periodic cleanup on {@code scheduler}, which the caller owns: {@link #close()}
         * cancels the task but does not shut the scheduler down. By default the buffer owns a single
         * daemon thread named {@code leakproof-retry-cleanup-<name>}, which {@code close()} ends.
         */
        public Builder<T> scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** Whether to run {@link #cleanup()} periodically (default {@code true}); without it, nothing runs in the background. */
        public Builder<T> periodicCleanup(boolean enabled) {
            this.periodicCleanup = enabled;
            return this;
        }

        /** Reads the five {@code LEAKPROOF_RETRY_*} variables from the process environment. */
        public Builder<T> fromEnvironment() {
            return fromEnvironment(System.getenv());
        }

        /**
         * Reads {@value #ENV_MAX_BUFFER_SIZE}, {@value #ENV_MAX_AGE}, {@value #ENV_CLEANUP_INTERVAL},
         * {@value #ENV_MAX_ATTEMPTS} and {@value #ENV_IN_FLIGHT_TIMEOUT} from the given variables.
         */
        public Builder<T> fromEnvironment(Map<String, String> environment) {
            return apply(Settings.ofEnvironment(environment), ENV_MAX_BUFFER_SIZE, ENV_MAX_AGE, ENV_CLEANUP_INTERVAL,
                    ENV_MAX_ATTEMPTS, ENV_IN_FLIGHT_TIMEOUT);
        }

        /** Reads the five {@code leakproof.retry.*} system properties. */
        public Builder<T> fromProperties() {
            return fromProperties(System.getProperties());
        }

        /**
         * Reads {@value #PROP_MAX_BUFFER_SIZE}, {@value #PROP_MAX_AGE}, {@value #PROP_CLEANUP_INTERVAL},
         * {@value #PROP_MAX_ATTEMPTS} and {@value #PROP_IN_FLIGHT_TIMEOUT} from the given properties.
         */
        public Builder<T> fromProperties(Properties properties) {
            return apply(Settings.ofProperties(properties), PROP_MAX_BUFFER_SIZE, PROP_MAX_AGE, PROP_CLEANUP_INTERVAL,
                    PROP_MAX_ATTEMPTS, PROP_IN_FLIGHT_TIMEOUT);
        }

        private Builder<T> apply(Settings s, String sizeKey, String ageKey, String intervalKey, String attemptsKey,
                                 String timeoutKey) {
            // Parse everything first so that a bad value leaves the builder unchanged.
            var size = s.intIn(sizeKey, 1, MAX_BUFFER_SIZE_LIMIT);
            var age = s.durationIn(ageKey, MIN_DURATION, MAX_DURATION);
            var interval = s.durationIn(intervalKey, MIN_DURATION, MAX_DURATION);
            var tries = s.intIn(attemptsKey, 1, MAX_ATTEMPTS_LIMIT);
            var timeout = s.durationIn(timeoutKey, MIN_DURATION, MAX_DURATION);
            size.ifPresent(v -> maxBufferSize = v);
            age.ifPresent(v -> maxAge = v);
            interval.ifPresent(v -> cleanupInterval = v);
            tries.ifPresent(v -> maxAttempts = v);
            timeout.ifPresent(v -> inFlightTimeout = v);
            return this;
        }

        /** A new, open, empty buffer; starts the periodic cleanup unless it was turned off. */
        public RetryBuffer<T> build() {
            return new RetryBuffer<>(this);
        }
    }
}

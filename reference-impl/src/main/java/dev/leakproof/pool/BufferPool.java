package dev.leakproof.pool;

import dev.leakproof.internal.Checks;
import dev.leakproof.internal.Settings;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A bounded pool of heap or direct byte buffers, lent out as {@link Lease}s, that finds and
 * reclaims the leases its users leak.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>B1</b> {@code 0 <= usedBytes <= retainedBytes <= maxTotalBytes} at every observation.
 *       {@code retainedBytes} is the capacity of every buffer the pool references (leased out or
 *       cached free), so {@code maxTotalBytes} truly bounds the memory the pool holds;
 *       {@code usedBytes} is the part leased out. Both count buffer capacity, not requested size:
 *       a request is served from a power-of-two size class (64 B up to {@code maxBufferSize}; the
 *       top class is exactly {@code maxBufferSize}), so a 100 B lease holds 128 B.
 *       A free buffer of another class is dropped (evicted) when a request needs room.</li>
 *   <li><b>B2</b> A buffer belongs to at most one live lease: each ending wins one compare-and-set
 *       on the buffer's generation, and only the winner returns the buffer.</li>
 *   <li><b>B3</b> Every lease ends exactly once, by close, GC reclamation or force-release, and
 *       {@code acquires = releases + gcReclaimed + forceReleased + activeLeases} in every
 *       {@link #stats()} snapshot.</li>
 *   <li><b>B4</b> An ended lease throws {@link IllegalStateException} on every access and never
 *       touches memory another lease holds (see {@link Lease}: no raw buffer is ever handed out).</li>
 *   <li><b>B5</b> The visible bytes of a reused buffer are zeroed before it is handed out, unless
 *       built with {@link Builder#scrub(boolean) scrub(false)}: the thread that ends a lease (its
 *       close, the GC reclamation or the force-release) zeroes the lease's bytes before the buffer
 *       returns to the free stack, so no free buffer keeps a previous owner's bytes either.</li>
 *   <li><b>B6</b> A leaked lease is found: tracked leases by the garbage collector
 *       ({@link LeakVerdict#GC_RECLAIMED}, memory returned), every lease by the age scan
 *       ({@link LeakVerdict#LONG_HOLD} once it is older than the lease timeout), in every tracking
 *       mode, when the scan runs: every maintenance interval, or, with
 *       {@link Builder#maintenanceInterval(Duration) maintenanceInterval(0)}, only when
 *       {@link #scanForLongHolds()} is called. {@link #close()} stops the maintenance task: leases
 *       still out are reported then ({@link LeakVerdict#OPEN_AT_CLOSE}) and scanned only on call.</li>
 * </ul>
 *
 * <h2>Counters</h2>
 * {@link #stats()} is one snapshot taken under the pool's lock, so B1 and B3 hold exactly in it.
 * {@code acquires} counts leases handed out; {@code releases} leases ended by {@code close()};
 * {@code gcReclaimed} and {@code forceReleased} the two other endings; {@code activeLeases} those
 * not yet ended; {@code reuses} acquisitions served by a previously leased buffer ({@code reuseRate
 * = reuses / acquires}); {@code allocations} and {@code evictions} buffers created and dropped;
 * {@code longHolds} and {@code returnedLate} the age scan's verdicts; {@code redundantCloses}
 * closes of an ended lease; {@code waits} acquisitions that queued; {@code timeouts} acquisitions
 * refused for lack of memory. Each is described in {@link PoolStats}.
 *
 * <h2>Exhaustion</h2>
 * When a request does not fit under {@code maxTotalBytes} (after evicting free buffers of other
 * classes and draining the GC reclamation queue): {@link #acquire(int)} waits up to the acquire
 * timeout and then throws {@link PoolExhaustedException}; {@link #tryAcquire(int)} returns empty at
 * once; {@link #acquireAsync(int, Duration)} returns a future completed when memory frees, or
 * exceptionally with {@link PoolExhaustedException} at its timeout. Waiters are served in FIFO
 * order, and a new acquisition does not overtake a waiter. Any completion of the returned future
 * not made by the pool (cancel, {@code orTimeout}, {@code complete}, ...) gives up its place in
 * line, and a lease whose hand-off loses that race is closed again at once (counted as a release):
 * the returned future never strands a buffer. That covers the returned future only: cancelling a
 * dependent stage does not reach the pool, and a lease delivered to a future nobody reads is leaked
 * until the age scan (or the GC, if tracked) finds it. An error while serving waiters (a failed
 * allocation, a listener's {@link Error}) completes the waiters already served, leaves the rest in
 * line, and is rethrown to the serving thread.
 *
 * <h2>Leak detection</h2>
 * {@link TrackingLevel}: {@code OFF}, {@code SAMPLED} (default, one lease in {@code sampleRate}
 * tracked, with its acquisition stack) or {@code ALL}. A tracked lease that becomes unreachable
 * without {@code close()} is reported as {@link LeakVerdict#GC_RECLAIMED} with its stack, thread
 * and age, and its memory returns to the pool: the cleanup state references the memory, never the
 * lease. The age scan ({@link #scanForLongHolds()}, run by the maintenance task) reports every
 * lease older than the lease timeout as {@link LeakVerdict#LONG_HOLD}, once, tracked or not; a
 * long hold later closed is reported as {@link LeakVerdict#RETURNED_LATE}. With
 * {@link Builder#forceRelease(boolean) forceRelease(true)} (off by default) a long hold is also
 * revoked ({@link LeakVerdict#FORCE_RELEASED}): its lease fails fast from then on, and its memory
 * returns to the pool once any access in progress has finished. Reports go to the
 * {@link LeakListener}s, to {@link System.Logger} and to the JFR event {@code dev.leakproof.PoolLeak}.
 *
 * <h2>Threads and close</h2>
 * With a positive {@link Builder#maintenanceInterval(Duration) maintenance interval} (default 1 s)
 * the pool drains its GC reference queue and runs the age scan on a scheduler: an owned daemon
 * thread {@code leakproof-pool-<name>}, unless one is injected. Async timeouts use the same
 * scheduler (the owned one is started on first need). {@link #close()} refuses later acquisitions,
 * fails every waiter with {@link PoolClosedException}, drops the free buffers, stops the owned
 * thread, and reports every lease still out ({@link LeakVerdict#OPEN_AT_CLOSE}, logged and sent
 * to the listeners; {@link #shutdown()} returns them). Leases still out stay valid; closing them
 * later drops their buffer.
 *
 * <h2>Time</h2>
 * Lease ages come from the injected clock. Without a maintenance task every acquisition reads it.
 * With one, an acquisition is stamped with a coarse time that each age scan refreshes (no clock
 * read on the fast path): a reported age may then be up to one scan interval too high, but a lease
 * is never reported as a long hold before it is truly older than the lease timeout; it is reported
 * at most about one scan interval late.
 *
 * <h2>Cost</h2>
 * An acquisition takes one uncontended lock for O(1) work on an intrusive per-class free stack; a
 * release is one compare-and-set on the buffer's generation, the zeroing of the ended lease's
 * visible bytes when scrubbing (B5 is kept at the ending, where the memory needs no pin), and one
 * uncontended lock. Exceptions: an acquisition may evict free buffers and allocate one; a release
 * serves the waiters the freed memory now fits (evicting, allocating, and completing their futures
 * on the releasing thread); an ending waits for accesses in progress; giving up an async waiter is
 * linear in the waiters. An untracked acquisition allocates only the 24-byte {@link Lease}. Stacks
 * are captured only for tracked leases; the sampling decision is one {@link ThreadLocalRandom} call.
 */
public final class BufferPool implements AutoCloseable {

    /** Environment variable for {@link Builder#maxTotalBytes(long)}. */
    public static final String ENV_MAX_TOTAL_BYTES = "LEAKPROOF_POOL_MAX_TOTAL_BYTES";
    /** Environment variable for {@link Builder#maxBufferSize(int)}. */
    public static final String ENV_MAX_BUFFER_SIZE = "LEAKPROOF_POOL_MAX_BUFFER_SIZE";
    /** Environment variable for {@link Builder#tracking(TrackingLevel)}. */
    public static final String ENV_TRACKING = "LEAKPROOF_POOL_TRACKING";
    /** Environment variable for {@link Builder#sampleRate(int)}. */
    public static final String ENV_SAMPLE_RATE = "LEAKPROOF_POOL_SAMPLE_RATE";
    /** Environment variable for {@link Builder#leaseTimeout(Duration)}. */
    public static final String ENV_LEASE_TIMEOUT = "LEAKPROOF_POOL_LEASE_TIMEOUT";
    /** Environment variable for {@link Builder#forceRelease(boolean)}. */
    public static final String ENV_FORCE_RELEASE = "LEAKPROOF_POOL_FORCE_RELEASE";
    /** Environment variable for {@link Builder#scrub(boolean)}. */
    public static final String ENV_SCRUB = "LEAKPROOF_POOL_SCRUB";
    /** Environment variable for {@link Builder#direct(boolean)}. */
    public static final String ENV_DIRECT = "LEAKPROOF_POOL_DIRECT";
    /** Environment variable for {@link Builder#acquireTimeout(Duration)}. */
    public static final String ENV_ACQUIRE_TIMEOUT = "LEAKPROOF_POOL_ACQUIRE_TIMEOUT";
    /** Environment variable for {@link Builder#maintenanceInterval(Duration)}. */
    public static final String ENV_MAINTENANCE_INTERVAL = "LEAKPROOF_POOL_MAINTENANCE_INTERVAL";

    /** System property for {@link Builder#maxTotalBytes(long)}. */
    public static final String PROP_MAX_TOTAL_BYTES = "leakproof.pool.maxTotalBytes";
    /** System property for {@link Builder#maxBufferSize(int)}. */
    public static final String PROP_MAX_BUFFER_SIZE = "leakproof.pool.maxBufferSize";
    /** System property for {@link Builder#tracking(TrackingLevel)}. */
    public static final String PROP_TRACKING = "leakproof.pool.tracking";
    /** System property for {@link Builder#sampleRate(int)}. */
    public static final String PROP_SAMPLE_RATE = "leakproof.pool.sampleRate";
    /** System property for {@link Builder#leaseTimeout(Duration)}. */
    public static final String PROP_LEASE_TIMEOUT = "leakproof.pool.leaseTimeout";
    /** System property for {@link Builder#forceRelease(boolean)}. */
    public static final String PROP_FORCE_RELEASE = "leakproof.pool.forceRelease";
    /** System property for {@link Builder#scrub(boolean)}. */
    public static final String PROP_SCRUB = "leakproof.pool.scrub";
    /** System property for {@link Builder#direct(boolean)}. */
    public static final String PROP_DIRECT = "leakproof.pool.direct";
    /** System property for {@link Builder#acquireTimeout(Duration)}. */
    public static final String PROP_ACQUIRE_TIMEOUT = "leakproof.pool.acquireTimeout";
    /** System property for {@link Builder#maintenanceInterval(Duration)}. */
    public static final String PROP_MAINTENANCE_INTERVAL = "leakproof.pool.maintenanceInterval";

    /** The seed's pool limit: 100 MiB. */
    public static final long DEFAULT_MAX_TOTAL_BYTES = 100L * 1024 * 1024;
    /** The seed's largest buffer: 10 MiB. */
    public static final int DEFAULT_MAX_BUFFER_SIZE = 10 * 1024 * 1024;
    /** The largest buffer any pool may lend: 1 GiB. */
    public static final int MAX_BUFFER_SIZE_LIMIT = 1 << 30;
    /** The smallest size class. */
    public static final int MIN_CLASS_SIZE = 64;
    /** Default sampling: one lease in 128 is tracked. */
    public static final int DEFAULT_SAMPLE_RATE = 128;
    /** The seed's leak timeout: 300 s. */
    public static final Duration DEFAULT_LEASE_TIMEOUT = Duration.ofSeconds(300);
    /** The seed's acquire timeout: 30 s. */
    public static final Duration DEFAULT_ACQUIRE_TIMEOUT = Duration.ofSeconds(30);
    /** How often the GC reference queue is drained and the age scan runs, by default. */
    public static final Duration DEFAULT_MAINTENANCE_INTERVAL = Duration.ofSeconds(1);

    private static final System.Logger LOG = System.getLogger(BufferPool.class.getName());
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();
    private static final int MIN_CLASS_SHIFT = 6;
    private static final byte[] ZEROS = new byte[4096];

    private final String name;
    private final long maxTotalBytes;
    private final int maxBufferSize;
    private final boolean direct;
    private final boolean scrub;
    private final TrackingLevel tracking;
    private final int sampleRate;
    private final long leaseTimeoutNanos;
    private final boolean forceRelease;
    private final long acquireTimeoutNanos;
    private final LongSupplier clock;
    private final List<LeakListener> listeners;
    private final int[] classCapacity;
    private final ReferenceQueue<Lease> refQueue = new ReferenceQueue<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final LongAdder redundantCloses = new LongAdder();
    private final LongAdder listenerFailures = new LongAdder();

    // Guarded by lock.
    private final Slot[] freeHead;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private Slot[] slots = new Slot[16];
    private int slotCount;
    private long retainedBytes;
    private long usedBytes;
    private long freeBytes;
    private int freeBuffers;
    private long activeLeases;
    private long acquires;
    private long releases;
    private long reuses;
    private long allocations;
    private long evictions;
    private long longHolds;
    private long returnedLate;
    private long gcReclaimed;
    private long forceReleased;
    private long waits;
    private long timeouts;
    private volatile boolean closed;

    // Acquisition timestamps. With a maintenance task, acquisitions read this coarse time instead of
    // the clock (a clock read is 25-50 ns on some VMs, a quarter of an acquire/release); every age
    // scan refreshes it. Both happen under the lock, so a lease stamped before a refresh was
    // acquired before that refresh's time: the scan records that time as the lease's latest
    // possible acquisition and judges long holds from it, never early.
    private final boolean coarseTime;
    private long coarseNanos;

    // Scheduler: guarded by this (not the pool lock).
    private ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private ScheduledFuture<?> maintenance;
    private ObjectName mbeanName;

    /** A thread or an async caller waiting for memory. */
    private static final class Waiter {
        final int size;
        final int sizeClass;
        final Throwable site;
        /** The waiting thread's name: a waiter never keeps a thread reachable. */
        final String threadName;
        final Condition condition;
        final CompletableFuture<Lease> future;
        Lease result;
        Waiter nextServed;
        ScheduledFuture<?> timer;
        /** Whether the waiter is in {@link #waiters}; guarded by the pool's lock. */
        boolean queued;

        Waiter(int size, int sizeClass, Throwable site, Thread thread, Condition condition, CompletableFuture<Lease> future) {
            this.size = size;
            this.sizeClass = sizeClass;
            this.site = site;
            this.threadName = thread.getName();
            this.condition = condition;
            this.future = future;
        }
    }

    /**
     * The timeout task of an async waiter. It reaches the waiter only until the future completes:
     * a scheduler that keeps cancelled tasks (an injected {@link ScheduledThreadPoolExecutor} does by
     * default) then keeps this empty holder, never the waiter, its future, lease, stack or thread.
     */
    private final class Timeout implements Runnable {
        private volatile Waiter waiter;

        Timeout(Waiter waiter) {
            this.waiter = waiter;
        }

        void clear() {
            waiter = null;
        }

        @Override
        public void run() {
            Waiter w = waiter;
            if (w != null) {
                timeOut(w);
            }
        }
    }

    // Async waiters served under the lock, completed after unlocking; guarded by the lock. A field,
    // not a local, so that a failure while serving cannot lose a waiter already handed a lease.
    private Waiter servedHead;
    private Waiter servedTail;

    /** Buffer allocation; replaced by tests to simulate an allocation failure. */
    private final java.util.function.IntFunction<ByteBuffer> allocator;
    /** Runs where a lease's objects are allocated; replaced by tests to simulate a failure there. */
    private final Runnable beforeLeaseHook;

    private BufferPool(Builder b) {
        this.name = b.name;
        this.maxTotalBytes = b.maxTotalBytes;
        this.maxBufferSize = b.maxBufferSize;
        this.direct = b.direct;
        this.scrub = b.scrub;
        this.tracking = b.tracking;
        this.sampleRate = b.sampleRate;
        this.leaseTimeoutNanos = Checks.toNanos(b.leaseTimeout);
        this.forceRelease = b.forceRelease;
        this.acquireTimeoutNanos = Checks.toNanos(b.acquireTimeout);
        this.clock = b.clock;
        this.listeners = List.copyOf(b.listeners);
        this.allocator = b.allocator != null ? b.allocator
                : b.direct ? ByteBuffer::allocateDirect : ByteBuffer::allocate;
        this.beforeLeaseHook = b.beforeLeaseHook;
        int classes = classOf(maxBufferSize, maxBufferSize) + 1;
        this.classCapacity = new int[classes];
        for (int c = 0; c < classes; c++) {
            long cap = 1L << (c + MIN_CLASS_SHIFT);
            classCapacity[c] = (int) Math.min(cap, maxBufferSize);
        }
        this.freeHead = new Slot[classes];
        this.scheduler = b.scheduler;
        this.ownsScheduler = b.scheduler == null;
        this.coarseTime = !b.maintenanceInterval.isZero();
        this.coarseNanos = b.clock.getAsLong();
        if (coarseTime) {
            long nanos = Checks.toNanos(b.maintenanceInterval);
            this.maintenance = scheduler().scheduleWithFixedDelay(this::maintain, nanos, nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** A builder with the seed's defaults (100 MiB total, 10 MiB per buffer, sampled tracking). */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ size classes

    /** The class of {@code size}: ceil(log2(size)) - 6, at least 0, at most the class of {@code maxBufferSize}. */
    private static int classOf(int size, int maxBufferSize) {
        return Math.min(ceilClass(size), ceilClass(maxBufferSize));
    }

    private static int ceilClass(int size) {
        int bits = 32 - Integer.numberOfLeadingZeros(size - 1);
        return Math.max(bits, MIN_CLASS_SHIFT) - MIN_CLASS_SHIFT;
    }

    private int checkedClass(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be >= 1 but was " + size);
        }
        if (size > maxBufferSize) {
            throw new IllegalArgumentException("size must be <= maxBufferSize=" + maxBufferSize + " but was " + size);
        }
        return classOf(size, maxBufferSize);
    }

    /** The capacity of the buffer that serves a request of {@code size} bytes. */
    public int bufferCapacityFor(int size) {
        return classCapacity[checkedClass(size)];
    }

    // ------------------------------------------------------------------ acquisition

    /**
     * Leases {@code size} bytes, waiting up to the configured acquire timeout for memory.
     *
     * @throws IllegalArgumentException when {@code size < 1} or {@code size > maxBufferSize}
     * @throws PoolExhaustedException   when no memory became free in time, or the thread was interrupted
     * @throws PoolClosedException      when the pool is closed, or closes while waiting
     */
    public Lease acquire(int size) {
        return acquire(size, acquireTimeoutNanos);
    }

    /**
     * Leases {@code size} bytes, waiting up to {@code timeout} for memory (zero: not at all).
     *
     * @throws IllegalArgumentException when the size is out of range or the timeout negative
     * @throws PoolExhaustedException   when no memory became free in time, or the thread was interrupted
     * @throws PoolClosedException      when the pool is closed, or closes while waiting
     */
    public Lease acquire(int size, Duration timeout) {
        return acquire(size, Checks.toNanos(Checks.nonNegative("timeout", timeout)));
    }

    private Lease acquire(int size, long timeoutNanos) {
        int cls = checkedClass(size);
        Throwable site = site();
        Lease lease = tryLease(cls, size, site);
        if (lease == null) {
            lease = acquireSlow(cls, size, site, timeoutNanos);
        }
        return lease;
    }

    /**
     * Leases {@code size} bytes if that is possible at once.
     *
     * @return the lease, or empty when the pool is at its limit or others are waiting
     * @throws PoolClosedException when the pool is closed
     */
    public Optional<Lease> tryAcquire(int size) {
        int cls = checkedClass(size);
        Throwable site = site();
        Lease lease = tryLease(cls, size, site);
        if (lease == null && drainReferenceQueue() > 0) {
            lease = tryLease(cls, size, site);
        }
        if (lease == null) {
            countTimeout();
        }
        return Optional.ofNullable(lease);
    }

    /**
     * Leases {@code size} bytes asynchronously: the future completes with the lease when memory is
     * free (at once if it is now), or exceptionally with {@link PoolExhaustedException} after
     * {@code timeout}, or with {@link PoolClosedException} when the pool closes first. Completing
     * the future yourself (cancel, {@code orTimeout}, {@code complete}, ...) gives up the place in
     * line; a lease whose hand-off loses that race is closed again at once, never stranded. This
     * holds for the returned future only: cancelling a dependent stage does not reach the pool, and
     * a lease delivered to a future that is then abandoned stays out until the age scan (or the GC,
     * if tracked) finds it. A future completed later is completed on the
     * thread that freed the memory (or the scheduler's, for a timeout): use the {@code *Async}
     * methods of {@link CompletableFuture} for work that should not run there.
     *
     * @throws IllegalArgumentException when the size is out of range or the timeout negative
     * @throws PoolClosedException      when the pool is closed
     */
    public CompletableFuture<Lease> acquireAsync(int size, Duration timeout) {
        int cls = checkedClass(size);
        long nanos = Checks.toNanos(Checks.nonNegative("timeout", timeout));
        Throwable site = site();
        Lease lease = tryLease(cls, size, site);
        if (lease == null && drainReferenceQueue() > 0) {
            lease = tryLease(cls, size, site);
        }
        if (lease != null) {
            return CompletableFuture.completedFuture(lease);
        }
        CompletableFuture<Lease> future = new CompletableFuture<>();
        if (nanos == 0) {
            countTimeout();
            future.completeExceptionally(exhausted(size, nanos));
            return future;
        }
        Waiter w = new Waiter(size, cls, site, Thread.currentThread(), null, future);
        Timeout timer = new Timeout(w);
        // Any completion the pool did not make (cancel, orTimeout, complete, completeExceptionally)
        // gives up the place in line; a completion by the pool finds the waiter already out of line.
        future.whenComplete((l, e) -> {
            timer.clear();
            giveUp(w, false);
        });
        Waiter served = null;
        boolean rejected = false;
        lock.lock();
        try {
            ensureOpenLocked();
            waiters.addLast(w);
            w.queued = true;
            waits++;
            serveWaitersLocked();
            if (w.result == null && w.queued) {
                try {
                    w.timer = scheduler().schedule(timer, nanos, TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    // An injected scheduler that was shut down: fail now rather than wait forever.
                    waiters.remove(w);
                    w.queued = false;
                    rejected = true;
                }
            }
        } finally {
            served = takeServedLocked();
            lock.unlock();
            completeServed(served);
        }
        if (rejected) {
            PoolClosedException e = new PoolClosedException("pool '" + name + "': the scheduler for async timeouts refused the task");
            future.completeExceptionally(e);
            throw e;
        }
        return future;
    }

    private void timeOut(Waiter w) {
        if (giveUp(w, true)) {
            w.future.completeExceptionally(exhausted(w.size, -1));
        }
    }

    /** Removes a waiter still in line; true when it was. */
    private boolean giveUp(Waiter w, boolean timedOut) {
        Waiter served = null;
        boolean removed;
        lock.lock();
        try {
            removed = w.queued;
            if (removed) {
                waiters.remove(w);
                w.queued = false;
                if (timedOut) {
                    timeouts++;
                }
            }
            if (w.timer != null && !timedOut) {
                cancelTimer(w.timer);
            }
            if (removed) {
                serveWaitersLocked();
            }
        } finally {
            served = takeServedLocked();
            lock.unlock();
            completeServed(served);
        }
        return removed;
    }

    /**
     * Cancels an async timeout. On a {@link ScheduledThreadPoolExecutor} the task is also removed from
     * the queue (O(log n)): an injected one keeps cancelled tasks until their delay by default, which
     * with long timeouts at a high rate is unbounded growth.
     */
    private void cancelTimer(ScheduledFuture<?> timer) {
        timer.cancel(false);
        ScheduledExecutorService s = scheduler;
        if (s instanceof ScheduledThreadPoolExecutor && timer instanceof Runnable) {
            ((ScheduledThreadPoolExecutor) s).remove((Runnable) timer);
        }
    }

    private void countTimeout() {
        lock.lock();
        try {
            timeouts++;
        } finally {
            lock.unlock();
        }
    }

    private Throwable site() {
        switch (tracking) {
            case ALL:
                return new Throwable("lease acquired here");
            case SAMPLED:
                return ThreadLocalRandom.current().nextInt(sampleRate) == 0 ? new Throwable("lease acquired here") : null;
            default:
                return null;
        }
    }

    /** A lease if one can be served now without overtaking a waiter, else null. */
    private Lease tryLease(int cls, int size, Throwable site) {
        lock.lock();
        try {
            ensureOpenLocked();
            if (!waiters.isEmpty()) {
                return null;
            }
            Slot s = reserveLocked(cls);
            return s == null ? null : leaseLocked(s, size, site, Thread.currentThread().getName());
        } finally {
            lock.unlock();
        }
    }

    private Lease acquireSlow(int cls, int size, Throwable site, long nanos) {
        drainReferenceQueue();
        Waiter served;
        RuntimeException failure = null;
        Lease result;
        Lease handedBack = null;
        lock.lock();
        try {
            ensureOpenLocked();
            if (waiters.isEmpty()) {
                Slot s = reserveLocked(cls);
                if (s != null) {
                    return leaseLocked(s, size, site, Thread.currentThread().getName());
                }
            }
            if (nanos <= 0) {
                timeouts++;
                throw exhausted(size, nanos);
            }
            Waiter w = new Waiter(size, cls, site, Thread.currentThread(), lock.newCondition(), null);
            waiters.addLast(w);
            w.queued = true;
            waits++;
            try {
                // The line may have been waiting on a head that has just left: serve it, this waiter too.
                serveWaitersLocked();
                while (w.result == null) {
                    if (closed) {
                        dequeueLocked(w);
                        throw new PoolClosedException("pool '" + name + "' closed while waiting for " + size + " bytes");
                    }
                    if (nanos <= 0) {
                        dequeueLocked(w);
                        timeouts++;
                        serveWaitersLocked();
                        failure = exhausted(size, -1);
                        break;
                    }
                    nanos = w.condition.awaitNanos(nanos);
                }
            } catch (InterruptedException e) {
                if (w.result == null) {
                    dequeueLocked(w);
                    serveWaitersLocked();
                }
                Thread.currentThread().interrupt();
                failure = new PoolExhaustedException("interrupted while waiting for " + size + " bytes from pool '" + name + "'", e);
            } catch (Throwable e) {
                // Serving failed (an allocation error for a waiter behind this one): leave the line,
                // give back a lease already handed to this waiter, and let the error through.
                dequeueLocked(w);
                handedBack = w.result;
                w.result = null;
                throw e;
            }
            result = w.result;
        } finally {
            served = takeServedLocked();
            lock.unlock();
            try {
                completeServed(served);
            } finally {
                if (handedBack != null) {
                    handedBack.close();
                }
            }
        }
        if (failure != null) {
            if (result != null) {
                // Handed over just as the thread was interrupted: give it back.
                result.close();
            }
            throw failure;
        }
        return result;
    }

    private PoolExhaustedException exhausted(int size, long nanos) {
        return new PoolExhaustedException("pool '" + name + "' has no room for " + size + " bytes"
                + (nanos == 0 ? "" : " within the timeout") + " (maxTotalBytes=" + maxTotalBytes + ")");
    }

    private void ensureOpenLocked() {
        if (closed) {
            throw new PoolClosedException("pool '" + name + "' is closed");
        }
    }

    /** A free buffer of class {@code cls}, or a new one if it fits under the limit, else null. */
    private Slot reserveLocked(int cls) {
        Slot s = freeHead[cls];
        if (s != null) {
            freeHead[cls] = s.nextFree;
            s.nextFree = null;
            freeBuffers--;
            freeBytes -= s.capacity;
            return s;
        }
        int cap = classCapacity[cls];
        if (retainedBytes + cap > maxTotalBytes) {
            if (retainedBytes - freeBytes + cap > maxTotalBytes) {
                return null;
            }
            evictLocked(retainedBytes + cap - maxTotalBytes);
        }
        ByteBuffer buffer = allocator.apply(cap);
        s = new Slot(this, buffer, cls);
        registerLocked(s);
        retainedBytes += cap;
        allocations++;
        return s;
    }

    /** Drops free buffers, largest classes first, until {@code need} bytes are freed. */
    private void evictLocked(long need) {
        long freed = 0;
        for (int c = freeHead.length - 1; c >= 0 && freed < need; c--) {
            while (freeHead[c] != null && freed < need) {
                Slot s = freeHead[c];
                freeHead[c] = s.nextFree;
                s.nextFree = null;
                freeBuffers--;
                freeBytes -= s.capacity;
                freed += s.capacity;
                evictions++;
                unregisterLocked(s);
            }
        }
    }

    private void registerLocked(Slot s) {
        if (slotCount == slots.length) {
            slots = Arrays.copyOf(slots, slotCount * 2);
        }
        s.index = slotCount;
        slots[slotCount++] = s;
    }

    private void unregisterLocked(Slot s) {
        int i = s.index;
        Slot last = slots[--slotCount];
        slots[i] = last;
        last.index = i;
        slots[slotCount] = null;
        s.index = -1;
        retainedBytes -= s.capacity;
    }

    /**
     * Hands out {@code s} as a new lease. Everything that allocates or runs user code (the clock)
     * comes first: if it fails, no
     * counter has moved and the slot goes back to the free list (B1, B3).
     */
    private Lease leaseLocked(Slot s, int size, Throwable site, String ownerName) {
        long previous = s.stamp;
        long gen = previous + 1;
        Lease lease;
        LeakTracker tracker = null;
        long acquiredAt;
        try {
            acquiredAt = coarseTime ? coarseNanos : clock.getAsLong(); // user code: before any change
            beforeLeaseHook.run();
            lease = new Lease(s, gen);
            if (site != null) {
                tracker = new LeakTracker(lease, refQueue, this, s, gen, site);
            }
        } catch (Throwable e) {
            freeLocked(s);
            throw e;
        }
        acquires++;
        if (previous != 0) {
            reuses++;
        }
        activeLeases++;
        usedBytes += s.capacity;
        s.leaseId = acquires;
        s.size = size;
        s.acquiredNanos = acquiredAt;
        s.acquiredByNanos = coarseTime ? Slot.UNKNOWN : acquiredAt;
        s.ownerName = ownerName;
        s.longHoldGen = 0;
        s.tracker = tracker;
        // Publishes the lease's state: an accessor that reads this generation sees the fields above.
        // A release store is enough: no accessor of this generation exists yet, and a stale one
        // fails on either value; the endings that race with accessors use a CAS.
        Slot.STAMP.setRelease(s, gen);
        return lease;
    }

    /** Puts a slot that is not leased back on its free stack, or drops it once the pool is closed. */
    private void freeLocked(Slot s) {
        if (closed) {
            unregisterLocked(s);
        } else {
            s.nextFree = freeHead[s.sizeClass];
            freeHead[s.sizeClass] = s;
            freeBuffers++;
            freeBytes += s.capacity;
        }
    }

    private void dequeueLocked(Waiter w) {
        if (w.queued) {
            waiters.remove(w);
            w.queued = false;
        }
    }

    static void fill(ByteBuffer buffer, int length, byte value) {
        if (buffer.hasArray()) {
            int base = buffer.arrayOffset();
            Arrays.fill(buffer.array(), base, base + length, value);
        } else if (value == 0) {
            for (int i = 0; i < length; i += ZEROS.length) {
                buffer.put(i, ZEROS, 0, Math.min(ZEROS.length, length - i));
            }
        } else {
            for (int i = 0; i < length; i++) {
                buffer.put(i, value);
            }
        }
    }

    /**
     * Serves waiters in FIFO order while memory allows. Blocked waiters are signalled; async ones are
     * queued on the served chain, which the caller takes ({@link #takeServedLocked()}) before
     * unlocking and completes after, in a {@code finally}: an error here (an allocation failure)
     * stops serving, leaves the waiter that needed the memory in line, and loses no waiter served
     * before it.
     */
    private void serveWaitersLocked() {
        while (!closed && !waiters.isEmpty()) {
            Waiter w = waiters.peekFirst();
            if (w.future != null && w.future.isDone()) {
                waiters.pollFirst();
                w.queued = false;
                continue;
            }
            Slot s = reserveLocked(w.sizeClass);
            if (s == null) {
                break;
            }
            Lease lease = leaseLocked(s, w.size, w.site, w.threadName);
            waiters.pollFirst();
            w.queued = false;
            w.result = lease;
            if (w.future == null) {
                w.condition.signal();
            } else if (servedHead == null) {
                servedHead = servedTail = w;
            } else {
                servedTail.nextServed = w;
                servedTail = w;
            }
        }
    }

    private Waiter takeServedLocked() {
        Waiter head = servedHead;
        servedHead = servedTail = null;
        return head;
    }

    /** Completes the served async waiters; every one of them, even if completing one throws. */
    private void completeServed(Waiter w) {
        Throwable failure = null;
        while (w != null) {
            Waiter next = w.nextServed;
            w.nextServed = null;
            Lease lease = w.result;
            w.result = null;
            boolean handed = false;
            try {
                if (w.timer != null) {
                    cancelTimer(w.timer);
                }
                handed = w.future.complete(lease);
            } catch (Throwable e) {
                failure = addFailure(failure, e);
                w.future.completeExceptionally(e);
            }
            if (!handed) {
                // Cancelled or completed by its owner while the hand-off was under way: the memory goes back.
                try {
                    lease.close();
                } catch (Throwable e) {
                    failure = addFailure(failure, e);
                }
            }
            w = next;
        }
        if (failure != null) {
            throw sneaky(failure);
        }
    }

    private static Throwable addFailure(Throwable first, Throwable next) {
        if (first == null) {
            return next;
        }
        if (first != next) {
            first.addSuppressed(next);
        }
        return first;
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }

    // ------------------------------------------------------------------ endings

    /** Called by {@link Lease#close()}. */
    void close(Lease lease) {
        if (!endLease(lease.slot(), lease.generation(), null)) {
            redundantCloses.increment();
        }
    }

    /**
     * Revokes {@code lease} as the force-release policy does, whatever its age. Package-private
     * step for stress tests ("close vs force-release", "force-release vs reuse").
     *
     * @return whether this call ended the lease
     */
    boolean forceRelease(Lease lease) {
        return endLease(lease.slot(), lease.generation(), LeakVerdict.FORCE_RELEASED);
    }

    /** The GC tracker of {@code lease}, or null when it is untracked or ended. For stress tests. */
    LeakTracker trackerOf(Lease lease) {
        lock.lock();
        try {
            LeakTracker t = lease.slot().tracker;
            return t != null && t.gen == lease.generation() ? t : null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends generation {@code gen} of {@code s} and returns the buffer, if no other ending won first.
     *
     * @param how {@code null} for the owner's close, else {@code GC_RECLAIMED} or {@code FORCE_RELEASED}
     * @return whether this call ended the lease
     */
    boolean endLease(Slot s, long gen, LeakVerdict how) {
        return endLease(s, gen, how, null);
    }

    /** As {@link #endLease(Slot, long, LeakVerdict)}; with {@code deferred}, the report goes there instead of to the listeners. */
    private boolean endLease(Slot s, long gen, LeakVerdict how, List<LeakReport> deferred) {
        if (!s.end(gen)) {
            return false;
        }
        // No access of the ended lease may still be writing when the buffer goes to someone else.
        s.awaitUnpinned();
        if (scrub && !closed) {
            // B5, done here rather than at hand-out: the ended generation's bytes are now this thread's
            // alone (stamp ended, no pin left, not yet on a free stack), so the zeroing needs no pin,
            // and the free buffer keeps no previous owner's bytes. A lease only ever writes its visible
            // bytes, so the rest of the buffer is still zero from its allocation.
            fill(s.buffer, s.size, (byte) 0);
        }
        // What the report needs is copied out under the lock (no allocation, no user code); the clock
        // is read and the report built after the buffer is back, so a failure there strands nothing.
        LeakVerdict verdict = null;
        long leaseId = 0;
        int size = 0;
        long acquiredAt = 0;
        String owner = null;
        LeakTracker t = null;
        Waiter served = null;
        try {
            lock.lock();
            try {
                activeLeases--;
                usedBytes -= s.capacity;
                if (how == null) {
                    releases++;
                    if (s.longHoldGen == gen) {
                        returnedLate++;
                        verdict = LeakVerdict.RETURNED_LATE;
                    }
                } else if (how == LeakVerdict.GC_RECLAIMED) {
                    gcReclaimed++;
                    verdict = how;
                } else {
                    forceReleased++;
                    verdict = how;
                }
                t = s.tracker;
                if (verdict != null) {
                    leaseId = s.leaseId;
                    size = s.size;
                    acquiredAt = s.acquiredNanos;
                    owner = s.ownerName;
                }
                if (t != null) {
                    s.tracker = null;
                    t.clear();
                }
                s.ownerName = null;
                s.longHoldGen = 0;
                freeLocked(s);
                serveWaitersLocked();
            } finally {
                served = takeServedLocked();
                lock.unlock();
            }
        } finally {
            try {
                if (verdict != null) {
                    long age = Math.max(0, clock.getAsLong() - acquiredAt);
                    LeakReport report = new LeakReport(name, verdict, leaseId, size, age, owner == null ? "?" : owner,
                            t == null ? null : t.site, t == null ? List.of() : t.touches());
                    if (deferred != null) {
                        deferred.add(report);
                    } else {
                        publish(report);
                    }
                }
            } finally {
                completeServed(served);
            }
        }
        return true;
    }

    private LeakReport reportLocked(Slot s, LeakVerdict verdict, long now) {
        LeakTracker t = s.tracker;
        String owner = s.ownerName;
        return new LeakReport(name, verdict, s.leaseId, s.size, Math.max(0, now - s.acquiredNanos),
                owner == null ? "?" : owner,
                t == null ? null : t.site, t == null ? List.of() : t.touches());
    }

    void touch(LeakTracker tracker, String hint) {
        tracker.touch(new TouchRecord(hint, Thread.currentThread().getName(), clock.getAsLong()));
    }

    private void publish(LeakReport report) {
        for (LeakListener l : listeners) {
            try {
                l.onLeak(report);
            } catch (RuntimeException e) {
                listenerFailures.increment();
                LOG.log(System.Logger.Level.WARNING, "leak listener " + l + " of pool '" + name + "' threw", e);
            }
        }
        System.Logger.Level level = report.verdict() == LeakVerdict.RETURNED_LATE ? System.Logger.Level.INFO
                : System.Logger.Level.WARNING;
        if (LOG.isLoggable(level)) {
            if (report.tracked()) {
                LOG.log(level, report.summary() + "; acquisition stack follows", report.acquisitionSite());
            } else {
                LOG.log(level, report.summary());
            }
        }
        PoolLeakEvent.emit(report);
    }

    // ------------------------------------------------------------------ leak detection

    /**
     * Ends, as {@link LeakVerdict#GC_RECLAIMED}, every tracked lease the garbage collector has found
     * unreachable and unclosed, and returns their memory. Run by the maintenance task and before an
     * acquisition waits; callable directly (tests).
     *
     * @return the number of leases reclaimed
     */
    public int drainReferenceQueue() {
        int reclaimed = 0;
        Reference<? extends Lease> r;
        while ((r = refQueue.poll()) != null) {
            if (((LeakTracker) r).reclaim()) {
                reclaimed++;
            }
        }
        return reclaimed;
    }

    /**
     * Reports every lease older than the lease timeout as {@link LeakVerdict#LONG_HOLD} (once per
     * lease), and, when force-release is on, revokes it. Run by the maintenance task; callable
     * directly (tests drive it with an injected clock).
     *
     * @return the number of long holds newly found
     */
    public int scanForLongHolds() {
        List<LeakReport> reports = null;
        List<Slot> revoke = null;
        long[] revokeGens = null;
        lock.lock();
        try {
            long now = clock.getAsLong();
            for (int i = 0; i < slotCount; i++) {
                Slot s = slots[i];
                long stamp = s.stamp;
                if ((stamp & 1L) == 0L || s.longHoldGen == stamp) {
                    continue;
                }
                if (s.acquiredByNanos == Slot.UNKNOWN) {
                    if (s.acquiredNanos == coarseNanos) {
                        continue; // acquired since the last refresh: too young to judge
                    }
                    s.acquiredByNanos = coarseNanos;
                }
                if (now - s.acquiredByNanos > leaseTimeoutNanos) {
                    s.longHoldGen = stamp;
                    longHolds++;
                    if (reports == null) {
                        reports = new ArrayList<>();
                    }
                    reports.add(reportLocked(s, LeakVerdict.LONG_HOLD, now));
                    if (forceRelease) {
                        if (revoke == null) {
                            revoke = new ArrayList<>();
                            revokeGens = new long[slotCount];
                        }
                        revokeGens[revoke.size()] = stamp;
                        revoke.add(s);
                    }
                }
            }
            if (coarseTime) {
                coarseNanos = now;
            }
        } finally {
            lock.unlock();
        }
        if (reports == null) {
            return 0;
        }
        // Revocations first: a listener that throws must not keep a long hold's memory from the pool.
        // Their reports are appended after the long holds, so each lease's LONG_HOLD comes first.
        int found = reports.size();
        Throwable failure = null;
        if (revoke != null) {
            for (int i = 0; i < revoke.size(); i++) {
                try {
                    endLease(revoke.get(i), revokeGens[i], LeakVerdict.FORCE_RELEASED, reports);
                } catch (Throwable e) {
                    failure = addFailure(failure, e);
                }
            }
        }
        for (LeakReport r : reports) {
            try {
                publish(r);
            } catch (Throwable e) {
                failure = addFailure(failure, e);
            }
        }
        if (failure != null) {
            throw sneaky(failure);
        }
        return found;
    }

    private void maintain() {
        try {
            drainReferenceQueue();
            scanForLongHolds();
        } catch (Throwable e) {
            // Nothing may escape: a periodic task that throws is never run again.
            LOG.log(System.Logger.Level.WARNING, "maintenance of pool '" + name + "' failed", e);
        }
    }

    // ------------------------------------------------------------------ statistics

    /** A consistent snapshot of the pool's accounting; see {@link PoolStats}. */
    public PoolStats stats() {
        long heapUsed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long directUsed = directMemoryUsed();
        long oldest = 0;
        lock.lock();
        try {
            long now = clock.getAsLong();
            for (int i = 0; i < slotCount; i++) {
                Slot slot = slots[i];
                if ((slot.stamp & 1L) == 1L) {
                    oldest = Math.max(oldest, now - slot.acquiredNanos);
                }
            }
            return new PoolStats(name, maxTotalBytes, maxBufferSize, usedBytes, retainedBytes, activeLeases,
                    freeBuffers, slotCount, acquires, releases, reuses, allocations, evictions, longHolds,
                    returnedLate, gcReclaimed, forceReleased, redundantCloses.sum(), oldest, waits, timeouts,
                    listenerFailures.sum(), heapUsed, directUsed, closed);
        } finally {
            lock.unlock();
        }
    }

    private static long directMemoryUsed() {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if ("direct".equals(b.getName())) {
                return b.getMemoryUsed();
            }
        }
        return -1;
    }

    /** Capacity of the buffers leased out, in bytes; a cheap read for monitors. */
    public long usedBytes() {
        lock.lock();
        try {
            return usedBytes;
        } finally {
            lock.unlock();
        }
    }

    public String name() {
        return name;
    }

    public long maxTotalBytes() {
        return maxTotalBytes;
    }

    public int maxBufferSize() {
        return maxBufferSize;
    }

    public TrackingLevel trackingLevel() {
        return tracking;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Registers the pool's statistics with the platform MBean server as
     * {@code dev.leakproof:type=BufferPool,name="<name>"} ({@link PoolStatsMXBean}); {@link #close()}
     * unregisters them. Idempotent.
     *
     * @return the object name
     * @throws IllegalStateException when registration fails (for instance, another pool of the same name)
     */
    public synchronized ObjectName registerMBean() {
        if (mbeanName != null) {
            return mbeanName;
        }
        if (closed) {
            throw new PoolClosedException("pool '" + name + "' is closed");
        }
        try {
            ObjectName on = new ObjectName("dev.leakproof:type=BufferPool,name=" + ObjectName.quote(name));
            ManagementFactory.getPlatformMBeanServer().registerMBean(new PoolStatsBean(this), on);
            mbeanName = on;
            return on;
        } catch (JMException e) {
            throw new IllegalStateException("cannot register pool '" + name + "' with JMX: " + e.getMessage(), e);
        }
    }

    private void unregisterMBean() {
        ObjectName on;
        synchronized (this) {
            on = mbeanName;
            mbeanName = null;
        }
        if (on != null) {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            try {
                server.unregisterMBean(on);
            } catch (JMException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot unregister pool '" + name + "' from JMX", e);
            }
        }
    }

    // ------------------------------------------------------------------ lifecycle

    private synchronized ScheduledExecutorService scheduler() {
        if (scheduler == null) {
            String threadName = "leakproof-pool-" + name + "-" + THREAD_IDS.incrementAndGet();
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, threadName);
                t.setDaemon(true);
                return t;
            });
            executor.setRemoveOnCancelPolicy(true);
            executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            scheduler = executor;
        }
        return scheduler;
    }

    /** Closes the pool (see the class comment) and logs the leases still out. Idempotent. */
    @Override
    public void close() {
        shutdown();
    }

    /**
     * Closes the pool as {@link #close()} does and returns a report of every lease still out
     * ({@link LeakVerdict#OPEN_AT_CLOSE}). A second call returns an empty list.
     */
    public List<LeakReport> shutdown() {
        List<LeakReport> open = new ArrayList<>();
        List<Waiter> failed = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                return List.of();
            }
            closed = true;
            for (Waiter w : waiters) {
                if (w.future == null) {
                    w.condition.signal();
                } else {
                    failed.add(w);
                }
            }
            for (Waiter w : failed) {
                w.queued = false;
            }
            waiters.removeIf(w -> w.future != null);
            for (int c = 0; c < freeHead.length; c++) {
                while (freeHead[c] != null) {
                    Slot s = freeHead[c];
                    freeHead[c] = s.nextFree;
                    s.nextFree = null;
                    freeBuffers--;
                    freeBytes -= s.capacity;
                    unregisterLocked(s);
                }
            }
            long now = clock.getAsLong();
            for (int i = 0; i < slotCount; i++) {
                Slot s = slots[i];
                if ((s.stamp & 1L) == 1L) {
                    open.add(reportLocked(s, LeakVerdict.OPEN_AT_CLOSE, now));
                }
            }
        } finally {
            lock.unlock();
        }
        stopScheduler();
        unregisterMBean();
        for (Waiter w : failed) {
            if (w.timer != null) {
                cancelTimer(w.timer);
            }
            w.future.completeExceptionally(new PoolClosedException("pool '" + name + "' closed while waiting for " + w.size + " bytes"));
        }
        if (!open.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "pool '" + name + "' closed with " + open.size() + " lease(s) still out");
            open.forEach(this::publish);
        }
        return List.copyOf(open);
    }

    private void stopScheduler() {
        ScheduledExecutorService s;
        synchronized (this) {
            if (maintenance != null) {
                maintenance.cancel(false);
            }
            s = scheduler;
        }
        if (s != null && ownsScheduler) {
            s.shutdownNow();
            try {
                if (!s.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.log(System.Logger.Level.WARNING, "pool '" + name + "': maintenance thread did not end within 5 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "BufferPool[" + name + ", maxTotalBytes=" + maxTotalBytes + ", maxBufferSize=" + maxBufferSize
                + ", tracking=" + tracking + (closed ? ", closed]" : "]");
    }

    // ------------------------------------------------------------------ builder

    /**
     * Builds a {@link BufferPool}. Every setter checks its argument at once; {@link #fromEnvironment()}
     * and {@link #fromProperties()} read the {@code LEAKPROOF_POOL_*} variables and
     * {@code leakproof.pool.*} properties, and a bad value names the key and the allowed range.
     */
    public static final class Builder {
        private String name = "pool";
        private long maxTotalBytes = DEFAULT_MAX_TOTAL_BYTES;
        private int maxBufferSize = DEFAULT_MAX_BUFFER_SIZE;
        private boolean direct;
        private boolean scrub = true;
        private TrackingLevel tracking = TrackingLevel.SAMPLED;
        private int sampleRate = DEFAULT_SAMPLE_RATE;
        private Duration leaseTimeout = DEFAULT_LEASE_TIMEOUT;
        private boolean forceRelease;
        private Duration acquireTimeout = DEFAULT_ACQUIRE_TIMEOUT;
        private Duration maintenanceInterval = DEFAULT_MAINTENANCE_INTERVAL;
        private LongSupplier clock = System::nanoTime;
        private ScheduledExecutorService scheduler;
        private final List<LeakListener> listeners = new ArrayList<>();
        private java.util.function.IntFunction<ByteBuffer> allocator;
        private Runnable beforeLeaseHook = () -> { };

        private Builder() {
        }

        /** Test hook: allocates the buffers (given their capacity) instead of {@link ByteBuffer}. */
        Builder allocator(java.util.function.IntFunction<ByteBuffer> allocator) {
            this.allocator = Objects.requireNonNull(allocator, "allocator");
            return this;
        }

        /** Test hook: runs, under the pool's lock, just before a lease's objects are allocated. */
        Builder beforeLeaseHook(Runnable hook) {
            this.beforeLeaseHook = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /** The name used in logs, reports, threads and JMX (default {@code pool}). */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
            return this;
        }

        /** The limit on the bytes the pool holds, leased and free (default 100 MiB). */
        public Builder maxTotalBytes(long bytes) {
            this.maxTotalBytes = Checks.positive("maxTotalBytes", bytes);
            return this;
        }

        /** The largest lease, from 1 to 1 GiB and at most {@code maxTotalBytes} (default 10 MiB). */
        public Builder maxBufferSize(int bytes) {
            if (bytes < 1 || bytes > MAX_BUFFER_SIZE_LIMIT) {
                throw new IllegalArgumentException("maxBufferSize must be in [1, " + MAX_BUFFER_SIZE_LIMIT + "] but was " + bytes);
            }
            this.maxBufferSize = bytes;
            return this;
        }

        /** Direct ({@code true}) or heap buffers (default heap). */
        public Builder direct(boolean direct) {
            this.direct = direct;
            return this;
        }

        /** Whether reused buffers are zeroed before hand-out (default {@code true}; B5). */
        public Builder scrub(boolean scrub) {
            this.scrub = scrub;
            return this;
        }

        /** Which leases are tracked with stacks and found by GC (default {@code SAMPLED}). */
        public Builder tracking(TrackingLevel level) {
            this.tracking = Objects.requireNonNull(level, "tracking");
            return this;
        }

        /** Under {@code SAMPLED}, one lease in {@code rate} is tracked (default 128; 1 tracks all). */
        public Builder sampleRate(int rate) {
            this.sampleRate = Checks.positive("sampleRate", rate);
            return this;
        }

        /** The age after which an open lease is a long hold (default 300 s). */
        public Builder leaseTimeout(Duration timeout) {
            this.leaseTimeout = Checks.positive("leaseTimeout", timeout);
            return this;
        }

        /** Whether long holds are revoked and their memory returned (default {@code false}). */
        public Builder forceRelease(boolean forceRelease) {
            this.forceRelease = forceRelease;
            return this;
        }

        /** How long {@link BufferPool#acquire(int)} waits for memory (default 30 s; zero: not at all). */
        public Builder acquireTimeout(Duration timeout) {
            this.acquireTimeout = Checks.nonNegative("acquireTimeout", timeout);
            return this;
        }

        /** How often the GC queue is drained and the age scan runs (default 1 s; zero: no background task). */
        public Builder maintenanceInterval(Duration interval) {
            this.maintenanceInterval = Checks.nonNegative("maintenanceInterval", interval);
            return this;
        }

        /** The clock for lease ages, in nanoseconds (default {@link System#nanoTime()}). */
        public Builder clock(LongSupplier nanoClock) {
            this.clock = Objects.requireNonNull(nanoClock, "clock");
            return this;
        }

        /** Runs maintenance and async timeouts on this scheduler instead of an owned thread; close leaves it running. */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** Adds a receiver of leak verdicts. */
        public Builder leakListener(LeakListener listener) {
            listeners.add(Objects.requireNonNull(listener, "leakListener"));
            return this;
        }

        /** Reads the {@code LEAKPROOF_POOL_*} variables from the process environment. */
        public Builder fromEnvironment() {
            return fromEnvironment(System.getenv());
        }

        /** As {@link #fromEnvironment()}, from the given variables. */
        public Builder fromEnvironment(Map<String, String> environment) {
            return apply(Settings.ofEnvironment(environment), "environment variable", ENV_MAX_TOTAL_BYTES,
                    ENV_MAX_BUFFER_SIZE, ENV_TRACKING, ENV_SAMPLE_RATE, ENV_LEASE_TIMEOUT, ENV_FORCE_RELEASE,
                    ENV_SCRUB, ENV_DIRECT, ENV_ACQUIRE_TIMEOUT, ENV_MAINTENANCE_INTERVAL);
        }

        /** Reads the {@code leakproof.pool.*} system properties. */
        public Builder fromProperties() {
            return fromProperties(System.getProperties());
        }

        /** As {@link #fromProperties()}, from the given properties. */
        public Builder fromProperties(Properties properties) {
            return apply(Settings.ofProperties(properties), "property", PROP_MAX_TOTAL_BYTES,
                    PROP_MAX_BUFFER_SIZE, PROP_TRACKING, PROP_SAMPLE_RATE, PROP_LEASE_TIMEOUT, PROP_FORCE_RELEASE,
                    PROP_SCRUB, PROP_DIRECT, PROP_ACQUIRE_TIMEOUT, PROP_MAINTENANCE_INTERVAL);
        }

        private Builder apply(Settings settings, String origin, String totalKey, String bufferKey, String trackingKey,
                              String rateKey, String leaseKey, String forceKey, String scrubKey, String directKey,
                              String acquireKey, String maintenanceKey) {
            // Parse everything first so that a bad value leaves the builder unchanged.
            var total = settings.longIn(totalKey, 1, Long.MAX_VALUE);
            var buffer = settings.intIn(bufferKey, 1, MAX_BUFFER_SIZE_LIMIT);
            var level = settings.enumOf(trackingKey, TrackingLevel.class);
            var rate = settings.intIn(rateKey, 1, Integer.MAX_VALUE);
            var lease = settings.durationIn(leaseKey, Duration.ofMillis(1), Duration.ofDays(365));
            var force = bool(settings, origin, forceKey);
            var scrubbing = bool(settings, origin, scrubKey);
            var directBuffers = bool(settings, origin, directKey);
            var acquire = settings.durationIn(acquireKey, Duration.ZERO, Duration.ofDays(365));
            var maintain = settings.durationIn(maintenanceKey, Duration.ZERO, Duration.ofDays(1));
            total.ifPresent(v -> maxTotalBytes = v);
            buffer.ifPresent(v -> maxBufferSize = v);
            level.ifPresent(v -> tracking = v);
            rate.ifPresent(v -> sampleRate = v);
            lease.ifPresent(v -> leaseTimeout = v);
            force.ifPresent(v -> forceRelease = v);
            scrubbing.ifPresent(v -> scrub = v);
            directBuffers.ifPresent(v -> direct = v);
            acquire.ifPresent(v -> acquireTimeout = v);
            maintain.ifPresent(v -> maintenanceInterval = v);
            return this;
        }

        private static Optional<Boolean> bool(Settings settings, String origin, String key) {
            return settings.raw(key).map(v -> {
                switch (v.toLowerCase(Locale.ROOT)) {
                    case "true":
                        return Boolean.TRUE;
                    case "false":
                        return Boolean.FALSE;
                    default:
                        throw new IllegalArgumentException(origin + " " + key + "='" + v + "' is invalid: expected true or false");
                }
            });
        }

        /**
         * A new, open pool.
         *
         * @throws IllegalArgumentException when {@code maxBufferSize > maxTotalBytes}
         */
        public BufferPool build() {
            if (maxBufferSize > maxTotalBytes) {
                throw new IllegalArgumentException("maxBufferSize=" + maxBufferSize + " must be <= maxTotalBytes=" + maxTotalBytes);
            }
            BufferPool pool = new BufferPool(this);
            PoolRegistry.register(pool);
            return pool;
        }
    }

    // ------------------------------------------------------------------ outstanding leases

    /**
     * Every lease of this pool that is still out (neither closed, reclaimed nor force-released), in
     * the order of the pool's slots, with its id, size, age, acquiring thread and, when the lease is
     * tracked, its acquisition stack. Works before and after {@link #close()}. A tracked lease that
     * the garbage collector found unreachable but that the reference queue has not yet delivered is
     * still listed: call {@link #drainReferenceQueue()} first to end such leases.
     *
     * <p>Takes the pool's lock and is linear in the buffers the pool holds: a diagnostic for tests and
     * tools, not for a hot path.
     */
    public List<OutstandingLease> outstandingLeases() {
        List<OutstandingLease> out = new ArrayList<>();
        lock.lock();
        try {
            long now = clock.getAsLong();
            for (int i = 0; i < slotCount; i++) {
                Slot s = slots[i];
                if ((s.stamp & 1L) == 1L) {
                    LeakTracker t = s.tracker;
                    String owner = s.ownerName;
                    out.add(new OutstandingLease(name, s.leaseId, s.size, s.capacity, Math.max(0, now - s.acquiredNanos),
                            owner == null ? "?" : owner, t == null ? null : t.site));
                }
            }
        } finally {
            lock.unlock();
        }
        return out;
    }
}

package dev.leakproof.queue;

import dev.leakproof.internal.Checks;
import dev.leakproof.internal.Settings;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded multi-producer multi-consumer queue whose overflow behaviour is chosen when it is
 * built ({@link OverflowStrategy}), and which accounts for every element it does not deliver.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Q1</b> {@code 0 <= size() <= capacity()} at every observation, and the capacity is
 *       exactly the configured one (it is not rounded to a power of two).</li>
 *   <li><b>Q2</b> Counters are conserved, exactly when the queue is quiescent:
 *       {@code offered = accepted + droppedNewest + timedOut + rejected} and
 *       {@code accepted = delivered + droppedOldest + discarded + size}; see {@link QueueMetrics}.</li>
 *   <li><b>Q3</b> Every element passed to an offer method is either accepted (and later delivered
 *       to exactly one consumer, or dropped) or handed to the {@link DropListener} exactly once,
 *       with its {@link DropReason}. Whatever the strategy, a caller whose element was refused no
 *       longer owns it: the listener does.</li>
 *   <li><b>Q4</b> A blocked producer or consumer wakes on its timeout, on interrupt, or on
 *       {@link #close()}.</li>
 * </ul>
 *
 * <h2>Overflow</h2>
 * When the queue is full: {@link OverflowStrategy#BLOCK} waits for space up to the configured
 * block timeout (or the timeout of {@link #offer(Object, long, TimeUnit)}), then refuses with
 * {@link DropReason#TIMED_OUT}; {@link OverflowStrategy#DROP_OLDEST} evicts the head and succeeds;
 * {@link OverflowStrategy#DROP_NEWEST} refuses the new element; {@link OverflowStrategy#FAIL}
 * refuses it and throws {@link QueueFullException}.
 *
 * <h2>Where the {@link BlockingQueue} meaning changes</h2>
 * <ul>
 *   <li>{@link #offer(Object)} follows the strategy: under {@code BLOCK} it waits up to the
 *       configured block timeout (so a {@code ThreadPoolExecutor} on this queue pushes back on
 *       submitters instead of rejecting at once); under {@code FAIL} it throws.
 *       An interrupt while it waits refuses the element ({@link DropReason#INTERRUPTED}) and
 *       leaves the thread's interrupt status set.</li>
 *   <li>{@link #put(Object)} waits without a time limit only under {@code BLOCK}; under the
 *       other strategies it behaves as {@link #offer(Object)} (a refused element is dropped, or
 *       {@code FAIL} throws). On a closed queue it throws {@link QueueClosedException}.</li>
 *   <li>{@link #offer(Object, long, TimeUnit)} waits only under {@code BLOCK}; a negative
 *       timeout is refused with {@link IllegalArgumentException} rather than read as zero.</li>
 *   <li>{@link #take()} on a closed, empty queue throws {@link QueueClosedException};
 *       {@link #poll(long, TimeUnit)} returns {@code null}.</li>
 *   <li>{@link #remove(Object)} and {@link Iterator#remove()} are not supported
 *       ({@link UnsupportedOperationException}): the queue is a lock-free ring and removing from the
 *       middle would need a lock on every operation. {@link #iterator()} is weakly consistent.</li>
 *   <li>{@link #clear()} hands the elements it removes to the drop listener
 *       ({@link DropReason#DISCARDED}), since they are not delivered.</li>
 * </ul>
 *
 * <h2>Close</h2>
 * {@link #close()} refuses later offers ({@link DropReason#CLOSED}), wakes every blocked producer
 * (its element is refused as {@code CLOSED}) and every blocked consumer, and leaves the elements
 * inside for consumers to drain (or discards them, when built with
 * {@link Builder#discardOnClose(boolean)}). {@link #closeAndDiscard()} closes and hands everything
 * left to the drop listener ({@link DropReason#DISCARDED}), including elements of offers that
 * raced with it. Both are idempotent. An offer that runs concurrently with {@code close()} may
 * still be accepted; it is then drained or discarded like any element inside.
 *
 * <h2>Cost</h2>
 * Non-blocking operations are lock-free in the common case: one CAS on the producer (or consumer)
 * index and a release store of the slot's sequence number (the array-of-sequences design of
 * D. Vyukov's bounded MPMC queue, with a cached producer limit so that any capacity is exact).
 * The counters of {@link QueueMetrics} are derived from the two indices plus counters on the drop
 * paths, so a successful transfer updates no other shared field and allocates nothing. A lock is
 * taken only by a thread that has to wait, and by the operation that wakes it.
 *
 * @param <E> the element type
 */
public final class BoundedQueue<E> extends BoundedQueueConsumerPad<E> implements BlockingQueue<E>, AutoCloseable {

    /** Environment variable for {@link Builder#capacity(int)}. */
    public static final String ENV_MAX_SIZE = "LEAKPROOF_QUEUE_MAX_SIZE";
    /** Environment variable for {@link Builder#strategy(OverflowStrategy)}. */
    public static final String ENV_STRATEGY = "LEAKPROOF_QUEUE_STRATEGY";
    /** Environment variable for {@link Builder#blockTimeout(Duration)}. */
    public static final String ENV_BLOCK_TIMEOUT = "LEAKPROOF_QUEUE_BLOCK_TIMEOUT";
    /** System property for {@link Builder#capacity(int)}. */
    public static final String PROP_MAX_SIZE = "leakproof.queue.maxSize";
    /** System property for {@link Builder#strategy(OverflowStrategy)}. */
    public static final String PROP_STRATEGY = "leakproof.queue.strategy";
    /** System property for {@link Builder#blockTimeout(Duration)}. */
    public static final String PROP_BLOCK_TIMEOUT = "leakproof.queue.blockTimeout";

    /** The largest capacity: the ring's array length is the next power of two. */
    public static final int MAX_CAPACITY = 1 << 30;
    /** The seed's default queue size. */
    public static final int DEFAULT_CAPACITY = 1000;
    /** The seed's default block timeout. */
    public static final Duration DEFAULT_BLOCK_TIMEOUT = Duration.ofSeconds(1);
    /** The seed's default strategy. */
    public static final OverflowStrategy DEFAULT_STRATEGY = OverflowStrategy.DROP_OLDEST;

    private static final System.Logger LOG = System.getLogger(BoundedQueue.class.getName());

    private static final VarHandle PRODUCER_INDEX;
    private static final VarHandle PRODUCER_LIMIT;
    private static final VarHandle CONSUMER_INDEX;
    private static final VarHandle HIGH_WATER;
    private static final VarHandle SEQUENCE = MethodHandles.arrayElementVarHandle(long[].class);

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PRODUCER_INDEX = lookup.findVarHandle(BoundedQueueProducerFields.class, "producerIndex", long.class);
            PRODUCER_LIMIT = lookup.findVarHandle(BoundedQueueProducerFields.class, "producerLimit", long.class);
            CONSUMER_INDEX = lookup.findVarHandle(BoundedQueueConsumerFields.class, "consumerIndex", long.class);
            HIGH_WATER = lookup.findVarHandle(BoundedQueue.class, "highWater", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int OPEN = 0;
    private static final int CLOSED = 1;
    private static final int DISCARDING = 2;

    // Read on every operation, written rarely: kept together, away from the two indices.
    private volatile int state = OPEN;
    private volatile int waitingProducers;
    private volatile int waitingConsumers;
    private volatile int highWater;

    private final String name;
    private final int capacity;
    private final int mask;
    private final long length;
    private final Object[] buffer;
    private final long[] sequences;
    private final OverflowStrategy strategy;
    private final long blockTimeoutNanos;
    private final boolean discardOnClose;
    private final DropListener<? super E> listener;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final Condition notEmpty = lock.newCondition();

    private final LongAdder droppedOldest = new LongAdder();
    private final LongAdder droppedNewest = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder discarded = new LongAdder();
    private final LongAdder listenerFailures = new LongAdder();

    private BoundedQueue(Builder<E> b) {
        this.name = b.name;
        this.capacity = b.capacity;
        // At least two slots: with one, "published for the consumer at p" (p + 1) and "released for
        // the producer at p + length" (p + 1) would be the same sequence value, and a producer could
        // refill a slot that a consumer is still emptying. The capacity stays exact: the producer
        // limit, not the ring length, bounds the size.
        int len = 2;
        while (len < capacity) {
            len <<= 1;
        }
        this.mask = len - 1;
        this.length = len;
        this.buffer = new Object[len];
        this.sequences = new long[len];
        for (int i = 0; i < len; i++) {
            sequences[i] = i;
        }
        this.strategy = b.strategy;
        this.blockTimeoutNanos = Checks.toNanos(b.blockTimeout);
        this.discardOnClose = b.discardOnClose;
        this.listener = b.listener;
        PRODUCER_LIMIT.setRelease(this, (long) capacity);
    }

    /** A builder with the seed's defaults: capacity 1000, {@code DROP_OLDEST}, block timeout 1 s. */
    public static <E> Builder<E> builder() {
        return new Builder<>();
    }

    /** A queue of {@code capacity} with the given strategy and otherwise default settings. */
    public static <E> BoundedQueue<E> of(int capacity, OverflowStrategy strategy) {
        return BoundedQueue.<E>builder().capacity(capacity).strategy(strategy).build();
    }

    // ------------------------------------------------------------------ lock-free core

    /** Inserts {@code e} if there is room; {@code false} when the queue holds {@code capacity} elements. */
    private boolean tryInsert(E e) {
        final long[] seqs = sequences;
        long limit = (long) PRODUCER_LIMIT.getOpaque(this);
        for (;;) {
            long pos = (long) PRODUCER_INDEX.getVolatile(this);
            if (pos >= limit) {
                long consumed = (long) CONSUMER_INDEX.getVolatile(this);
                limit = consumed + capacity;
                // The high-water mark is refreshed here, where the consumer index is read anyway,
                // instead of on every insert: it stays exact whenever the queue fills.
                recordHighWater(pos + 1 - consumed);
                if (pos >= limit) {
                    return false;
                }
                // A racing producer may store an older, smaller limit: that only costs a refresh.
                // The limit is never too large, since the consumer index only grows.
                PRODUCER_LIMIT.setOpaque(this, limit);
            }
            int slot = (int) pos & mask;
            long seq = (long) SEQUENCE.getAcquire(seqs, slot);
            if (seq == pos) {
                if (PRODUCER_INDEX.compareAndSet(this, pos, pos + 1)) {
                    buffer[slot] = e;
                    SEQUENCE.setRelease(seqs, slot, pos + 1);
                    return true;
                }
            } else if (seq < pos) {
                // The slot still holds element pos - length: its consumer has claimed it but not yet
                // released it (the limit check above guarantees it was claimed). Wait for that.
                long consumed = (long) CONSUMER_INDEX.getVolatile(this);
                if (pos - consumed >= capacity) {
                    recordHighWater(capacity);
                    return false;
                }
                Thread.onSpinWait();
            }
            // seq > pos: another producer took this position; retry with a fresh index.
        }
    }

    /** Removes the head, or returns {@code null} when the queue is empty. */
    @SuppressWarnings("unchecked")
    private E tryRemove() {
        final long[] seqs = sequences;
        for (;;) {
            long pos = (long) CONSUMER_INDEX.getVolatile(this);
            int slot = (int) pos & mask;
            long seq = (long) SEQUENCE.getAcquire(seqs, slot);
            long published = pos + 1;
            if (seq == published) {
                if (CONSUMER_INDEX.compareAndSet(this, pos, published)) {
                    Object e = buffer[slot];
                    buffer[slot] = null;
                    SEQUENCE.setRelease(seqs, slot, pos + length);
                    return (E) e;
                }
            } else if (seq < published) {
                if ((long) PRODUCER_INDEX.getVolatile(this) <= pos) {
                    return null;
                }
                // A producer has claimed pos but not yet published its element.
                Thread.onSpinWait();
            }
            // seq > published: another consumer took this position; retry.
        }
    }

    private void recordHighWater(long size) {
        int s = (int) Math.min(size, capacity);
        int current = highWater;
        while (s > current) {
            if (HIGH_WATER.compareAndSet(this, current, s)) {
                return;
            }
            current = highWater;
        }
    }

    // The waiter counts are written (under the lock) before a waiter re-checks the indices, and read
    // after the CAS that changes an index: both are volatile, so either the waiter sees the change
    // or the thread that made it sees the waiter and signals it.

    private void afterInsert() {
        if (waitingConsumers != 0) {
            signal(notEmpty);
        }
        if (state == DISCARDING) {
            discardRemaining();
        }
    }

    private void afterRemove() {
        if (waitingProducers != 0) {
            signal(notFull);
        }
    }

    private void signal(Condition condition) {
        lock.lock();
        try {
            condition.signal();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ producers

    /**
     * Offers {@code e} following the configured strategy (see the class comment for how this differs
     * from {@link BlockingQueue#offer(Object)}).
     *
     * @return {@code true} when the element was accepted, {@code false} when it was refused and handed
     *         to the drop listener
     * @throws QueueFullException under {@code FAIL} when the queue is full
     * @throws NullPointerException when {@code e} is {@code null}
     */
    @Override
    public boolean offer(E e) {
        Objects.requireNonNull(e, "element must not be null");
        if (strategy == OverflowStrategy.BLOCK) {
            try {
                return offerWaiting(e, blockTimeoutNanos, false);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return offerNow(e);
    }

    /**
     * Offers {@code e}, waiting up to {@code timeout} for space under {@code BLOCK}; under the
     * other strategies the same as {@link #offer(Object)}.
     *
     * @throws InterruptedException when interrupted while waiting; the element was refused with
     *         {@link DropReason#INTERRUPTED}
     * @throws IllegalArgumentException when {@code timeout} is negative
     */
    @Override
    public boolean offer(E e, long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(e, "element must not be null");
        long nanos = Checks.timeoutNanos(timeout, unit);
        if (strategy == OverflowStrategy.BLOCK) {
            return offerWaiting(e, nanos, false);
        }
        return offerNow(e);
    }

    /**
     * Under {@code BLOCK}, waits for space without a time limit; otherwise as {@link #offer(Object)}.
     *
     * @throws QueueClosedException when the queue is (or becomes, while waiting) closed
     * @throws InterruptedException when interrupted while waiting
     */
    @Override
    public void put(E e) throws InterruptedException {
        Objects.requireNonNull(e, "element must not be null");
        boolean accepted = strategy == OverflowStrategy.BLOCK ? offerWaiting(e, 0L, true) : offerNow(e);
        if (!accepted && state != OPEN) {
            throw new QueueClosedException("queue '" + name + "' is closed");
        }
    }

    /**
     * Inserts {@code e} if that is possible at once, whatever the strategy.
     *
     * @throws QueueFullException when the queue is full (the element went to the drop listener)
     * @throws QueueClosedException when the queue is closed (the element went to the drop listener)
     */
    @Override
    public boolean add(E e) {
        Objects.requireNonNull(e, "element must not be null");
        if (state != OPEN) {
            drop(e, DropReason.CLOSED);
            throw new QueueClosedException("queue '" + name + "' is closed");
        }
        if (tryInsert(e)) {
            afterInsert();
            return true;
        }
        drop(e, DropReason.REFUSED_FULL);
        throw new QueueFullException(name, capacity);
    }

    private boolean offerNow(E e) {
        if (state != OPEN) {
            drop(e, DropReason.CLOSED);
            return false;
        }
        if (tryInsert(e)) {
            afterInsert();
            return true;
        }
        switch (strategy) {
            case DROP_OLDEST:
                return evictAndInsert(e);
            case DROP_NEWEST:
                drop(e, DropReason.REFUSED_NEWEST);
                return false;
            case FAIL:
                drop(e, DropReason.REFUSED_FULL);
                throw new QueueFullException(name, capacity);
            default:
                throw new AssertionError(strategy);
        }
    }

    private boolean evictAndInsert(E e) {
        for (;;) {
            E oldest = tryRemove();
            if (oldest != null) {
                drop(oldest, DropReason.EVICTED_OLDEST);
            }
            if (tryInsert(e)) {
                afterInsert();
                return true;
            }
            // Another producer took the room we made: evict again. Every pass removes or inserts
            // one element, so the queue as a whole makes progress.
        }
    }

    private boolean offerWaiting(E e, long nanos, boolean forever) throws InterruptedException {
        if (state != OPEN) {
            drop(e, DropReason.CLOSED);
            return false;
        }
        if (tryInsert(e)) {
            afterInsert();
            return true;
        }
        if (!forever && nanos <= 0) {
            drop(e, DropReason.TIMED_OUT);
            return false;
        }
        DropReason refused = DropReason.INTERRUPTED;
        final ReentrantLock lock = this.lock;
        try {
            lock.lockInterruptibly();
            try {
                waitingProducers = waitingProducers + 1;
                try {
                    for (;;) {
                        if (state != OPEN) {
                            refused = DropReason.CLOSED;
                            break;
                        }
                        if (tryInsert(e)) {
                            if (waitingConsumers != 0) {
                                notEmpty.signal();
                            }
                            refused = null;
                            break;
                        }
                        if (!forever && nanos <= 0) {
                            refused = DropReason.TIMED_OUT;
                            break;
                        }
                        if (forever) {
                            notFull.await();
                        } else {
                            nanos = notFull.awaitNanos(nanos);
                        }
                    }
                } finally {
                    waitingProducers = waitingProducers - 1;
                }
            } finally {
                lock.unlock();
            }
        } catch (InterruptedException ie) {
            // Refused outside the lock: the listener never runs while the queue holds it.
            drop(e, DropReason.INTERRUPTED);
            throw ie;
        }
        if (refused == null) {
            if (state == DISCARDING) {
                discardRemaining();
            }
            return true;
        }
        drop(e, refused);
        return false;
    }

    // ------------------------------------------------------------------ consumers

    /** Removes and returns the head, or {@code null} when the queue is empty. Never waits. */
    @Override
    public E poll() {
        E e = tryRemove();
        if (e != null) {
            afterRemove();
        }
        return e;
    }

    /**
     * Removes the head, waiting up to {@code timeout} for an element. Returns {@code null} on
     * timeout, or at once when the queue is closed and empty.
     *
     * @throws IllegalArgumentException when {@code timeout} is negative
     */
    @Override
    public E poll(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = Checks.timeoutNanos(timeout, unit);
        E e = poll();
        if (e != null || nanos == 0) {
            return e;
        }
        return waitForElement(nanos, false);
    }

    /**
     * Removes the head, waiting as long as it takes.
     *
     * @throws QueueClosedException when the queue is closed and empty
     */
    @Override
    public E take() throws InterruptedException {
        E e = poll();
        if (e != null) {
            return e;
        }
        e = waitForElement(0L, true);
        if (e == null) {
            throw new QueueClosedException("queue '" + name + "' is closed and empty");
        }
        return e;
    }

    private E waitForElement(long nanos, boolean forever) throws InterruptedException {
        final ReentrantLock lock = this.lock;
        lock.lockInterruptibly();
        try {
            waitingConsumers = waitingConsumers + 1;
            try {
                for (;;) {
                    E e = tryRemove();
                    if (e != null) {
                        if (waitingProducers != 0) {
                            notFull.signal();
                        }
                        return e;
                    }
                    if (state != OPEN || (!forever && nanos <= 0)) {
                        return null;
                    }
                    if (forever) {
                        notEmpty.await();
                    } else {
                        nanos = notEmpty.awaitNanos(nanos);
                    }
                }
            } finally {
                waitingConsumers = waitingConsumers - 1;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The head without removing it, or {@code null} when empty; weakly consistent. */
    @Override
    @SuppressWarnings("unchecked")
    public E peek() {
        final long[] seqs = sequences;
        for (;;) {
            long pos = (long) CONSUMER_INDEX.getVolatile(this);
            int slot = (int) pos & mask;
            long seq = (long) SEQUENCE.getAcquire(seqs, slot);
            if (seq == pos + 1) {
                Object e = buffer[slot];
                if (e != null && (long) CONSUMER_INDEX.getVolatile(this) == pos) {
                    return (E) e;
                }
            } else if (seq < pos + 1 && (long) PRODUCER_INDEX.getVolatile(this) <= pos) {
                return null;
            } else {
                Thread.onSpinWait();
            }
        }
    }

    @Override
    public int drainTo(Collection<? super E> c) {
        return drainTo(c, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super E> c, int maxElements) {
        Objects.requireNonNull(c, "collection");
        if (c == this) {
            throw new IllegalArgumentException("cannot drain a queue into itself");
        }
        int n = 0;
        E e;
        while (n < maxElements && (e = tryRemove()) != null) {
            c.add(e);
            n++;
        }
        if (n > 0 && waitingProducers != 0) {
            lock.lock();
            try {
                notFull.signalAll();
            } finally {
                lock.unlock();
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ close and discard

    /**
     * Closes the queue: later offers are refused ({@link DropReason#CLOSED}), blocked producers and
     * consumers wake. The elements inside stay for consumers to drain, unless the queue was built
     * with {@link Builder#discardOnClose(boolean)}, in which case this is
     * {@link #closeAndDiscard()}. Idempotent.
     */
    @Override
    public void close() {
        if (discardOnClose) {
            closeAndDiscard();
            return;
        }
        closeWith(CLOSED);
    }

    /**
     * Closes the queue and hands every element still inside (and any that a racing offer inserts
     * afterwards) to the drop listener with {@link DropReason#DISCARDED}.
     *
     * @return the number of elements this call discarded
     */
    public int closeAndDiscard() {
        closeWith(DISCARDING);
        return discardRemaining();
    }

    private void closeWith(int newState) {
        lock.lock();
        try {
            if (state < newState) {
                state = newState;
            }
            notFull.signalAll();
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private int discardRemaining() {
        int n = 0;
        E e;
        while ((e = tryRemove()) != null) {
            drop(e, DropReason.DISCARDED);
            n++;
        }
        if (n > 0 && waitingProducers != 0) {
            signal(notFull);
        }
        return n;
    }

    /** Removes every element and hands it to the drop listener with {@link DropReason#DISCARDED}. */
    @Override
    public void clear() {
        discardRemaining();
    }

    /** Whether {@link #close()} or {@link #closeAndDiscard()} has been called. */
    public boolean isClosed() {
        return state != OPEN;
    }

    // ------------------------------------------------------------------ drops

    private void drop(E e, DropReason reason) {
        switch (reason) {
            case EVICTED_OLDEST:
                droppedOldest.increment();
                break;
            case REFUSED_NEWEST:
                droppedNewest.increment();
                break;
            case TIMED_OUT:
                timedOut.increment();
                break;
            case DISCARDED:
                discarded.increment();
                break;
            default:
                rejected.increment();
                break;
        }
        try {
            listener.onDrop(e, reason);
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable t) {
            listenerFailures.increment();
            long failures = listenerFailures.sum();
            // Log the 1st, 2nd, 4th, 8th, ... failure so that a listener that always throws cannot flood the log.
            if (Long.bitCount(failures) == 1) {
                LOG.log(System.Logger.Level.WARNING,
                        "drop listener of queue '" + name + "' threw on " + reason + " (" + failures + " failures so far)", t);
            }
        }
        QueueDropEvent.emit(name, reason, e);
    }

    // ------------------------------------------------------------------ observation

    /** The configured capacity, exactly. */
    public int capacity() {
        return capacity;
    }

    /** The queue's name, used in logs, exceptions and metrics. */
    public String name() {
        return name;
    }

    /** The overflow strategy chosen at build time. */
    public OverflowStrategy strategy() {
        return strategy;
    }

    /** Elements inside, from 0 to {@link #capacity()} (Q1). */
    @Override
    public int size() {
        long consumed = (long) CONSUMER_INDEX.getVolatile(this);
        for (;;) {
            long produced = (long) PRODUCER_INDEX.getVolatile(this);
            long again = (long) CONSUMER_INDEX.getVolatile(this);
            if (again == consumed) {
                long size = produced - consumed;
                return (int) Math.max(0, Math.min(size, capacity));
            }
            consumed = again;
        }
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public int remainingCapacity() {
        return capacity - size();
    }

    /** An immutable snapshot of the counters; see {@link QueueMetrics} for their exact meaning. */
    public QueueMetrics metrics() {
        long oldest = droppedOldest.sum();
        long newest = droppedNewest.sum();
        long timeouts = timedOut.sum();
        long refused = rejected.sum();
        long thrownAway = discarded.sum();
        long consumed;
        long produced;
        long again = (long) CONSUMER_INDEX.getVolatile(this);
        do {
            consumed = again;
            produced = (long) PRODUCER_INDEX.getVolatile(this);
            again = (long) CONSUMER_INDEX.getVolatile(this);
        } while (again != consumed);
        int size = (int) Math.max(0, Math.min(produced - consumed, capacity));
        recordHighWater(size);
        long delivered = consumed - oldest - thrownAway;
        return new QueueMetrics(name, capacity, size, highWater,
                produced + newest + timeouts + refused, produced, delivered,
                oldest, newest, timeouts, refused, thrownAway, listenerFailures.sum(), state != OPEN);
    }

    /**
     * A weakly consistent iterator over the elements inside, head first. It never throws
     * {@link java.util.ConcurrentModificationException} and may miss elements removed or added while
     * it runs. {@link Iterator#remove()} is not supported.
     */
    @Override
    public Iterator<E> iterator() {
        return snapshot().iterator();
    }

    @SuppressWarnings("unchecked")
    private List<E> snapshot() {
        final long[] seqs = sequences;
        long from = (long) CONSUMER_INDEX.getVolatile(this);
        long to = (long) PRODUCER_INDEX.getVolatile(this);
        List<E> out = new ArrayList<>((int) Math.max(0, Math.min(to - from, capacity)));
        for (long pos = Math.max(from, to - capacity); pos < to; pos++) {
            int slot = (int) pos & mask;
            if ((long) SEQUENCE.getAcquire(seqs, slot) != pos + 1) {
                continue;
            }
            Object e = buffer[slot];
            if (e != null && (long) SEQUENCE.getAcquire(seqs, slot) == pos + 1) {
                out.add((E) e);
            }
        }
        return java.util.Collections.unmodifiableList(out);
    }

    /** Not supported: see the class comment. */
    @Override
    public boolean remove(Object o) {
        throw new UnsupportedOperationException("remove(Object) is not supported by BoundedQueue '" + name + "'");
    }

    @Override
    public E remove() {
        E e = poll();
        if (e == null) {
            throw new NoSuchElementException("queue '" + name + "' is empty");
        }
        return e;
    }

    @Override
    public String toString() {
        return "BoundedQueue[" + name + ", " + strategy + ", size " + size() + "/" + capacity
                + (state != OPEN ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ builder

    /**
     * Builds a {@link BoundedQueue}. Every setter checks its argument at once; {@link #fromEnvironment()}
     * and {@link #fromProperties()} read the {@code LEAKPROOF_QUEUE_*} variables and
     * {@code leakproof.queue.*} properties, leaving unset keys at their current value.
     *
     * @param <E> the element type
     */
    public static final class Builder<E> {
        private String name = "queue";
        private int capacity = DEFAULT_CAPACITY;
        private OverflowStrategy strategy = DEFAULT_STRATEGY;
        private Duration blockTimeout = DEFAULT_BLOCK_TIMEOUT;
        private boolean discardOnClose;
        private DropListener<? super E> listener = DropListener.none();

        private Builder() {
        }

        /** The name used in logs, exceptions and metrics (default {@code queue}). */
        public Builder<E> name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
            return this;
        }

        /** The exact capacity, from 1 to {@link #MAX_CAPACITY} (default 1000). */
        public Builder<E> capacity(int capacity) {
            if (capacity < 1 || capacity > MAX_CAPACITY) {
                throw new IllegalArgumentException("capacity must be in [1, " + MAX_CAPACITY + "] but was " + capacity);
            }
            this.capacity = capacity;
            return this;
        }

        /** What an offer does when the queue is full (default {@code DROP_OLDEST}). */
        public Builder<E> strategy(OverflowStrategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /** How long {@link #offer(Object)} waits under {@code BLOCK} (default 1 s; zero means not at all). */
        public Builder<E> blockTimeout(Duration timeout) {
            this.blockTimeout = Checks.nonNegative("blockTimeout", timeout);
            return this;
        }

        /** Whether {@link #close()} discards what is left instead of leaving it to be drained (default {@code false}). */
        public Builder<E> discardOnClose(boolean discard) {
            this.discardOnClose = discard;
            return this;
        }

        /** Receives every element that is not delivered (default: none). */
        public Builder<E> dropListener(DropListener<? super E> listener) {
            this.listener = Objects.requireNonNull(listener, "dropListener");
            return this;
        }

        /** Reads {@value #ENV_MAX_SIZE}, {@value #ENV_STRATEGY} and {@value #ENV_BLOCK_TIMEOUT} from the process environment. */
        public Builder<E> fromEnvironment() {
            return fromEnvironment(System.getenv());
        }

        /** As {@link #fromEnvironment()}, from the given variables. */
        public Builder<E> fromEnvironment(Map<String, String> environment) {
            return apply(Settings.ofEnvironment(environment), ENV_MAX_SIZE, ENV_STRATEGY, ENV_BLOCK_TIMEOUT);
        }

        /** Reads {@value #PROP_MAX_SIZE}, {@value #PROP_STRATEGY} and {@value #PROP_BLOCK_TIMEOUT} from the system properties. */
        public Builder<E> fromProperties() {
            return fromProperties(System.getProperties());
        }

        /** As {@link #fromProperties()}, from the given properties. */
        public Builder<E> fromProperties(Properties properties) {
            return apply(Settings.ofProperties(properties), PROP_MAX_SIZE, PROP_STRATEGY, PROP_BLOCK_TIMEOUT);
        }

        private Builder<E> apply(Settings settings, String sizeKey, String strategyKey, String timeoutKey) {
            // Parse everything first so that a bad value leaves the builder unchanged.
            var size = settings.intIn(sizeKey, 1, MAX_CAPACITY);
            var strat = settings.enumOf(strategyKey, OverflowStrategy.class);
            var timeout = settings.durationIn(timeoutKey, Duration.ZERO, Duration.ofDays(365));
            size.ifPresent(v -> capacity = v);
            strat.ifPresent(v -> strategy = v);
            timeout.ifPresent(v -> blockTimeout = v);
            return this;
        }

        /** A new, open, empty queue. */
        public BoundedQueue<E> build() {
            return new BoundedQueue<>(this);
        }
    }
}

// Padding keeps the producer index, the consumer index and the read-mostly fields on separate
// cache lines, so that producers and consumers do not invalidate each other's lines needlessly.

abstract class BoundedQueuePad0<E> extends AbstractQueue<E> {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p0a, p0b, p0c, p0d, p0e, p0f;
}

abstract class BoundedQueueProducerFields<E> extends BoundedQueuePad0<E> {
    volatile long producerIndex;
    volatile long producerLimit;
}

abstract class BoundedQueueProducerPad<E> extends BoundedQueueProducerFields<E> {
    long p10, p11, p12, p13, p14, p15, p16, p17, p18, p19, p1a, p1b, p1c, p1d, p1e, p1f;
}

abstract class BoundedQueueConsumerFields<E> extends BoundedQueueProducerPad<E> {
    volatile long consumerIndex;
}

abstract class BoundedQueueConsumerPad<E> extends BoundedQueueConsumerFields<E> {
    long p20, p21, p22, p23, p24, p25, p26, p27, p28, p29, p2a, p2b, p2c, p2d, p2e, p2f;
}

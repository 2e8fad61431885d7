package dev.leakproof.queue;

import org.jctools.queues.MpmcArrayQueue;
import org.jctools.queues.MpscArrayQueue;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The queues the benchmarks compare, each behind the same two calls. The leakproof strategies'
 * {@link #offer} is the strategy's non-waiting offer; the JDK and JCTools queues' is their plain
 * {@code offer}, which refuses when full (the DROP_NEWEST behaviour).
 */
public enum QueueImpl {
    /** {@link ArrayBlockingQueue}: one lock for both ends. The baseline. */
    ARRAY_BLOCKING_QUEUE {
        @Override
        Queue<Integer> create(int capacity, Runnable onEvict) {
            return new ArrayBlockingQueue<>(capacity);
        }
    },
    /** Bounded {@link LinkedBlockingQueue}: two locks, a node allocated per element. */
    LINKED_BLOCKING_QUEUE {
        @Override
        Queue<Integer> create(int capacity, Runnable onEvict) {
            return new LinkedBlockingQueue<>(capacity);
        }
    },
    /** JCTools {@link MpmcArrayQueue}: lock-free, capacity rounded up to a power of two, never blocks. */
    JCTOOLS_MPMC {
        @Override
        Queue<Integer> create(int capacity, Runnable onEvict) {
            return new MpmcArrayQueue<>(capacity);
        }
    },
    /** JCTools {@link MpscArrayQueue}: lock-free, single consumer only. */
    JCTOOLS_MPSC {
        @Override
        Queue<Integer> create(int capacity, Runnable onEvict) {
            return new MpscArrayQueue<>(capacity);
        }
    },
    /**
     * {@link SeedBoundedQueue}: the seed's lock-based bounded queue whose drop-oldest is a failed
     * put, then a poll, then an offer, each under the lock on its own.
     */
    SEED_DROP_OLDEST {
        @Override
        Queue<Integer> create(int capacity, Runnable onEvict) {
            return new SeedBoundedQueue<>(capacity, onEvict);
        }
    },
    /** leakproof {@code DROP_OLDEST}: an offer to a full queue evicts the oldest element. */
    LEAKPROOF_DROP_OLDEST {
        @Override
        Queue<Integer> create(int capacity, Runnable onEvict) {
            return leakproof(capacity, OverflowStrategy.DROP_OLDEST, onEvict);
        }
    },
    /** leakproof {@code DROP_NEWEST}: an offer to a full queue is refused. */
    LEAKPROOF_DROP_NEWEST {
        @Override
        Queue<Integer> create(int capacity, Runnable onEvict) {
            return leakproof(capacity, OverflowStrategy.DROP_NEWEST, onEvict);
        }
    },
    /** BLOCK with a zero block timeout: a full queue refuses at once (counted as timed out). */
    LEAKPROOF_BLOCK {
        @Override
        Queue<Integer> create(int capacity, Runnable onEvict) {
            return leakproof(capacity, OverflowStrategy.BLOCK, onEvict);
        }
    };

    /** The queue, with no eviction callback. */
    Queue<Integer> create(int capacity) {
        return create(capacity, NO_EVICTION);
    }

    /**
     * The queue, calling {@code onEvict} on the offering thread for each element evicted to make
     * room for a newer one (drop-oldest strategies only; the other queues never evict, they refuse,
     * and ignore it).
     */
    abstract Queue<Integer> create(int capacity, Runnable onEvict);

    private static final Runnable NO_EVICTION = () -> { };

    /** A {@link BlockingQueue} for the timed blocking shape; JCTools queues have none. */
    BlockingQueue<Integer> createBlocking(int capacity) {
        Queue<Integer> q = create(capacity);
        if (!(q instanceof BlockingQueue)) {
            throw new IllegalArgumentException(this + " is not a BlockingQueue");
        }
        return (BlockingQueue<Integer>) q;
    }

    private static Queue<Integer> leakproof(int capacity, OverflowStrategy strategy, Runnable onEvict) {
        BoundedQueue.Builder<Integer> builder = BoundedQueue.<Integer>builder().name("bench-" + strategy)
                .capacity(capacity).strategy(strategy).blockTimeout(Duration.ZERO);
        if (onEvict != NO_EVICTION) {
            builder.dropListener((element, reason) -> {
                if (reason == DropReason.EVICTED_OLDEST) {
                    onEvict.run();
                }
            });
        }
        return builder.build();
    }

    /** Offers with a timeout; used by the blocking shape only. */
    static boolean offer(BlockingQueue<Integer> q, Integer e, long timeoutNanos) throws InterruptedException {
        return q.offer(e, timeoutNanos, TimeUnit.NANOSECONDS);
    }
}

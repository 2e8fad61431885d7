package dev.leakproof.pool;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Every {@link BufferPool} built in this JVM and still reachable, in creation order, held weakly:
 * the registry never keeps a pool (or its memory) alive. Test tools use it to find the pools a
 * piece of code created, for instance the JUnit leak detector, which fails a test that leaves a
 * lease of a pool it created still out:
 *
 * <pre>{@code
 * long mark = PoolRegistry.mark();
 * runTheTest();
 * for (BufferPool pool : PoolRegistry.createdAfter(mark)) {
 *     pool.outstandingLeases().forEach(lease -> System.out.println(lease.summary()));
 * }
 * }</pre>
 *
 * <p>Pools stay listed after {@link BufferPool#close()}, since a closed pool's leases may still be
 * out. Registration happens once per {@link BufferPool.Builder#build()} and takes a lock; listing
 * takes the same lock and is linear in the pools still registered.
 */
public final class PoolRegistry {

    private static final Object LOCK = new Object();
    // Guarded by LOCK.
    private static final List<Entry> POOLS = new ArrayList<>();
    private static long created;

    private PoolRegistry() {
    }

    private record Entry(long ordinal, WeakReference<BufferPool> pool) {
    }

    /** Called by {@link BufferPool.Builder#build()}. */
    static void register(BufferPool pool) {
        synchronized (LOCK) {
            POOLS.removeIf(e -> e.pool().get() == null);
            created++;
            POOLS.add(new Entry(created, new WeakReference<>(pool)));
        }
    }

    /**
     * The number of pools built in this JVM so far: pass it to {@link #createdAfter(long)} later to
     * find the pools built in between.
     */
    public static long mark() {
        synchronized (LOCK) {
            return created;
        }
    }

    /**
     * The pools built after {@code mark} was taken that are still reachable, oldest first.
     *
     * @throws IllegalArgumentException when {@code mark} is negative or was never returned by {@link #mark()}
     */
    public static List<BufferPool> createdAfter(long mark) {
        synchronized (LOCK) {
            if (mark < 0 || mark > created) {
                throw new IllegalArgumentException("mark must be from 0 to " + created + " (a value of mark()) but was " + mark);
            }
            List<BufferPool> result = new ArrayList<>();
            for (Entry e : POOLS) {
                BufferPool pool = e.pool().get();
                if (e.ordinal() > mark && pool != null) {
                    result.add(pool);
                }
            }
            return result;
        }
    }

    /** Every pool built in this JVM that is still reachable, oldest first. */
    public static List<BufferPool> all() {
        return createdAfter(0);
    }
}

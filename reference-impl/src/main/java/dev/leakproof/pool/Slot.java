package dev.leakproof.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * One pooled buffer and the state of its current lease. Never handed to users: a {@link Lease}
 * reaches the memory only through its guarded accessors.
 *
 * <p>{@link #stamp} is the lease generation: odd while leased (the value is the lease's
 * generation), even while free or between an ending and the return to the free list. A lease ends
 * by the single CAS {@code stamp: gen -> gen + 1}; whoever wins it (close, force-release, GC
 * reclamation) is the only one that returns the memory (B2, B3). {@link #pins} counts accesses in
 * progress: an accessor increments it and then checks the stamp; an ender changes the stamp and then
 * waits for the pins to drain before the memory can be handed to anyone else (B4). Both are
 * sequentially consistent, so either the accessor sees the new stamp or the ender sees the pin.
 */
final class Slot {

    static final VarHandle STAMP;
    static final VarHandle PINS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STAMP = lookup.findVarHandle(Slot.class, "stamp", long.class);
            PINS = lookup.findVarHandle(Slot.class, "pins", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** {@link #acquiredByNanos} not yet known (coarse timestamps only). */
    static final long UNKNOWN = Long.MIN_VALUE;

    final BufferPool pool;
    final ByteBuffer buffer;
    final int sizeClass;
    final int capacity;

    volatile long stamp;
    volatile int pins;

    // Guarded by the pool's lock.
    int index = -1;
    Slot nextFree;
    long leaseId;
    /** When the current lease was acquired, at the latest possible; {@link #UNKNOWN} until a scan bounds it. */
    long acquiredByNanos;
    /** When the current lease was acquired, at the earliest possible (the coarse stamp, or the exact time). */
    long acquiredNanos;
    int size;
    /** The name of the thread that acquired the current lease (the name, so no thread is kept alive). */
    String ownerName;
    /** The generation already reported as a long hold (0: none). */
    long longHoldGen;
    /** The tracker of the current generation, or null when untracked. */
    LeakTracker tracker;

    Slot(BufferPool pool, ByteBuffer buffer, int sizeClass) {
        this.pool = pool;
        this.buffer = buffer;
        this.sizeClass = sizeClass;
        this.capacity = buffer.capacity();
    }

    /** Ends generation {@code gen}: true for exactly one caller per generation. */
    boolean end(long gen) {
        return (gen & 1L) == 1L && STAMP.compareAndSet(this, gen, gen + 1);
    }

    /** Waits until no access of any lease of this slot is in progress. Accesses are bounded copies. */
    void awaitUnpinned() {
        for (int spins = 0; (int) PINS.getVolatile(this) != 0; spins++) {
            if (spins < 128) {
                Thread.onSpinWait();
            } else {
                // The accessor may have been descheduled mid-copy (2 shared cores): let it run.
                Thread.yield();
            }
        }
    }
}

package dev.leakproof.pool;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The GC side of a tracked lease: a phantom reference to the lease plus what is needed to return
 * its memory. It references the memory ({@link Slot}) and the generation, never the lease, so a
 * leaked lease can become unreachable. Kept reachable by {@link Slot#tracker} while the lease is
 * out.
 */
final class LeakTracker extends PhantomReference<Lease> {

    static final int MAX_TOUCHES = 16;

    final BufferPool pool;
    final Slot slot;
    final long gen;
    final Throwable site;
    // Guarded by this.
    private ArrayDeque<TouchRecord> touches;

    LeakTracker(Lease lease, ReferenceQueue<Lease> queue, BufferPool pool, Slot slot, long gen, Throwable site) {
        super(lease, queue);
        this.pool = pool;
        this.slot = slot;
        this.gen = gen;
        this.site = site;
    }

    synchronized void touch(TouchRecord record) {
        if (touches == null) {
            touches = new ArrayDeque<>(4);
        }
        if (touches.size() == MAX_TOUCHES) {
            touches.pollFirst();
        }
        touches.addLast(record);
    }

    synchronized List<TouchRecord> touches() {
        return touches == null ? List.of() : List.copyOf(touches);
    }

    /**
     * The cleanup action: ends the lease as GC-reclaimed if nothing else ended it first, and returns
     * its memory. Package-private so that a stress test can race it against {@link Lease#close()}.
     *
     * @return whether this call ended the lease
     */
    boolean reclaim() {
        return pool.endLease(slot, gen, LeakVerdict.GC_RECLAIMED);
    }
}

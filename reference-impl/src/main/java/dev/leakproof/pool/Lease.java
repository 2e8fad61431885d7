package dev.leakproof.pool;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A loan of {@link #size()} bytes from a {@link BufferPool}. Use it in try-with-resources:
 *
 * <pre>{@code
 * try (Lease lease = pool.acquire(4096)) {
 *     lease.write(0, bytes, 0, n);
 *     ...
 * }
 * }</pre>
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Exactly one ending (B3).</b> A lease ends once: by {@link #close()}, by the pool's GC
 *       reclamation when it is tracked and becomes unreachable unclosed, or by force-release of a
 *       long hold. The three race through one compare-and-set on the buffer's generation; exactly
 *       one wins and only the winner returns the memory (B2).</li>
 *   <li><b>Fail fast after the end (B4).</b> Every accessor checks, under a pin that the ending
 *       waits for, that the lease's generation is still the buffer's; if not, it throws
 *       {@link IllegalStateException} without touching the memory. An access that started before a
 *       force-release finishes before the memory can go to another lease. There is deliberately no
 *       {@code buffer()} method: a raw {@link ByteBuffer} (or a slice of it) aliases the pooled
 *       memory and could be written after revocation, so B4 could not be kept. Copy in and out
 *       with {@link #write}/{@link #read}, or use the single-value accessors.</li>
 *   <li><b>Visible size.</b> Exactly {@link #size()} bytes are visible, indices {@code [0, size)};
 *       the pooled buffer may be larger (its size class), but the rest is never reachable.
 *       Byte order is big-endian.</li>
 *   <li><b>Scrubbing (B5).</b> Unless the pool was built with {@code scrub(false)}, the visible bytes
 *       are zero when the lease is handed out.</li>
 *   <li><b>Close</b> is idempotent: a second close (or a close after force-release) does nothing but
 *       increment {@link PoolStats#redundantCloses()}. A close after the lease was reported as a
 *       long hold is reported as {@link LeakVerdict#RETURNED_LATE}.</li>
 *   <li><b>Threads.</b> A lease may be used from several threads; concurrent writes to the same
 *       bytes are not ordered by the lease (as with a plain array). {@link #isActive()},
 *       {@link #close()} and {@link #toString()} work after the end; every other method throws.</li>
 * </ul>
 *
 * <p>The lease object is the only allocation of an untracked acquisition (24 bytes with compressed
 * oops): it holds the pooled buffer's slot and the generation it was lent under; its size and id
 * live in the slot and are read under the same check as the bytes.
 */
public final class Lease implements AutoCloseable {

    private final Slot slot;
    private final long gen;

    Lease(Slot slot, long gen) {
        this.slot = slot;
        this.gen = gen;
    }

    /**
     * The number of visible bytes, as requested from the pool.
     *
     * @throws IllegalStateException when the lease has ended
     */
    public int size() {
        pin();
        try {
            return slot.size;
        } finally {
            unpin();
        }
    }

    /** Whether this lease has not ended yet (a snapshot: it may end at any moment by force-release). */
    public boolean isActive() {
        return slot.stamp == gen;
    }

    /**
     * The lease's id: its acquisition ordinal in the pool, as in {@link LeakReport#leaseId()}.
     *
     * @throws IllegalStateException when the lease has ended
     */
    public long id() {
        pin();
        try {
            return slot.leaseId;
        } finally {
            unpin();
        }
    }

    // ------------------------------------------------------------------ guarded access

    private ByteBuffer pin() {
        Slot s = slot;
        Slot.PINS.getAndAdd(s, 1);
        if (s.stamp != gen) {
            Slot.PINS.getAndAdd(s, -1);
            throw ended();
        }
        return s.buffer;
    }

    private void unpin() {
        Slot.PINS.getAndAdd(slot, -1);
        // The lease must stay reachable for the whole access, or GC reclamation could run under it.
        Reference.reachabilityFence(this);
    }

    private IllegalStateException ended() {
        return new IllegalStateException("lease has ended (closed, force-released or reclaimed): " + this);
    }

    /** Bounds check against the visible size; call only while pinned (the size is the slot's, for this generation). */
    private void checkRange(int index, int length) {
        Objects.checkFromIndexSize(index, length, slot.size);
    }

    /** The byte at {@code index}. */
    public byte get(int index) {
        ByteBuffer b = pin();
        try {
            Objects.checkIndex(index, slot.size);
            return b.get(index);
        } finally {
            unpin();
        }
    }

    /** Sets the byte at {@code index}. */
    public Lease put(int index, byte value) {
        ByteBuffer b = pin();
        try {
            Objects.checkIndex(index, slot.size);
            b.put(index, value);
        } finally {
            unpin();
        }
        return this;
    }

    /** The big-endian int at {@code index}. */
    public int getInt(int index) {
        ByteBuffer b = pin();
        try {
            checkRange(index, Integer.BYTES);
            return b.getInt(index);
        } finally {
            unpin();
        }
    }

    /** Writes a big-endian int at {@code index}. */
    public Lease putInt(int index, int value) {
        ByteBuffer b = pin();
        try {
            checkRange(index, Integer.BYTES);
            b.putInt(index, value);
        } finally {
            unpin();
        }
        return this;
    }

    /** The big-endian long at {@code index}. */
    public long getLong(int index) {
        ByteBuffer b = pin();
        try {
            checkRange(index, Long.BYTES);
            return b.getLong(index);
        } finally {
            unpin();
        }
    }

    /** Writes a big-endian long at {@code index}. */
    public Lease putLong(int index, long value) {
        ByteBuffer b = pin();
        try {
            checkRange(index, Long.BYTES);
            b.putLong(index, value);
        } finally {
            unpin();
        }
        return this;
    }

    /** Copies {@code length} bytes of {@code src} from {@code offset} into this lease at {@code index}. */
    public Lease write(int index, byte[] src, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, src.length);
        ByteBuffer b = pin();
        try {
            checkRange(index, length);
            b.put(index, src, offset, length);
        } finally {
            unpin();
        }
        return this;
    }

    /** Copies all of {@code src} into this lease at {@code index}. */
    public Lease write(int index, byte[] src) {
        return write(index, src, 0, src.length);
    }

    /** Copies the remaining bytes of {@code src} into this lease at {@code index}, advancing {@code src}'s position. */
    public Lease write(int index, ByteBuffer src) {
        int length = src.remaining();
        ByteBuffer b = pin();
        try {
            checkRange(index, length);
            b.put(index, src, src.position(), length);
        } finally {
            unpin();
        }
        src.position(src.position() + length);
        return this;
    }

    /** Copies {@code length} bytes of this lease from {@code index} into {@code dst} at {@code offset}. */
    public Lease read(int index, byte[] dst, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, dst.length);
        ByteBuffer b = pin();
        try {
            checkRange(index, length);
            b.get(index, dst, offset, length);
        } finally {
            unpin();
        }
        return this;
    }

    /** Fills {@code dst} from this lease's bytes at {@code index}. */
    public Lease read(int index, byte[] dst) {
        return read(index, dst, 0, dst.length);
    }

    /** Copies bytes from {@code index} into the remaining space of {@code dst}, advancing its position. */
    public Lease read(int index, ByteBuffer dst) {
        int length = dst.remaining();
        ByteBuffer b = pin();
        try {
            checkRange(index, length);
            dst.put(dst.position(), b, index, length);
        } finally {
            unpin();
        }
        dst.position(dst.position() + length);
        return this;
    }

    /** A copy of the visible bytes. */
    public byte[] toByteArray() {
        int size;
        pin();
        try {
            size = slot.size;
        } finally {
            unpin();
        }
        // Allocated unpinned: a large array (and the GC it may cause) never holds up an ending. The
        // second pin checks the generation again, and a generation's size never changes.
        byte[] copy = new byte[size];
        ByteBuffer b = pin();
        try {
            b.get(0, copy, 0, size);
            return copy;
        } finally {
            unpin();
        }
    }

    /** Sets every visible byte to {@code value}. */
    public Lease fill(byte value) {
        ByteBuffer b = pin();
        try {
            BufferPool.fill(b, slot.size, value);
        } finally {
            unpin();
        }
        return this;
    }

    /**
     * Leaves an access record on a tracked lease, reported with its leak verdicts (the last 16 are
     * kept). Records nothing on an untracked lease, cheap enough to leave in production code; like
     * every access it still checks the lease, and throws on one that has ended.
     *
     * @throws IllegalStateException when the lease has ended
     */
    public Lease touch(Object hint) {
        // The hint's toString() is user code: run it before pinning, so that it cannot hold up an ending.
        LeakTracker t = slot.tracker;
        String text = t != null && t.gen == gen ? String.valueOf(hint) : null;
        pin();
        try {
            if (text != null) {
                t.pool.touch(t, text);
            }
        } finally {
            unpin();
        }
        return this;
    }

    /** Whether this lease is tracked (stack captured, found by GC). */
    public boolean isTracked() {
        LeakTracker t = slot.tracker;
        return t != null && t.gen == gen && isActive();
    }

    // ------------------------------------------------------------------ ending

    /**
     * Ends the lease and returns its memory to the pool. Idempotent: a close of a lease that has
     * already ended (closed, force-released or reclaimed) only counts as a redundant close.
     */
    @Override
    public void close() {
        try {
            slot.pool.close(this);
        } finally {
            // Keep the lease reachable until its ending is decided, so GC reclamation cannot race with it.
            Reference.reachabilityFence(this);
        }
    }

    Slot slot() {
        return slot;
    }

    long generation() {
        return gen;
    }

    @Override
    public String toString() {
        return "Lease[slot=" + slot.index + ", generation=" + gen + (isActive() ? ", active]" : ", ended]");
    }
}

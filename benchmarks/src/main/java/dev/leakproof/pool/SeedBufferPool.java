package dev.leakproof.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A port of the seed's memory pool (seed 003, "Memory Pool and Stream Processor": {@code
 * MemoryPool}, {@code ManagedBuffer}, {@code BufferAllocation}), the baseline the leakproof pool
 * must beat. What it keeps of the seed's design, call for call:
 * <ul>
 *   <li>one re-entrant lock ({@code threading.RLock}) around every operation;</li>
 *   <li>{@code buffer_id = str(uuid.uuid4())} for every new buffer, and maps keyed by that string:
 *       {@code _buffers} (id → bytes), {@code _allocations} (id → {@code BufferAllocation}), and a
 *       set {@code _free_buffers} of {@code (size, id)} pairs;</li>
 *   <li>{@code _try_acquire_buffer}: a linear scan of the free set for a buffer whose size is in
 *       {@code [size, 1.5 * size]}; a reused buffer is re-zeroed at the requested size
 *       ({@code buffer[:] = bytearray(size)}, which allocates a zeroed {@code bytearray(size)} and
 *       copies it in: the port allocates the zeroed array and keeps it); otherwise a new buffer;</li>
 *   <li>on every acquire a {@code BufferAllocation} record with two timestamps
 *       ({@code datetime.utcnow()} twice), the thread id and the stack
 *       ({@code traceback.format_stack()[-5:]}: the port takes the stack and formats its five
 *       innermost frames);</li>
 *   <li>a {@code ManagedBuffer} wrapper holding the pool weakly, whose {@code __del__} releases the
 *       buffer when the wrapper is collected unreleased: the port registers each wrapper with a
 *       {@link Cleaner}, the Java form of a finalizer;</li>
 *   <li>{@code release}: drop the allocation record, add {@code (len(buffer), id)} to the free set;
 *       when a request does not fit under {@code max_size}, {@code _reclaim_leaked_buffers} scans
 *       every allocation for one older than 300 s.</li>
 * </ul>
 * Left out, which favours the port: the seed's logging, its async variant and its waiting loop
 * (an acquire that does not fit sleeps 100 ms and retries up to its 30 s timeout; the benchmarks
 * never exhaust it). Like the seed, {@code used_size} only grows (reused buffers are not
 * re-counted, freed ones are not subtracted).
 */
final class SeedBufferPool {

    /** The seed's {@code max_size}: 100 MB. */
    static final long DEFAULT_MAX_SIZE = 100L * 1024 * 1024;
    /** The seed's {@code max_buffer_size}: 10 MB. */
    static final int DEFAULT_MAX_BUFFER_SIZE = 10 * 1024 * 1024;
    /** {@code BufferAllocation.is_leaked}'s default timeout. */
    private static final long LEAK_TIMEOUT_SECONDS = 300;
    private static final int STACK_FRAMES = 5;
    private static final long RETRY_SLEEP_MILLIS = 100;
    private static final long ACQUIRE_TIMEOUT_MILLIS = 30_000;
    private static final Cleaner CLEANER = Cleaner.create();
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final long maxSize;
    private final int maxBufferSize;
    private long usedSize;

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, byte[]> buffers = new HashMap<>();
    private final Map<String, BufferAllocation> allocations = new HashMap<>();
    private final Set<FreeBuffer> freeBuffers = new HashSet<>();

    long allocationCount;
    long releaseCount;
    long leakCount;
    long reuseCount;

    SeedBufferPool(long maxSize, int maxBufferSize) {
        this.maxSize = maxSize;
        this.maxBufferSize = maxBufferSize;
    }

    /** The seed's {@code BufferAllocation} dataclass. */
    record BufferAllocation(String bufferId, int size, Instant allocatedAt, Instant lastAccessed,
                            List<String> stackTrace, long threadId) {
        boolean isLeaked(Instant now) {
            return now.getEpochSecond() - allocatedAt.getEpochSecond() > LEAK_TIMEOUT_SECONDS;
        }
    }

    /** An entry of the seed's {@code _free_buffers} set: {@code (size, buffer_id)}. */
    private record FreeBuffer(int size, String bufferId) {
    }

    /** The seed's {@code ManagedBuffer}: id, data, the pool held weakly, and release on collection. */
    static final class ManagedBuffer {
        final String bufferId;
        final byte[] data;
        private final WeakReference<SeedBufferPool> pool;
        private final ReleaseOnCollect state;
        private final Cleaner.Cleanable cleanable;

        ManagedBuffer(String bufferId, byte[] data, SeedBufferPool pool) {
            this.bufferId = bufferId;
            this.data = data;
            this.pool = new WeakReference<>(pool);
            this.state = new ReleaseOnCollect(bufferId, this.pool);
            this.cleanable = CLEANER.register(this, state);
        }

        /** The seed's {@code release()}: explicit, once. */
        void release() {
            if (!state.released) {
                SeedBufferPool p = pool.get();
                if (p != null) {
                    p.release(bufferId);
                    state.released = true;
                }
            }
            cleanable.clean();
        }
    }

    /** The seed's {@code __del__}: a wrapper collected unreleased force-releases its buffer. */
    private static final class ReleaseOnCollect implements Runnable {
        private final String bufferId;
        private final WeakReference<SeedBufferPool> pool;
        volatile boolean released;

        ReleaseOnCollect(String bufferId, WeakReference<SeedBufferPool> pool) {
            this.bufferId = bufferId;
            this.pool = pool;
        }

        @Override
        public void run() {
            if (!released) {
                SeedBufferPool p = pool.get();
                if (p != null) {
                    p.forceRelease(bufferId);
                }
            }
        }
    }

    /** The seed's {@code acquire_sync}: try, and while nothing fits sleep 100 ms and retry until the timeout. */
    ManagedBuffer acquire(int size) {
        if (size > maxBufferSize) {
            throw new IllegalArgumentException("Buffer size " + size + " exceeds maximum " + maxBufferSize);
        }
        long start = System.currentTimeMillis();
        while (true) {
            lock.lock();
            try {
                String bufferId = tryAcquireBuffer(size);
                if (bufferId != null) {
                    Instant now = Instant.now();
                    allocations.put(bufferId, new BufferAllocation(bufferId, size, now, Instant.now(),
                            formatStack(), Thread.currentThread().getId()));
                    allocationCount++;
                    return new ManagedBuffer(bufferId, buffers.get(bufferId), this);
                }
            } finally {
                lock.unlock();
            }
            if (System.currentTimeMillis() - start > ACQUIRE_TIMEOUT_MILLIS) {
                throw new IllegalStateException("Failed to acquire buffer of size " + size + " after 30s");
            }
            try {
                Thread.sleep(RETRY_SLEEP_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a buffer of size " + size, e);
            }
        }
    }

    private static List<String> formatStack() {
        StackTraceElement[] stack = new Throwable().getStackTrace();
        List<String> frames = new ArrayList<>(STACK_FRAMES);
        for (int i = 0; i < Math.min(STACK_FRAMES, stack.length); i++) {
            frames.add(stack[i].toString());
        }
        return frames;
    }

    /** The seed's {@code _try_acquire_buffer}; called under the lock. Returns the id, or null. */
    private String tryAcquireBuffer(int size) {
        if (usedSize + size > maxSize) {
            reclaimLeakedBuffers();
            if (usedSize + size > maxSize) {
                return null;
            }
        }
        for (Iterator<FreeBuffer> it = freeBuffers.iterator(); it.hasNext(); ) {
            FreeBuffer free = it.next();
            if (free.size() >= size && free.size() <= size * 1.5) {
                it.remove();
                buffers.put(free.bufferId(), new byte[size]);
                reuseCount++;
                return free.bufferId();
            }
        }
        String bufferId = UUID.randomUUID().toString();
        buffers.put(bufferId, new byte[size]);
        usedSize += size;
        return bufferId;
    }

    /** The seed's {@code release(buffer_id)}. */
    void release(String bufferId) {
        lock.lock();
        try {
            byte[] buffer = buffers.get(bufferId);
            if (buffer == null) {
                return;
            }
            allocations.remove(bufferId);
            freeBuffers.add(new FreeBuffer(buffer.length, bufferId));
            releaseCount++;
        } finally {
            lock.unlock();
        }
    }

    /** The seed's {@code _force_release}, used on collection of an unreleased wrapper. */
    void forceRelease(String bufferId) {
        lock.lock();
        try {
            byte[] buffer = buffers.remove(bufferId);
            if (buffer != null) {
                usedSize -= buffer.length;
                allocations.remove(bufferId);
                leakCount++;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The seed's {@code _reclaim_leaked_buffers}: force-release every allocation older than 300 s. */
    private void reclaimLeakedBuffers() {
        Instant now = Instant.now();
        List<String> leaked = new ArrayList<>();
        for (Map.Entry<String, BufferAllocation> e : allocations.entrySet()) {
            if (e.getValue().isLeaked(now)) {
                leaked.add(e.getKey());
            }
        }
        for (String id : leaked) {
            forceRelease(id);
        }
    }

    static void putLong(byte[] data, int index, long value) {
        LONGS.set(data, index, value);
    }

    static long getLong(byte[] data, int index) {
        return (long) LONGS.get(data, index);
    }
}

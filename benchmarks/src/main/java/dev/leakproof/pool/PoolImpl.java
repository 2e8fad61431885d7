package dev.leakproof.pool;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The buffer sources the pool benchmarks compare, each behind the same three calls of
 * {@link Source}: acquire a buffer of {@code size} bytes, use it (write a {@code long} at offset 0,
 * read the {@code long} at offset {@code size - 8}), release it. Every source hands out at least
 * {@code size} usable bytes; heap or direct memory as the benchmark's {@code direct} parameter says.
 *
 * <p>The leakproof variants differ in tracking level ({@link TrackingLevel}) and scrubbing
 * (zeroing a reused buffer before hand-out, on by default; {@code _NOSCRUB} turns it off, as
 * Netty and Commons Pool2 never zero). Each run of a benchmark (a JMH fork) loads one variant only.
 */
public enum PoolImpl {
    /** leakproof {@link BufferPool}, tracking {@code OFF}, scrubbing on. */
    LEAKPROOF_OFF {
        @Override
        Source create(boolean direct) {
            return leakproof(direct, TrackingLevel.OFF, true);
        }
    },
    /** leakproof, tracking {@code OFF}, scrubbing off. */
    LEAKPROOF_OFF_NOSCRUB {
        @Override
        Source create(boolean direct) {
            return leakproof(direct, TrackingLevel.OFF, false);
        }
    },
    /** leakproof with its defaults: tracking {@code SAMPLED} (1 in 128), scrubbing on. */
    LEAKPROOF_SAMPLED {
        @Override
        Source create(boolean direct) {
            return leakproof(direct, TrackingLevel.SAMPLED, true);
        }
    },
    /** leakproof, tracking {@code SAMPLED}, scrubbing off: the pool-target row. */
    LEAKPROOF_SAMPLED_NOSCRUB {
        @Override
        Source create(boolean direct) {
            return leakproof(direct, TrackingLevel.SAMPLED, false);
        }
    },
    /**
     * leakproof, tracking {@code SAMPLED} at 1 in 1024 instead of the default 1 in 128, scrubbing off:
     * shows what the sampled stack capture costs, since it is the whole gap between SAMPLED and OFF.
     */
    LEAKPROOF_SAMPLED1024_NOSCRUB {
        @Override
        Source create(boolean direct) {
            return leakproof(direct, TrackingLevel.SAMPLED, false, 1024);
        }
    },
    /** leakproof, tracking {@code ALL} (a stack trace per acquire), scrubbing on. */
    LEAKPROOF_ALL {
        @Override
        Source create(boolean direct) {
            return leakproof(direct, TrackingLevel.ALL, true);
        }
    },
    /** leakproof, tracking {@code ALL}, scrubbing off. */
    LEAKPROOF_ALL_NOSCRUB {
        @Override
        Source create(boolean direct) {
            return leakproof(direct, TrackingLevel.ALL, false);
        }
    },
    /** Netty {@link PooledByteBufAllocator} (its own instance), leak detection {@code DISABLED}; release is {@code ByteBuf.release()}. */
    NETTY_POOLED {
        @Override
        Source create(boolean direct) {
            return netty(direct, ResourceLeakDetector.Level.DISABLED);
        }
    },
    /** Netty {@link PooledByteBufAllocator}, leak detection {@code SIMPLE} (Netty's default: samples 1 buffer in 128). */
    NETTY_POOLED_SIMPLE {
        @Override
        Source create(boolean direct) {
            return netty(direct, ResourceLeakDetector.Level.SIMPLE);
        }
    },
    /**
     * Commons Pool2 {@link GenericObjectPool} of {@link ByteBuffer}s, one pool per size (sizes are
     * powers of two here), JMX off, no abandoned-object tracking; release is {@code returnObject}.
     */
    COMMONS_POOL2 {
        @Override
        Source create(boolean direct) {
            return new Pool2Source(direct);
        }
    },
    /** No pool: {@code ByteBuffer.allocate(size)} (a {@code new byte[size]}) or {@code allocateDirect}; release is left to the GC. */
    ALLOCATE {
        @Override
        Source create(boolean direct) {
            return new Source() {
                @Override
                public Object acquire(int size) {
                    return direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
                }

                @Override
                public long use(Object buffer, int size, long value) {
                    ByteBuffer b = (ByteBuffer) buffer;
                    b.putLong(0, value);
                    return b.getLong(size - Long.BYTES);
                }

                @Override
                public void release(Object buffer) {
                    // Nothing: the garbage collector (or the direct buffer's cleaner) frees it.
                }
            };
        }
    },
    /** {@link SeedBufferPool}: the seed's pool (UUID ids, maps, linear free-set scan, a stack trace per acquire); heap only. */
    SEED_PORT {
        @Override
        Source create(boolean direct) {
            if (direct) {
                throw new IllegalArgumentException("SEED_PORT has heap buffers only (the seed's bytearray); direct=" + direct);
            }
            SeedBufferPool pool = new SeedBufferPool(SeedBufferPool.DEFAULT_MAX_SIZE, SeedBufferPool.DEFAULT_MAX_BUFFER_SIZE);
            return new Source() {
                @Override
                public Object acquire(int size) {
                    return pool.acquire(size);
                }

                @Override
                public long use(Object buffer, int size, long value) {
                    SeedBufferPool.ManagedBuffer b = (SeedBufferPool.ManagedBuffer) buffer;
                    SeedBufferPool.putLong(b.data, 0, value);
                    return SeedBufferPool.getLong(b.data, size - Long.BYTES);
                }

                @Override
                public void release(Object buffer) {
                    ((SeedBufferPool.ManagedBuffer) buffer).release();
                }
            };
        }
    };

    /** The pool size limit used for every pool that has one: room for the fragmentation benchmark's live set. */
    static final long MAX_TOTAL_BYTES = 512L << 20;

    /** A buffer source: one instance per benchmark trial, closed at its end. */
    interface Source extends AutoCloseable {
        /** A buffer of at least {@code size} bytes. */
        Object acquire(int size);

        /** Writes {@code value} at offset 0 and returns the {@code long} at {@code size - 8}. */
        long use(Object buffer, int size, long value);

        /** Gives the buffer back. */
        void release(Object buffer);

        @Override
        default void close() {
        }
    }

    /** A new source of heap ({@code direct == false}) or direct buffers. */
    abstract Source create(boolean direct);

    private static Source leakproof(boolean direct, TrackingLevel tracking, boolean scrub) {
        return leakproof(direct, tracking, scrub, 128);
    }

    private static Source leakproof(boolean direct, TrackingLevel tracking, boolean scrub, int sampleRate) {
        BufferPool pool = BufferPool.builder().name("bench-" + tracking + (scrub ? "" : "-noscrub"))
                .maxTotalBytes(MAX_TOTAL_BYTES).direct(direct).tracking(tracking).scrub(scrub)
                .sampleRate(sampleRate).build();
        return new Source() {
            @Override
            public Object acquire(int size) {
                return pool.acquire(size);
            }

            @Override
            public long use(Object buffer, int size, long value) {
                Lease lease = (Lease) buffer;
                lease.putLong(0, value);
                return lease.getLong(size - Long.BYTES);
            }

            @Override
            public void release(Object buffer) {
                ((Lease) buffer).close();
            }

            @Override
            public void close() {
                pool.close();
            }
        };
    }

    private static Source netty(boolean direct, ResourceLeakDetector.Level level) {
        ResourceLeakDetector.setLevel(level);
        PooledByteBufAllocator allocator = new PooledByteBufAllocator(direct);
        return new Source() {
            @Override
            public Object acquire(int size) {
                return direct ? allocator.directBuffer(size, size) : allocator.heapBuffer(size, size);
            }

            @Override
            public long use(Object buffer, int size, long value) {
                ByteBuf b = (ByteBuf) buffer;
                b.setLong(0, value);
                return b.getLong(size - Long.BYTES);
            }

            @Override
            public void release(Object buffer) {
                ((ByteBuf) buffer).release();
            }
        };
    }

    /** Commons Pool2: a {@link GenericObjectPool} per power-of-two size, made on first use. */
    private static final class Pool2Source implements Source {
        private final boolean direct;
        private final AtomicReferenceArray<GenericObjectPool<ByteBuffer>> pools = new AtomicReferenceArray<>(Integer.SIZE);

        Pool2Source(boolean direct) {
            this.direct = direct;
        }

        private GenericObjectPool<ByteBuffer> poolFor(int size) {
            if (Integer.bitCount(size) != 1) {
                throw new IllegalArgumentException("COMMONS_POOL2 here takes power-of-two sizes only, got " + size);
            }
            int index = Integer.numberOfTrailingZeros(size);
            GenericObjectPool<ByteBuffer> pool = pools.get(index);
            if (pool == null) {
                GenericObjectPoolConfig<ByteBuffer> config = new GenericObjectPoolConfig<>();
                config.setMaxTotal(-1);
                config.setMaxIdle(Integer.MAX_VALUE);
                config.setJmxEnabled(false);
                config.setMaxWait(Duration.ofSeconds(30));
                GenericObjectPool<ByteBuffer> created = new GenericObjectPool<>(new BasePooledObjectFactory<>() {
                    @Override
                    public ByteBuffer create() {
                        return direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
                    }

                    @Override
                    public PooledObject<ByteBuffer> wrap(ByteBuffer buffer) {
                        return new DefaultPooledObject<>(buffer);
                    }
                }, config);
                if (pools.compareAndSet(index, null, created)) {
                    pool = created;
                } else {
                    created.close();
                    pool = pools.get(index);
                }
            }
            return pool;
        }

        @Override
        public Object acquire(int size) {
            try {
                return poolFor(size).borrowObject();
            } catch (Exception e) {
                throw new IllegalStateException("Commons Pool2 borrowObject failed for size " + size, e);
            }
        }

        @Override
        public long use(Object buffer, int size, long value) {
            ByteBuffer b = (ByteBuffer) buffer;
            b.putLong(0, value);
            return b.getLong(size - Long.BYTES);
        }

        @Override
        public void release(Object buffer) {
            ByteBuffer b = (ByteBuffer) buffer;
            poolFor(b.capacity()).returnObject(b);
        }

        @Override
        public void close() {
            for (int i = 0; i < pools.length(); i++) {
                GenericObjectPool<ByteBuffer> pool = pools.get(i);
                if (pool != null) {
                    pool.close();
                }
            }
        }
    }
}

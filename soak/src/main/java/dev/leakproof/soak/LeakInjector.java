package dev.leakproof.soak;

import dev.leakproof.pool.BufferPool;
import dev.leakproof.pool.Lease;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Injects a known leak for calibration, smoothly: each {@link #tick()} brings the injected total up
 * to {@code bytesPerMinute × elapsed} in chunks of {@link #CHUNK} bytes.
 * <ul>
 *   <li>{@link Kind#RETAINED}: byte arrays kept reachable in a list (the heap grows by the rate);</li>
 *   <li>{@link Kind#LEASE}: pool leases acquired and never closed, kept reachable (the pool's
 *       {@code activeLeases}/{@code usedBytes} grow, and the age scan reports them as long holds).
 *       The injection stops, with a {@code warning} event, before the leaked leases would take more than
 *       half of the pool's {@code maxTotalBytes}, so the workload keeps working.</li>
 * </ul>
 * Holding what it injects is the point: this is the one structure of the driver that grows, and
 * only when asked. A tick adds at most {@link #MAX_CHUNKS_PER_TICK} chunks, so a stalled sampler
 * catches up gradually. Not thread-safe: ticked by the sampler thread only.
 */
final class LeakInjector {

    /** What kind of leak to inject. */
    enum Kind {
        NONE, RETAINED, LEASE;

        /** The name in the samples header: {@code none}, {@code retained}, {@code lease}. */
        String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * The kind named {@code text} ({@code retained} or {@code lease}).
         *
         * @throws IllegalArgumentException naming the value and the accepted ones
         */
        static Kind parse(String text) {
            return switch (text == null ? "" : text) {
                case "retained" -> RETAINED;
                case "lease" -> LEASE;
                default -> throw new IllegalArgumentException("--leak-kind '" + text + "' is not one of [retained, lease]");
            };
        }
    }

    /** Bytes per injected object or lease: 16 KiB (exactly a pool size class). */
    static final int CHUNK = 16 * 1024;
    /** Chunks injected per tick, at most. */
    static final int MAX_CHUNKS_PER_TICK = 1024;

    private final Kind kind;
    private final long bytesPerMinute;
    private final SoakClock clock;
    private final BufferPool pool;
    private final Events events;
    private final List<Object> kept = new ArrayList<>();
    private long injectedBytes;
    private boolean stopped;
    private boolean warnedNoRoom;

    /**
     * @param pool the pool to leak leases from; required for {@link Kind#LEASE}
     * @throws IllegalArgumentException for a negative rate, or {@code LEASE} without a pool
     */
    LeakInjector(Kind kind, long bytesPerMinute, SoakClock clock, Optional<BufferPool> pool, Events events) {
        if (bytesPerMinute < 0) {
            throw new IllegalArgumentException("leak rate must be at least 0 bytes/min, not " + bytesPerMinute);
        }
        if (kind == Kind.LEASE && pool.isEmpty()) {
            throw new IllegalArgumentException("--leak-kind lease needs a workload with a buffer pool (mixed or pool)");
        }
        this.kind = bytesPerMinute == 0 ? Kind.NONE : kind;
        this.bytesPerMinute = bytesPerMinute;
        this.clock = clock;
        this.pool = pool.orElse(null);
        this.events = events;
    }

    Kind kind() {
        return kind;
    }

    long bytesPerMinute() {
        return kind == Kind.NONE ? 0 : bytesPerMinute;
    }

    /** Injects what is due by now. */
    void tick() {
        if (kind == Kind.NONE || stopped) {
            return;
        }
        double due = bytesPerMinute * (clock.elapsedNanos() / 60e9);
        int chunks = 0;
        while (injectedBytes + CHUNK <= due && chunks < MAX_CHUNKS_PER_TICK) {
            if (kind == Kind.RETAINED) {
                byte[] b = new byte[CHUNK];
                b[0] = (byte) kept.size();
                kept.add(b);
            } else if (!leakLease()) {
                return;
            }
            injectedBytes += CHUNK;
            chunks++;
        }
    }

    private boolean leakLease() {
        long budget = pool.maxTotalBytes() / 2;
        if (injectedBytes + CHUNK > budget) {
            stop("lease leak injection stopped at " + Units.bytes(injectedBytes)
                    + ": more would exceed half of the pool's maxTotalBytes (" + Units.bytes(pool.maxTotalBytes()) + ")");
            return false;
        }
        Optional<Lease> lease = pool.tryAcquire(CHUNK);
        if (lease.isEmpty()) {
            if (warnedNoRoom) {
                return false;
            }
            warnedNoRoom = true;
            events.add("warning", "lease leak injection: the pool had no room for a " + CHUNK + " B lease; retrying (warned once)");
            return false;
        }
        kept.add(lease.get());
        return true;
    }

    private void stop(String why) {
        stopped = true;
        events.add("warning", why);
    }

    long injectedBytes() {
        return injectedBytes;
    }

    long injectedObjects() {
        return kept.size();
    }

    /** Lets go of what was injected (at the end of the soak). Leases are left unclosed: the pool reports them. */
    void release() {
        kept.clear();
    }
}

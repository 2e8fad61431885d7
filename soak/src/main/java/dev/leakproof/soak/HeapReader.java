package dev.leakproof.soak;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Reads the JVM's memory: now, after each GC (from the collectors' notifications, handed over
 * through a bounded queue), and settled (forced GCs until a weak sentinel is cleared and two
 * readings agree). Heap figures are summed over the heap memory pools; the old generation is the
 * pool whose name says {@code Old Gen} or {@code Tenured} (0 with a collector that has none, such as ZGC).
 */
final class HeapReader implements AutoCloseable {

    /** One reading. {@code directUsed}/{@code directCount} are -1 when the JVM does not report them. */
    record Reading(long heapUsed, long heapCommitted, long oldGenUsed, long directUsed, long directCount) {
    }

    /** One GC, as its notification described it, with the heap after it. */
    record GcEvent(String name, String action, String cause, long durationMs, Reading after) {
    }

    /** A settled reading and how many forced GCs it took. */
    record Settled(Reading reading, int gcs, boolean stable) {
    }

    /** GC notifications waiting for the sampler, at most; later ones are counted and lost. */
    static final int GC_QUEUE_CAPACITY = 256;
    /** Forced GCs per settled reading, at most. */
    static final int MAX_SETTLE_GCS = 5;
    /** Two settled readings agree when they differ by at most this many bytes ... */
    static final long SETTLE_TOLERANCE_BYTES = 1L << 20;
    /** ... or by at most this fraction of the larger one. */
    static final double SETTLE_TOLERANCE_FRACTION = 0.01;

    private final List<MemoryPoolMXBean> heapPools = new ArrayList<>();
    private final BufferPoolMXBean direct;
    private final ArrayBlockingQueue<GcEvent> gcEvents = new ArrayBlockingQueue<>(GC_QUEUE_CAPACITY);
    private final AtomicLong gcEventsLost = new AtomicLong();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onNotification;

    HeapReader() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.isValid()) {
                heapPools.add(p);
            }
        }
        BufferPoolMXBean d = null;
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) {
                d = b;
            }
        }
        direct = d;
    }

    /** Starts listening to GC notifications (until {@link #close()}). */
    HeapReader listen() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
                emitters.add(emitter);
            }
        }
        return this;
    }

    /** The collectors' names, for the header. */
    static List<String> collectorNames() {
        List<String> names = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            names.add(gc.getName());
        }
        return names;
    }

    /** The memory now. */
    Reading now() {
        long used = 0;
        long committed = 0;
        long old = 0;
        for (MemoryPoolMXBean p : heapPools) {
            MemoryUsage u = p.getUsage();
            if (u == null) {
                continue;
            }
            used += u.getUsed();
            committed += u.getCommitted();
            if (isOld(p.getName())) {
                old += u.getUsed();
            }
        }
        return new Reading(used, committed, old, directUsed(), directCount());
    }

    /**
     * Forces GCs until the heap is settled: a weak sentinel made before the GC has been cleared and
     * two consecutive post-GC readings (the pools' collection usage) agree within 1 MiB or 1 %.
     * Gives up after {@link #MAX_SETTLE_GCS} GCs ({@code stable} false). The reading is the smaller of
     * the last two, the best estimate of live data while the workload keeps allocating.
     */
    Settled settle() {
        long previous = -1;
        long value = -1;
        int gcs = 0;
        boolean stable = false;
        while (gcs < MAX_SETTLE_GCS) {
            WeakReference<Object> sentinel = new WeakReference<>(new Object());
            System.gc();
            gcs++;
            long r = collectionUsage();
            boolean cleared = sentinel.get() == null;
            if (previous >= 0) {
                value = Math.min(previous, r);
                long diff = Math.abs(r - previous);
                if (cleared && (diff <= SETTLE_TOLERANCE_BYTES
                        || diff <= SETTLE_TOLERANCE_FRACTION * Math.max(r, previous))) {
                    stable = true;
                    break;
                }
            }
            previous = r;
        }
        if (value < 0) {
            value = previous;
        }
        Reading n = now();
        return new Settled(new Reading(value, n.heapCommitted(), oldAfterGc(), n.directUsed(), n.directCount()),
                gcs, stable);
    }

    /** The next GC notification, waiting up to {@code timeoutMs}; {@code null} if none came. */
    GcEvent nextGc(long timeoutMs) throws InterruptedException {
        return timeoutMs <= 0 ? gcEvents.poll() : gcEvents.poll(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** GC notifications lost because the queue was full. */
    long gcEventsLost() {
        return gcEventsLost.get();
    }

    /** GC notifications waiting. */
    int gcEventsWaiting() {
        return gcEvents.size();
    }

    /** Queues a GC event as a notification would (tests use it to drive the sampler without a GC). */
    void offer(GcEvent event) {
        if (!gcEvents.offer(event)) {
            gcEventsLost.incrementAndGet();
        }
    }

    @Override
    public void close() {
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(listener);
            } catch (ListenerNotFoundException ignored) {
                // already gone: nothing to undo
            }
        }
        emitters.clear();
    }

    private void onNotification(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        GcInfo gc = info.getGcInfo();
        long used = 0;
        long committed = 0;
        long old = 0;
        for (Map.Entry<String, MemoryUsage> e : gc.getMemoryUsageAfterGc().entrySet()) {
            if (!isHeapPool(e.getKey())) {
                continue;
            }
            used += e.getValue().getUsed();
            committed += e.getValue().getCommitted();
            if (isOld(e.getKey())) {
                old += e.getValue().getUsed();
            }
        }
        offer(new GcEvent(info.getGcName(), info.getGcAction(), info.getGcCause(), gc.getDuration(),
                new Reading(used, committed, old, directUsed(), directCount())));
    }

    private boolean isHeapPool(String name) {
        for (MemoryPoolMXBean p : heapPools) {
            if (p.getName().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private long collectionUsage() {
        long sum = 0;
        boolean any = false;
        for (MemoryPoolMXBean p : heapPools) {
            MemoryUsage u = p.getCollectionUsage();
            if (u != null) {
                sum += u.getUsed();
                any = true;
            }
        }
        return any ? sum : now().heapUsed();
    }

    private long oldAfterGc() {
        long old = 0;
        for (MemoryPoolMXBean p : heapPools) {
            if (isOld(p.getName())) {
                MemoryUsage u = p.getCollectionUsage();
                old += u != null ? u.getUsed() : p.getUsage().getUsed();
            }
        }
        return old;
    }

    private long directUsed() {
        return direct == null ? -1 : direct.getMemoryUsed();
    }

    private long directCount() {
        return direct == null ? -1 : direct.getCount();
    }

    private static boolean isOld(String poolName) {
        String n = poolName.toLowerCase(Locale.ROOT);
        return n.contains("old gen") || n.contains("tenured");
    }
}

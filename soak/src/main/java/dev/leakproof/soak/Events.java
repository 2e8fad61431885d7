package dev.leakproof.soak;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded hand-off of one-off events ({@code phase}, {@code leak}, {@code failure}, {@code warning})
 * from the workload threads to the thread that writes the samples. When it is full new events are
 * counted in {@link #dropped()} and lost, so a storm of events can never grow the driver's memory.
 * Details longer than {@link #MAX_DETAIL} characters are cut. Thread-safe.
 */
final class Events {

    /** Events waiting to be written, at most. */
    static final int CAPACITY = 1024;
    /** The longest detail kept, in characters. */
    static final int MAX_DETAIL = 1000;

    private record Event(long tMs, String kind, String detail) {
    }

    private final ArrayBlockingQueue<Event> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final SoakClock clock;

    Events(SoakClock clock) {
        this.clock = clock;
    }

    /** Queues an event stamped now; counts it as dropped if the queue is full. */
    void add(String kind, String detail) {
        String d = detail == null ? "" : detail;
        if (d.length() > MAX_DETAIL) {
            d = d.substring(0, MAX_DETAIL) + "...";
        }
        if (!queue.offer(new Event(clock.elapsedMs(), kind, d))) {
            dropped.incrementAndGet();
        }
    }

    /** Hands every queued event to {@code sink} as (kind, detail) with its time, oldest first. */
    void drain(EventSink sink) {
        Event e;
        while ((e = queue.poll()) != null) {
            sink.write(e.tMs(), e.kind(), e.detail());
        }
    }

    /** Events lost because the queue was full. */
    long dropped() {
        return dropped.get();
    }

    /** Events waiting. */
    int size() {
        return queue.size();
    }

    /** Where {@link #drain} writes to. */
    @FunctionalInterface
    interface EventSink {
        void write(long tMs, String kind, String detail);
    }

}

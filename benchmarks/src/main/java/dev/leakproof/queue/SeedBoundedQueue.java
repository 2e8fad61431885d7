package dev.leakproof.queue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.AbstractQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A port of the seed's bounded queue (seed 001, "Memory Leak in Queue Processing", fix strategy
 * 1: "Add Bounded Queue with Overflow Handling"), the baseline the leakproof queue must beat. The
 * seed wraps {@code asyncio.Queue(maxsize=max_queue_size)} and handles overflow like this:
 *
 * <pre>
 * try:
 *     self.message_queue.put_nowait(message)
 * except asyncio.QueueFull:
 *     self.dropped_messages += 1
 *     # Option 1: Drop oldest message
 *     try:
 *         self.message_queue.get_nowait()
 *         self.message_queue.put_nowait(message)
 * </pre>
 *
 * The Java port keeps that design: a bounded FIFO (an {@link ArrayDeque}, as {@code asyncio.Queue}
 * is a deque) behind one lock, and a drop-oldest {@link #offer} that is a failed {@code put_nowait},
 * then a separate {@code get_nowait} and a separate {@code put_nowait}, each taking the lock on its
 * own (so between the poll and the re-offer another producer may take the freed slot, and the
 * second put then fails: the seed's {@code except QueueFull} does not cover it, the port returns
 * {@code false}). The seed's per-drop {@code logger.warning} is left out, which favours the port.
 *
 * @param <E> the element type
 */
final class SeedBoundedQueue<E> extends AbstractQueue<E> {

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<E> elements;
    private final int maxSize;
    private final Runnable onDrop;
    private long droppedMessages;

    /**
     * @param maxSize the seed's {@code max_queue_size}, at least 1
     * @param onDrop  called once per dropped (evicted) element, on the offering thread
     */
    SeedBoundedQueue(int maxSize, Runnable onDrop) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be at least 1 but was " + maxSize);
        }
        this.maxSize = maxSize;
        this.elements = new ArrayDeque<>(maxSize);
        this.onDrop = onDrop;
    }

    /** The seed's {@code add_message}: put, or on a full queue drop the oldest and put again. */
    @Override
    public boolean offer(E e) {
        if (putNowait(e)) {
            return true;
        }
        lock.lock();
        try {
            droppedMessages++;
        } finally {
            lock.unlock();
        }
        E oldest = poll();
        if (oldest != null) {
            onDrop.run();
        }
        return putNowait(e);
    }

    private boolean putNowait(E e) {
        if (e == null) {
            throw new NullPointerException("element must not be null");
        }
        lock.lock();
        try {
            if (elements.size() >= maxSize) {
                return false;
            }
            elements.addLast(e);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The seed's {@code get_nowait}: the oldest element, or {@code null} when empty. */
    @Override
    public E poll() {
        lock.lock();
        try {
            return elements.pollFirst();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public E peek() {
        lock.lock();
        try {
            return elements.peekFirst();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int size() {
        lock.lock();
        try {
            return elements.size();
        } finally {
            lock.unlock();
        }
    }

    /** The seed's {@code dropped_messages} counter. */
    long droppedMessages() {
        lock.lock();
        try {
            return droppedMessages;
        } finally {
            lock.unlock();
        }
    }

    /** A snapshot iterator (the seed has none; {@link AbstractQueue} needs one). */
    @Override
    public Iterator<E> iterator() {
        lock.lock();
        try {
            return new ArrayList<>(elements).iterator();
        } finally {
            lock.unlock();
        }
    }
}

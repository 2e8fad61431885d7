package dev.leakproof.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** A drop listener that remembers every drop, thread-safely. */
final class RecordingListener<E> implements DropListener<E> {

    final ConcurrentLinkedQueue<E> elements = new ConcurrentLinkedQueue<>();
    final Map<DropReason, AtomicInteger> byReason = new ConcurrentHashMap<>();

    @Override
    public void onDrop(E element, DropReason reason) {
        elements.add(element);
        byReason.computeIfAbsent(reason, r -> new AtomicInteger()).incrementAndGet();
    }

    int count(DropReason reason) {
        AtomicInteger n = byReason.get(reason);
        return n == null ? 0 : n.get();
    }

    List<E> list() {
        return new ArrayList<>(elements);
    }
}

package dev.leakproof.retry;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedList;
import java.util.concurrent.TimeUnit;

/**
 * {@link RetryBuffer#add} on a full buffer, so that every add also evicts the oldest item
 * ({@link AbandonReason#EVICTED_CAPACITY}, handed to a counting dead-letter listener), at a
 * capacity of 1 K, 64 K and 1 M items. One thread. The buffer is filled in set-up; its clock is
 * injected and stands still (nothing expires, the time read costs nothing) and periodic cleanup is
 * off (no thread). Target: flat ns/op from 1 K to 1 M (add and eviction are O(1) when no item
 * waits for a retry). The buffer keeps never-attempted items in a ring without an object per item;
 * each add allocates only the {@link Abandoned} record (and its age) of the item it evicts, which
 * dies young, so expect a constant B/op.
 *
 * <p>Baselines ({@code impl}), to tell the design from the memory system: the same evicting FIFO
 * built from a JDK {@link ArrayDeque} and from a JDK {@link LinkedList}, each keeping a small
 * record per item (the item and its arrival time, read again on eviction), as a buffer with one
 * node per item does (leakproof's own earlier design did). Their rise from 1 K to 1 M is the
 * garbage collector copying and promoting records that outlive a young collection (see
 * {@code gc.time}) and the evicted record being cold; the buffer's ring has neither.
 *
 * <p>Run alone: {@code java -jar benchmarks/target/benchmarks.jar RetryBufferAddBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RetryBufferAddBenchmark {

    private static final Object ITEM = new Object();

    /** The FIFO under test. */
    public enum Impl { LEAKPROOF, JDK_ARRAY_DEQUE, JDK_LINKED_LIST }

    /** What a baseline keeps per item: the item and its arrival time, like the buffer's entry. */
    record Held(Object item, long arrival) { }

    @Param({"1024", "65536", "1048576"})
    int capacity;

    @Param
    Impl impl;

    RetryBuffer<Object> buffer;
    Deque<Held> deque;
    long now;
    long deadLetters;

    @Setup(Level.Trial)
    public void setUp() {
        if (impl != Impl.LEAKPROOF) {
            deque = impl == Impl.JDK_ARRAY_DEQUE ? new ArrayDeque<>(capacity) : new LinkedList<>();
            for (int i = 0; i < capacity; i++) {
                deque.addLast(new Held(ITEM, now));
            }
            return;
        }
        buffer = RetryBuffer.builder().name("bench-add").maxBufferSize(capacity).maxAge(Duration.ofDays(1))
                .clock(() -> now).periodicCleanup(false).deadLetterListener(abandoned -> deadLetters++).build();
        for (int i = 0; i < capacity; i++) {
            buffer.add(ITEM);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (impl != Impl.LEAKPROOF) {
            if (deque.size() != capacity) {
                throw new IllegalStateException("the baseline should have stayed full at " + capacity + " but held "
                        + deque.size());
            }
            return;
        }
        int size = buffer.size();
        buffer.close();
        if (size != capacity) {
            throw new IllegalStateException("the buffer should have stayed full at " + capacity + " but held " + size);
        }
    }

    @Benchmark
    @Threads(1)
    public long addEvicting() {
        if (impl == Impl.LEAKPROOF) {
            buffer.add(ITEM);
            return deadLetters;
        }
        long evictedArrival = 0;
        if (deque.size() >= capacity) {
            evictedArrival = deque.pollFirst().arrival();
            deadLetters++;
        }
        deque.addLast(new Held(ITEM, now));
        return evictedArrival;
    }
}

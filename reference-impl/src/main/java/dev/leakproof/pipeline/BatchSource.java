package dev.leakproof.pipeline;

import java.util.Iterator;
import java.util.Objects;
import java.util.Spliterator;

/**
 * Where a {@link Pipeline}'s producer thread takes its batches from: called on that thread only,
 * one batch at a time, never again after it returned {@code null} or threw.
 *
 * <p>A source that throws stops the pipeline with {@link StopReason#SOURCE_FAILED}; the
 * exception is the report's cause. A source that blocks should answer interrupts: the pipeline
 * interrupts its producer only when it halts (see {@link Pipeline}).
 *
 * @param <T> the batch type
 */
@FunctionalInterface
public interface BatchSource<T> {

    /**
     * The next batch, or {@code null} when the source has ended.
     *
     * @throws Exception when the source fails; the pipeline stops
     */
    T next() throws Exception;

    /** A source over {@code iterator}; a {@code null} element fails the source (it would read as the end). */
    static <T> BatchSource<T> of(Iterator<? extends T> iterator) {
        Objects.requireNonNull(iterator, "source");
        return () -> {
            if (!iterator.hasNext()) {
                return null;
            }
            return Objects.requireNonNull(iterator.next(), "the source iterator yielded a null batch");
        };
    }

    /** A source over {@code spliterator}, advanced one element at a time; a {@code null} element fails the source. */
    static <T> BatchSource<T> of(Spliterator<? extends T> spliterator) {
        Objects.requireNonNull(spliterator, "source");
        return new BatchSource<T>() {
            private T held;

            @Override
            public T next() {
                held = null;
                boolean advanced = spliterator.tryAdvance(e -> held = Objects.requireNonNull(e,
                        "the source spliterator yielded a null batch"));
                T batch = held;
                held = null;
                return advanced ? batch : null;
            }
        };
    }
}

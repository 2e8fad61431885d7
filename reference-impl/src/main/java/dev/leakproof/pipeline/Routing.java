package dev.leakproof.pipeline;

import java.util.Objects;
import java.util.function.Function;

/**
 * How a {@link Pipeline} spreads batches over its workers.
 * <ul>
 *   <li>{@link #shared()}: one queue that every worker takes from (the batches go to whichever
 *       worker is free; {@code queueCapacity} bounds that one queue).</li>
 *   <li>{@link #roundRobin()}: one queue per worker, filled in turn; the producer blocks on the
 *       next queue in turn when it is full, even if another has room (the seed's behaviour).</li>
 *   <li>{@link #byKey(Function)}: one queue per worker, chosen by the key's hash, so that batches
 *       with equal keys go to the same worker in order.</li>
 * </ul>
 *
 * @param <T> the batch type
 */
public final class Routing<T> {

    /** The routing modes. */
    public enum Mode { SHARED, ROUND_ROBIN, BY_KEY }

    private static final Routing<?> SHARED = new Routing<>(Mode.SHARED, null);
    private static final Routing<?> ROUND_ROBIN = new Routing<>(Mode.ROUND_ROBIN, null);

    private final Mode mode;
    private final Function<? super T, ?> key;

    private Routing(Mode mode, Function<? super T, ?> key) {
        this.mode = mode;
        this.key = key;
    }

    /** One queue shared by every worker. */
    @SuppressWarnings("unchecked")
    public static <T> Routing<T> shared() {
        return (Routing<T>) SHARED;
    }

    /** One queue per worker, filled in turn. */
    @SuppressWarnings("unchecked")
    public static <T> Routing<T> roundRobin() {
        return (Routing<T>) ROUND_ROBIN;
    }

    /**
     * One queue per worker, chosen by {@code key}'s {@link Object#hashCode()}. A key function that
     * throws (or returns {@code null}) stops the pipeline with {@link StopReason#SOURCE_FAILED};
     * the batch is discarded as {@link DiscardReason#UNROUTABLE}.
     */
    public static <T> Routing<T> byKey(Function<? super T, ?> key) {
        return new Routing<>(Mode.BY_KEY, Objects.requireNonNull(key, "key"));
    }

    public Mode mode() {
        return mode;
    }

    /** How many queues this routing needs for {@code workers} workers. */
    int queueCount(int workers) {
        return mode == Mode.SHARED ? 1 : workers;
    }

    /** The queue for {@code batch}; {@code turn} is the producer's running batch count. Producer thread only. */
    int route(T batch, long turn, int queues) {
        switch (mode) {
            case SHARED:
                return 0;
            case ROUND_ROBIN:
                return (int) Long.remainderUnsigned(turn, queues);
            default:
                Object k = Objects.requireNonNull(key.apply(batch), "the routing key function returned null");
                return Math.floorMod(k.hashCode(), queues);
        }
    }

    @Override
    public String toString() {
        return "Routing[" + mode + "]";
    }
}

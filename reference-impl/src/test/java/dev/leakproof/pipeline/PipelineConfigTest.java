package dev.leakproof.pipeline;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Spliterator;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input fails at once with a clear message and starts nothing; configuration keys are read and checked. */
class PipelineConfigTest {

    private final Harness h = new Harness();

    @AfterEach
    void checkEveryPipelineClosedAndEveryThreadEnded() {
        h.tearDown();
    }

    private Pipeline.Builder<Integer> valid() {
        return h.<Integer>builder("config").source(List.of(1, 2, 3).iterator()).worker(i -> { });
    }

    private static void assertMessage(Throwable t, String... parts) {
        for (String part : parts) {
            assertTrue(t.getMessage().contains(part), () -> "message '" + t.getMessage() + "' lacks '" + part + "'");
        }
    }

    @Test
    @DisplayName("Bad input: zero or negative workers, capacity and timeouts are refused, naming the value and the range")
    void shouldRefuseNonPositiveSizesAndTimeoutsWhenBuilding() {
        Pipeline.Builder<Integer> b = valid();
        assertMessage(assertThrows(IllegalArgumentException.class, () -> b.workers(0)), "workers", "0");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> b.workers(-3)), "workers", "-3");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> b.workers(Pipeline.MAX_WORKERS + 1)), "workers");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> b.queueCapacity(0)), "queueCapacity", "0");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> b.queueCapacity(-1)), "queueCapacity");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> b.offerTimeout(Duration.ZERO)), "offerTimeout");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> b.offerTimeout(Duration.ofSeconds(-1))), "offerTimeout");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> b.drainTimeout(Duration.ZERO)), "drainTimeout");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> b.grace(Duration.ofMillis(-5))), "grace");
        assertThrows(IllegalArgumentException.class, () -> MemoryGuard.heapLimit(0));
        assertThrows(IllegalArgumentException.class, () -> MemoryGuard.heapFraction(1.5));
        assertThrows(IllegalArgumentException.class, () -> MemoryGuard.heapLimit(10).checkInterval(Duration.ZERO));
        Pipeline<Integer> p = h.track(b.build());
        assertEquals(1, p.queueCount(), "the refused values left the builder unchanged");
        assertEquals(Pipeline.DEFAULT_QUEUE_CAPACITY, p.queueCapacity());
        assertEquals(Duration.ofSeconds(5), p.offerTimeout(), "as the harness set it");
        assertTrue(h.threads.isEmpty());
    }

    @Test
    @DisplayName("Bad input: a null source or worker, or none at all, is refused")
    void shouldRefuseMissingSourceOrWorkerWhenBuilding() {
        Pipeline.Builder<Integer> b = Pipeline.<Integer>builder().threadFactory(h);
        assertMessage(assertThrows(NullPointerException.class, () -> b.source((BatchSource<Integer>) null)), "source");
        assertMessage(assertThrows(NullPointerException.class, () -> b.source((Iterator<Integer>) null)), "source");
        assertMessage(assertThrows(NullPointerException.class, () -> b.source((Spliterator<Integer>) null)), "source");
        assertMessage(assertThrows(NullPointerException.class, () -> b.worker(null)), "worker");
        assertMessage(assertThrows(IllegalStateException.class, b::build), "source is required");
        b.source(List.of(1).iterator());
        assertMessage(assertThrows(IllegalStateException.class, b::build), "worker is required");
        assertThrows(NullPointerException.class, () -> b.routing(null));
        assertThrows(NullPointerException.class, () -> Routing.byKey(null));
        assertThrows(IllegalArgumentException.class, () -> b.name(" "));
        assertTrue(h.threads.isEmpty());
    }

    @Test
    @DisplayName("Bad input: starting twice, starting after close and a zero close timeout are refused")
    void shouldRefuseSecondStartAndStartAfterCloseWhenCalled() throws InterruptedException {
        Pipeline<Integer> started = h.track(valid().workers(2).build().start());
        assertMessage(assertThrows(IllegalStateException.class, started::start), "already been started");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> started.close(Duration.ZERO)), "timeout");
        assertTrue(started.awaitCompletion(Harness.LIMIT));
        started.close(Harness.LIMIT);
        assertMessage(assertThrows(IllegalStateException.class, started::start), "closed");

        Pipeline<Integer> closedFirst = h.track(valid().name("closed-first").build());
        closedFirst.close();
        assertMessage(assertThrows(IllegalStateException.class, closedFirst::start), "closed");
        assertEquals(3, h.threads.size(), "only the first pipeline's 2 workers and producer were made");
    }

    @Test
    @DisplayName("Nothing half-started: a thread factory that fails leaves no thread running and the pipeline NEW")
    void shouldStartNoThreadWhenThreadFactoryFails() {
        AtomicInteger calls = new AtomicInteger();
        ThreadFactory failing = r -> {
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException("no more threads");
            }
            return h.newThread(r);
        };
        Pipeline<Integer> p = h.track(valid().name("factory-fails").workers(2).threadFactory(failing).build());
        assertMessage(assertThrows(IllegalStateException.class, p::start), "no more threads");
        assertEquals(PipelineState.NEW, p.state());
        assertEquals(1, h.threads.size());
        assertEquals(Thread.State.NEW, h.threads.get(0).getState(), "a thread was started before all were made");
        Pipeline<Integer> nulls = h.track(valid().name("factory-null").threadFactory(r -> null).build());
        assertMessage(assertThrows(IllegalStateException.class, nulls::start), "returned null");
        assertEquals(StopReason.NOT_STARTED, p.close(Harness.LIMIT).reason());
    }

    @Test
    void shouldReadEveryKeyWhenConfiguredFromEnvironment() {
        Pipeline<Integer> p = h.track(valid().fromEnvironment(Map.of(
                Pipeline.ENV_WORKERS, "3",
                Pipeline.ENV_QUEUE_CAPACITY, "1_000",
                Pipeline.ENV_OFFER_TIMEOUT, "250ms",
                Pipeline.ENV_DRAIN_TIMEOUT, "2m",
                Pipeline.ENV_GRACE, "PT7S")).routing(Routing.roundRobin()).build());
        assertEquals(3, p.workers());
        assertEquals(3, p.queueCount());
        assertEquals(1_000, p.queueCapacity());
        assertEquals(Duration.ofMillis(250), p.offerTimeout());
        assertEquals(Duration.ofMinutes(2), p.drainTimeout());
        assertEquals(Duration.ofSeconds(7), p.grace());
    }

    @Test
    void shouldReadEveryKeyWhenConfiguredFromProperties() {
        Properties props = new Properties();
        props.setProperty(Pipeline.PROP_WORKERS, "2");
        props.setProperty(Pipeline.PROP_QUEUE_CAPACITY, "10");
        props.setProperty(Pipeline.PROP_OFFER_TIMEOUT, "1s");
        props.setProperty(Pipeline.PROP_DRAIN_TIMEOUT, "45s");
        props.setProperty(Pipeline.PROP_GRACE, "500ms");
        Pipeline<Integer> p = h.track(valid().fromProperties(props).build());
        assertEquals(2, p.workers());
        assertEquals(10, p.queueCapacity());
        assertEquals(Duration.ofSeconds(1), p.offerTimeout());
        assertEquals(Duration.ofSeconds(45), p.drainTimeout());
        assertEquals(Duration.ofMillis(500), p.grace());
    }

    @Test
    @DisplayName("A bad configuration value names the key and the allowed range, and changes nothing")
    void shouldNameKeyAndRangeWhenConfiguredValueIsBad() {
        Pipeline.Builder<Integer> b = valid().workers(2);
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> b.fromEnvironment(Map.of(Pipeline.ENV_WORKERS, "0"))), Pipeline.ENV_WORKERS, "from 1 to " + Pipeline.MAX_WORKERS);
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> b.fromEnvironment(Map.of(Pipeline.ENV_QUEUE_CAPACITY, "lots"))), Pipeline.ENV_QUEUE_CAPACITY);
        Properties props = new Properties();
        props.setProperty(Pipeline.PROP_WORKERS, "5");
        props.setProperty(Pipeline.PROP_OFFER_TIMEOUT, "0s");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> b.fromProperties(props)),
                Pipeline.PROP_OFFER_TIMEOUT, "1ms");
        Pipeline<Integer> p = h.track(b.build());
        assertEquals(2, p.workers(), "a bad value must leave the builder unchanged");
    }
}

package dev.leakproof.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The sampler's own memory stays bounded, and it ends as the workload and the stop flag say. */
class SamplerTest {

    private final SoakClock clock = SoakClock.system();
    private final Events events = new Events(clock);
    private final FakeWorkload workload = new FakeWorkload();

    private Sampler sampler(SamplesWriter writer, HeapReader heap, Duration duration) {
        SoakRunner.Config config = new SoakRunner.Config(duration, "fake", 1, 1L << 28, LeakInjector.Kind.NONE, 0,
                Path.of("unused"), 1000, 10_000, 10_000, 1.0, false);
        LeakInjector injector = new LeakInjector(LeakInjector.Kind.NONE, 0, clock, Optional.empty(), events);
        SoakRunner.Progress progress = new SoakRunner.Progress(new PrintStream(PrintStream.nullOutputStream()),
                Writer.nullWriter());
        return new Sampler(config, clock, heap, writer, workload, injector, events, progress);
    }

    @Test
    void shouldHoldNoMoreMemoryWhenWritingManySamples() {
        try (HeapReader heap = new HeapReader(); SamplesWriter writer = new SamplesWriter(Writer.nullWriter())) {
            writer.header(SamplesWriterTest.header());
            Sampler sampler = sampler(writer, heap, Duration.ofHours(1));
            HeapReader.Reading r = new HeapReader.Reading(1, 2, 3, 4, 5);
            HeapReader.GcEvent gc = new HeapReader.GcEvent("G1 Young Generation", "end of minor GC", "G1 Evacuation Pause", 3, r);
            for (int i = 0; i < 1000; i++) {
                sampler.intervalSample(i);
                sampler.gcSample(gc);
            }
            int capacityAfterWarmUp = writer.bufferCapacity();
            for (int i = 0; i < 50_000; i++) {
                sampler.intervalSample(i);
                sampler.gcSample(gc);
                if (i % 10_000 == 0) {
                    sampler.progressLine();
                }
            }
            assertEquals(capacityAfterWarmUp, writer.bufferCapacity(), "the line buffer did not grow");
            assertEquals(102_000, writer.samples());
        }
    }

    @Test
    void shouldDropAndCountWhenTheQueuesAreFull() {
        for (int i = 0; i < 10_000; i++) {
            events.add("phase", "event " + i);
        }
        assertEquals(Events.CAPACITY, events.size());
        assertEquals(10_000 - Events.CAPACITY, events.dropped());
        try (HeapReader heap = new HeapReader()) {
            HeapReader.Reading r = new HeapReader.Reading(1, 2, 3, 4, 5);
            for (int i = 0; i < 10_000; i++) {
                heap.offer(new HeapReader.GcEvent("gc", "a", "c", 1, r));
            }
            assertEquals(HeapReader.GC_QUEUE_CAPACITY, heap.gcEventsWaiting());
            assertEquals(10_000 - HeapReader.GC_QUEUE_CAPACITY, heap.gcEventsLost());
        }
    }

    @Test
    void shouldCutLongDetailsWhenQueued() {
        events.add("leak", "x".repeat(5000));
        StringBuilder seen = new StringBuilder();
        events.drain((t, k, d) -> seen.append(d));
        assertEquals(Events.MAX_DETAIL + 3, seen.length());
    }

    @Test
    void shouldEndFailedWhenTheWorkloadFails() {
        StringWriter out = new StringWriter();
        try (HeapReader heap = new HeapReader(); SamplesWriter writer = new SamplesWriter(out)) {
            writer.header(SamplesWriterTest.header());
            workload.failure.set(new IllegalStateException("boom"));
            Sampler sampler = sampler(writer, heap, Duration.ofHours(1));
            assertEquals(SoakRunner.Status.FAILED, sampler.loop(() -> false));
            assertTrue(sampler.error().contains("boom"), sampler.error());
        }
    }

    @Test
    void shouldEndInterruptedWhenAStopIsRequested() {
        try (HeapReader heap = new HeapReader(); SamplesWriter writer = new SamplesWriter(Writer.nullWriter())) {
            writer.header(SamplesWriterTest.header());
            Sampler sampler = sampler(writer, heap, Duration.ofHours(1));
            int[] calls = {0};
            assertEquals(SoakRunner.Status.INTERRUPTED, sampler.loop(() -> ++calls[0] > 3));
            assertTrue(writer.samples() >= 1, "an interval sample was written before the stop");
        }
    }
}

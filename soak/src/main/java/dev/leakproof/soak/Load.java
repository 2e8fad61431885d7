package dev.leakproof.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The threads of a {@link Workload}: each runs a loop until {@link #stop()}; an uncaught error
 * becomes the load's {@link #failure()}. Pacing sleeps keep the CPU use moderate: the soak loads
 * the components, it does not saturate the machine.
 */
abstract class Load implements Workload {

    /** How long {@link #close()} waits for each thread. */
    static final long JOIN_MS = 5_000;

    protected final Config config;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;

    /** What every load is built from. {@code pace} multiplies the offered rates (1 = the documented load). */
    record Config(long seed, double pace, Events events, SoakClock clock, long heapMaxBytes) {
    }

    Load(Config config) {
        this.config = config;
    }

    /** A loop body, run until the load stops. */
    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    protected final void spawn(String name, Step step) {
        Thread t = new Thread(() -> {
            try {
                while (running) {
                    step.run();
                }
            } catch (InterruptedException e) {
                if (running) {
                    fail(new IllegalStateException(name + " interrupted while the soak was running", e));
                }
            } catch (Throwable e) {
                fail(new IllegalStateException(name + " failed: " + e, e));
            }
        }, "leakproof-soak-" + name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    protected final boolean running() {
        return running;
    }

    protected final void fail(Throwable t) {
        failure.compareAndSet(null, t);
    }

    /** Sleeps {@code millis} divided by the pace (at least 1 ms). */
    protected final void pause(long millis) throws InterruptedException {
        Thread.sleep(Math.max(1, Math.round(millis / Math.max(0.01, config.pace()))));
    }

    @Override
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** Stops the loops and waits for the threads; then {@link #closeComponents()}. */
    @Override
    public void close() {
        stop();
        closeComponents();
    }

    protected final void stop() {
        running = false;
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            try {
                t.join(JOIN_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Closes what the load built. */
    protected abstract void closeComponents();

    /** The position in the load's repeating cycle of phases, in ms. */
    protected final long cycleMs(long periodMs) {
        return config.clock().elapsedMs() % periodMs;
    }
}

package dev.leakproof.pipeline;

import java.util.List;
import java.util.Objects;

/**
 * A pipeline thread that was still alive when {@link Pipeline#close(java.time.Duration)} gave up
 * on it (after the drain timeout and the grace period).
 *
 * @param name  the thread's name ({@code leakproof-pipeline-<name>-worker-<n>} or {@code -producer})
 * @param state the thread's state when it was observed
 * @param stack its stack trace when it was observed, innermost frame first
 */
public record StuckThread(String name, Thread.State state, List<StackTraceElement> stack) {

    public StuckThread {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        stack = List.copyOf(stack);
    }

    static StuckThread of(Thread thread) {
        return new StuckThread(thread.getName(), thread.getState(), List.of(thread.getStackTrace()));
    }

    /** The name, state and stack, formatted as a thread dump does. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("\"").append(name).append("\" ").append(state);
        for (StackTraceElement frame : stack) {
            sb.append(System.lineSeparator()).append("\tat ").append(frame);
        }
        return sb.toString();
    }
}

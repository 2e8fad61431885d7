package dev.leakproof.pool;

import java.util.List;

/**
 * What a {@link ChunkProcessor} run did. Conservation:
 * {@code chunks = succeeded + failed + cancelled + stillRunning}; {@code stillRunning} is non-zero
 * only when a handler ignored cancellation past the grace period.
 *
 * @param chunks         chunks read from the source and submitted
 * @param succeeded      chunks whose handler returned normally
 * @param failed         chunks whose lease could not be acquired or whose handler threw
 * @param cancelled      chunks cancelled before or while they ran (timeout or interrupt)
 * @param stillRunning   chunks still running when the run gave up waiting
 * @param bytes          bytes of the chunks that succeeded
 * @param failures       the first failures, in completion order (at most the configured number)
 * @param sourceFailure  what the source threw while being read, or {@code null}
 * @param timedOut       whether the run hit its timeout
 * @param interrupted    whether the calling thread was interrupted (its interrupt status is set again)
 */
public record ChunkReport(long chunks, long succeeded, long failed, long cancelled, long stillRunning, long bytes,
                          List<ChunkFailure> failures, Throwable sourceFailure, boolean timedOut, boolean interrupted) {

    public ChunkReport {
        failures = List.copyOf(failures);
    }

    /** Whether every chunk succeeded and the source was read to its end. */
    public boolean complete() {
        return succeeded == chunks && sourceFailure == null && !timedOut && !interrupted;
    }

    /**
     * One chunk's failure.
     *
     * @param index the chunk's index in the source, from 0
     * @param error what was thrown
     */
    public record ChunkFailure(long index, Throwable error) {
    }
}

package dev.leakproof.pool;

/**
 * Thrown (or used to complete an async acquisition exceptionally) when no memory became free
 * within the acquisition timeout, or when the waiting thread was interrupted (its interrupt status
 * is then set again, and the cause is the {@link InterruptedException}).
 */
public final class PoolExhaustedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PoolExhaustedException(String message) {
        super(message);
    }

    public PoolExhaustedException(String message, Throwable cause) {
        super(message, cause);
    }
}
